"""Per-image scores of a converter's tables against the ground truth.

Metrics (all in [0, 1]; a GT table with no matching sheet scores 0 everywhere):
- ``teds`` / ``teds_struct``: see ``bench.teds``; mean over the image's GT tables.
- ``cell_text``: cell text accuracy. GT rows and columns are aligned to predicted rows/columns (monotone
  alignment maximising normalised-Levenshtein similarity of whole-row / whole-column texts), then each GT
  cell with non-empty text is compared with the best predicted cell under its aligned grid positions:
  similarity = 1 - normalised Levenshtein distance (unaligned → 0). Mean over the image's non-empty GT cells.
- ``cell_exact``: share of those non-empty GT cells whose best predicted cell has exactly the same text (after
  the same normalisation: NFKC, whitespace collapsed, ends trimmed, case kept). Mean over the image's cells.
- numeric typing: of the GT numeric cells, how many land on a workbook cell that stores a number equal to the
  GT value (relative tolerance 1e-6; percents as fractions). Counted (hits, total) so it can be pooled.
- tables: predicted sheets are matched one-to-one to GT tables maximising total TEDS (ties → reading order);
  a matched pair with TEDS >= ``MATCH_TEDS`` is a true positive for table precision/recall.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein

from bench.grid import GridCell, GridTable
from bench.teds import teds

MATCH_TEDS = 0.5
_REL_TOL = 1e-6


def similarity(a: str, b: str) -> float:
    """1 - normalised Levenshtein distance (two empty strings are identical)."""
    return float(Levenshtein.normalized_similarity(a, b))


def align(gt_keys: list[str], pred_keys: list[str]) -> list[int | None]:
    """Monotone alignment of GT items to predicted items maximising the summed similarity of their texts.

    Returns, for every GT index, the predicted index it is aligned to (or None). A tiny bonus per pair
    prefers pairing over skipping when texts say nothing (all empty).
    """
    n, m = len(gt_keys), len(pred_keys)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]  # 0 diag, 1 skip gt, 2 skip pred
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            diag = score[i - 1][j - 1] + similarity(gt_keys[i - 1], pred_keys[j - 1]) + 1e-6
            up, left = score[i - 1][j], score[i][j - 1]
            best = max(diag, up, left)
            score[i][j] = best
            move[i][j] = 0 if best == diag else (1 if best == up else 2)
    out: list[int | None] = [None] * n
    i, j = n, m
    while i > 0 and j > 0:
        if move[i][j] == 0:
            out[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif move[i][j] == 1:
            i -= 1
        else:
            j -= 1
    return out


def line_texts(grid: list[list[GridCell | None]], n: int, by_row: bool) -> list[str]:
    """The text of each row (``by_row``) or column of an owner grid: its distinct cells' texts joined."""
    texts = []
    for k in range(n):
        line = grid[k] if by_row else [row[k] for row in grid]
        seen: list[GridCell] = []
        for cell in line:
            if cell is not None and (not seen or seen[-1] is not cell):
                seen.append(cell)
        texts.append(" ".join(c.text for c in seen if c.text))
    return texts


@dataclass
class CellScores:
    """Cell-level results of one GT table against one predicted table."""

    text_sum: float = 0.0
    text_n: int = 0
    exact_hits: int = 0
    numeric_hits: int = 0
    numeric_n: int = 0


def best_matches(pred: GridTable | None, gt: GridTable) -> list[tuple[GridCell, GridCell | None]]:
    """Each non-empty (or numeric) GT cell with the predicted cell it is scored against: rows and columns
    aligned by text, the most similar of the predicted cells under its aligned positions (None: none)."""
    cells = [c for c in gt.cells if c.text or c.numeric]
    if pred is None or pred.n_rows == 0 or pred.n_cols == 0:
        return [(c, None) for c in cells]
    gg, pg = gt.owner_grid(), pred.owner_grid()
    row_map = align(line_texts(gg, gt.n_rows, True), line_texts(pg, pred.n_rows, True))
    col_map = align(line_texts(gg, gt.n_cols, False), line_texts(pg, pred.n_cols, False))
    out: list[tuple[GridCell, GridCell | None]] = []
    for cell in cells:
        candidates: list[GridCell] = []
        for r in range(cell.row, min(cell.row + cell.rowspan, gt.n_rows)):
            for c in range(cell.col, min(cell.col + cell.colspan, gt.n_cols)):
                pr, pc = row_map[r], col_map[c]
                owner = pg[pr][pc] if pr is not None and pc is not None else None
                if owner is not None and all(owner is not x for x in candidates):
                    candidates.append(owner)
        best = max(candidates, key=lambda p: similarity(cell.text, p.text)) if candidates else None
        out.append((cell, best))
    return out


def cell_scores(pred: GridTable | None, gt: GridTable) -> CellScores:
    """Cell text accuracy and numeric typing counts of one GT table (see module doc)."""
    out = CellScores()
    out.text_n = sum(1 for c in gt.cells if c.text)
    out.numeric_n = sum(1 for c in gt.cells if c.numeric and c.value is not None)
    for cell, best in best_matches(pred, gt):
        if best is None:
            continue
        if cell.text:
            out.text_sum += similarity(cell.text, best.text)
            out.exact_hits += int(best.text == cell.text)
        if cell.numeric and cell.value is not None:
            out.numeric_hits += int(same_number(best, cell.value))
    return out


def same_number(cell: GridCell, value: float) -> bool:
    """The workbook cell stores a number equal to ``value`` (relative tolerance, percents as fractions)."""
    return (
        cell.numeric and cell.value is not None and abs(cell.value - value) <= _REL_TOL * max(1.0, abs(value))
    )


def match_tables(
    preds: list[GridTable], gts: list[GridTable], pair_score: list[list[float]]
) -> list[int | None]:
    """One-to-one assignment GT index → predicted index maximising total score (ties → reading order)."""
    n, m = len(gts), len(preds)
    if n == 0 or m == 0:
        return [None] * n
    best: tuple[float, list[int | None]] = (-1.0, [None] * n)
    if n * m <= 64:
        slots: list[int | None] = [*range(m), *([None] * n)]
        for perm in itertools.permutations(slots, n):
            used = [p for p in perm if p is not None]
            if len(used) != len(set(used)):
                continue
            total = sum(pair_score[i][p] for i, p in enumerate(perm) if p is not None)
            # earlier-in-order pairings win ties: penalise crossings and order displacement very lightly
            total -= 1e-9 * sum(abs(i - p) for i, p in enumerate(perm) if p is not None)
            if total > best[0]:
                best = (total, list(perm))
        return best[1]
    taken: set[int] = set()  # many sheets: greedy by score
    out: list[int | None] = [None] * n
    for _s, i, j in sorted(((pair_score[i][j], i, j) for i in range(n) for j in range(m)), reverse=True):
        if out[i] is None and j not in taken:
            out[i] = j
            taken.add(j)
    return out


@dataclass
class ImageScore:
    """Scores of one image for one engine (``crashed`` images keep zeros and an ``error``)."""

    name: str
    teds: float = 0.0
    teds_struct: float = 0.0
    cell_text: float = 0.0
    cell_exact: float = 0.0
    text_sum: float = 0.0
    text_n: int = 0
    exact_hits: int = 0
    numeric_hits: int = 0
    numeric_n: int = 0
    n_gt: int = 0
    n_pred: int = 0
    n_tp: int = 0
    crashed: bool = False
    error: str = ""
    per_table: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_image(name: str, preds: list[GridTable], gts: list[GridTable]) -> ImageScore:
    """Match predicted sheets to GT tables and score every GT table (missing → 0)."""
    full = [[teds(p, g) for p in preds] for g in gts]
    assignment = match_tables(preds, gts, full)
    res = ImageScore(name=name, n_gt=len(gts), n_pred=len(preds))
    for i, gt in enumerate(gts):
        j = assignment[i]
        pred = preds[j] if j is not None else None
        t = full[i][j] if j is not None else 0.0
        ts = teds(pred, gt, structure_only=True)
        cs = cell_scores(pred, gt)
        res.teds += t / len(gts)
        res.teds_struct += ts / len(gts)
        res.text_sum += cs.text_sum
        res.text_n += cs.text_n
        res.exact_hits += cs.exact_hits
        res.numeric_hits += cs.numeric_hits
        res.numeric_n += cs.numeric_n
        res.n_tp += int(t >= MATCH_TEDS)
        res.per_table.append(
            {
                "gt": i,
                "sheet": pred.name if pred else None,
                "teds": round(t, 4),
                "teds_struct": round(ts, 4),
                "gt_shape": [gt.n_rows, gt.n_cols],
                "pred_shape": [pred.n_rows, pred.n_cols] if pred else None,
            }
        )
    res.cell_text = res.text_sum / res.text_n if res.text_n else (1.0 if gts else 0.0)
    res.cell_exact = res.exact_hits / res.text_n if res.text_n else (1.0 if gts else 0.0)
    return res
