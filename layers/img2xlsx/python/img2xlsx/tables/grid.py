"""Bordered tables: rows and columns from the rules, spans where a separating rule is missing.

Where the rules are coarser than the text (a frame round a whole table, rules between column groups or
between columns only), the text draws the missing boundaries: columns inside a ruled column
(:mod:`.subcolumns`), then rows inside a ruled row (:mod:`.textrows`); those count as drawn, but where a
label runs across them (a group label over its sub-columns, a header label centred on two rows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .columns import min_column_gap
from .headerspans import header_labels
from .lines import HLine, VLine
from .region import Region
from .skeleton import RawCell, RawTable, fill_grid
from .subcolumns import row_spans, split_ruled_columns
from .textlines import WordLike
from .textrows import text_row_cuts
from .unionfind import UnionFind

Boundary = tuple[float, float]  # (position at the region's centre, slope)


def _boundaries(items: list[tuple[float, float, float]], tol: float) -> list[Boundary]:
    """(position at centre, slope, length) of rules → one boundary per cluster of positions."""
    out: list[list[tuple[float, float, float]]] = []
    for it in sorted(items):
        if out and it[0] - out[-1][-1][0] <= tol:
            out[-1].append(it)
        else:
            out.append([it])
    result: list[Boundary] = []
    for group in out:
        total = sum(g[2] for g in group) or 1.0
        pos = sum(g[0] * g[2] for g in group) / total
        slope = sum(g[1] * g[2] for g in group) / total
        result.append((pos, slope))
    return result


Bound = Callable[[int, float], float]  # boundary k's position at a coordinate along it
Rule = tuple[Callable[[float], float], float, float]  # a rule's position at a coordinate, its start, its end


def _coverage(
    own: Bound, cross: Bound, centre: float, rules: list[Rule], k: int, m: int, tol: float
) -> float:
    """Share of boundary ``k`` between crossing boundaries ``m`` and ``m + 1`` that ``rules`` draw; written
    once for both directions (``own``/``cross``: the boundaries of the rules' direction and the other)."""
    p = own(k, centre)
    a0, a1 = cross(m, p), cross(m + 1, p)
    mid = (a0 + a1) / 2
    total = 0.0
    for pos_at, s0, s1 in rules:
        if abs(pos_at(mid) - own(k, mid)) <= tol:
            total += max(0.0, min(a1, s1) - max(a0, s0))
    return total / max(1.0, a1 - a0)


def grid_structure(region: Region, h: float, phrase_gap: float | None = None) -> RawTable | None:
    """Rows and columns from the rules; rows from the text where the grid rules only its columns."""
    tol = max(4.0, 0.6 * h)
    cx = (region.x0 + region.x1) / 2
    cy = (region.y0 + region.y1) / 2
    region.vlines = _without_strokes(region.vlines, region.y1 - region.y0)
    xs = _boundaries([(v.x_at(cy), v.slope, float(v.length)) for v in region.vlines], tol)
    ys = _boundaries([(s.y_at(cx), s.slope, float(s.length)) for s in region.hlines], tol)
    if not xs or not ys:
        return None

    def xb(j: int, y: float) -> float:
        return xs[j][0] + xs[j][1] * (y - cy)

    def yb(i: int, x: float) -> float:
        return ys[i][0] + ys[i][1] * (x - cx)

    # an open side (no outer rule) still has text beyond the last rule: close it at the text's extent
    # (at least two words beyond the outermost rule: one stray speck does not open a row)
    if region.words:
        pts = [(w, (w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2) for w in region.words]
        m = 0.3 * h
        last_x, last_y = len(xs) - 1, len(ys) - 1
        left = [w.bbox[0] for w, x, y in pts if x < xb(0, y) - m]
        right = [w.bbox[2] for w, x, y in pts if x > xb(last_x, y) + m]
        top = [w.bbox[1] for w, x, y in pts if y < yb(0, x) - m]
        bottom = [w.bbox[3] for w, x, y in pts if y > yb(last_y, x) + m]
        if len(left) >= 2:
            xs.insert(0, (min(left) - m, xs[0][1]))
        if len(right) >= 2:
            xs.append((max(right) + m, xs[-1][1]))
        if len(top) >= 2:
            ys.insert(0, (min(top) - m, ys[0][1]))
        if len(bottom) >= 2:
            ys.append((max(bottom) + m, ys[-1][1]))
    # drop slivers narrower than a glyph: double rules, or a rule detected twice
    xs = _drop_slivers(xs, 0.8 * h)
    ys = _drop_slivers(ys, 0.8 * h)
    # and wider ones no text sits in: the gap between the boxes of a table drawn as one box per cell
    centres = [((w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2) for w in region.words]
    # (only as close as the joined boundary still meets both rules: their coverage is measured within tol)
    xs = _drop_slivers(xs, min(EMPTY_SLIVER * h, 2 * tol), [(y, x) for x, y in centres], cy)
    ys = _drop_slivers(ys, min(EMPTY_SLIVER * h, 2 * tol), centres, cx)
    gap = phrase_gap if phrase_gap is not None else 0.75 * h
    # columns inside a ruled column (a frame around a whole table, rules between column groups only):
    # boundaries drawn by the text, taken as drawn rules but where a phrase runs across them
    n_ruled = len(xs) - 1
    xs, split = _split_columns(region.words, xs, xb, cy, h, gap)
    # unruled body rows inside a column-ruled grid: boundaries drawn by the text, taken as drawn rules
    text_x = [xb(j, cy) for a, b in split for j in range(a + 1, b)]
    width = max(1.0, xb(len(xs) - 1, cy) - xb(0, cy))
    rule_ys = [yb(i, cx) for i in range(len(ys))]
    short = [y for y in rule_ys if _drawn_length(region.hlines, y, cx, tol) < SHORT_RULE * width]
    cuts = text_row_cuts(region.words, [xb(j, cy) for j in range(len(xs))], rule_ys, h, gap, text_x, short)
    drawn_by_text: set[float] = set()
    for y in cuts:
        k = sum(1 for i in range(len(ys)) if yb(i, cx) <= y)
        slope = (ys[k - 1][1] + ys[min(k, len(ys) - 1)][1]) / 2
        ys.insert(k, (y, slope))
        drawn_by_text.add(y)
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 1 or n_rows * n_cols < 2:
        return None

    v_rules: list[Rule] = [(v.x_at, v.y0, v.y1) for v in region.vlines]
    h_rules: list[Rule] = [(s.y_at, s.x0, s.x1) for s in region.hlines]

    def cell_of(w: WordLike) -> tuple[int, int]:
        wx = (w.bbox[0] + w.bbox[2]) / 2
        wy = (w.bbox[1] + w.bbox[3]) / 2
        return _between(yb, len(ys), wx, wy), _between(xb, len(xs), wy, wx)

    by_cell: dict[tuple[int, int], list[WordLike]] = {}
    for w in region.words:
        by_cell.setdefault(cell_of(w), []).append(w)
    text_rows = {i for i in range(1, n_rows) if ys[i][0] in drawn_by_text}
    centred = header_labels(by_cell, n_rows, n_cols, text_rows)
    labels = {(r, c) for i, c in centred for r in (i - 1, i)}
    joined = _text_spans(region.words, split, cell_of, xb, cy, n_rows, gap, n_ruled >= 2, labels)

    inside_split = {j for a, b in split for j in range(a + 1, b)}
    ruled_cov = {
        (r, j): _coverage(xb, yb, cy, v_rules, j, r, tol)
        for j in range(1, n_cols)
        if j not in inside_split
        for r in range(n_rows)
    }
    parted = _parted_by_text(by_cell, ruled_cov, xb, n_rows, n_cols, 0.2 * h, 0.5 * h)

    def cov_v(j: int, r: int) -> float:
        """Fraction of boundary j between rows r and r+1 drawn by a vertical rule (or by the text)."""
        if j in inside_split:
            return 0.0 if (r, j) in joined else 1.0
        return 1.0 if (r, j) in parted else ruled_cov[(r, j)]

    def cov_h(i: int, c: int) -> float:
        """Fraction of boundary i between columns c and c+1 drawn by a horizontal rule."""
        if ys[i][0] in drawn_by_text:
            return 0.0 if (i, c) in centred else 1.0
        return _coverage(yb, xb, cx, h_rules, i, c, tol)

    # union cells across missing rules
    sets = UnionFind(n_rows * n_cols)
    for r in range(n_rows):
        for c in range(n_cols - 1):
            if cov_v(c + 1, r) < 0.5:
                sets.union(r * n_cols + c, r * n_cols + c + 1)
    for r in range(n_rows - 1):
        for c in range(n_cols):
            if cov_h(r + 1, c) < 0.5:
                sets.union(r * n_cols + c, (r + 1) * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(sets.find(r * n_cols + c), []).append((r, c))
    spans: list[RawCell] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        r0 = min(m[0] for m in members)
        r1 = max(m[0] for m in members)
        c0 = min(m[1] for m in members)
        c1 = max(m[1] for m in members)
        spans.append(RawCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    cells = fill_grid(n_rows, n_cols, spans)
    owner: dict[tuple[int, int], RawCell] = {}
    for cell in cells:
        r0, r1, c0, c1 = cell.row, cell.row + cell.rowspan, cell.col, cell.col + cell.colspan
        xm = (xb(c0, cy) + xb(c1, cy)) / 2
        ym = (yb(r0, cx) + yb(r1, cx)) / 2
        cell.bbox = (int(xb(c0, ym)), int(yb(r0, xm)), int(xb(c1, ym)), int(yb(r1, xm)))
        for r in range(r0, r1):
            for c in range(c0, c1):
                owner[(r, c)] = cell
    for w in region.words:
        r, c = cell_of(w)
        if 0 <= r < n_rows and 0 <= c < n_cols:
            owner[(r, c)].words.append(w)
    # a grid whose top row has no rule below... header rows: rows above the first full-width rule below a
    # spanning header, else the first row
    bbox = (int(xb(0, cy)), int(yb(0, cx)), int(xb(n_cols, cy)), int(yb(n_rows, cx)))
    table = RawTable(n_rows, n_cols, cells, "grid", True, bbox)
    # a border-only frame around a single line of text is not a table
    if n_rows == 1 and sum(1 for c in cells if c.words) < 2:
        return None
    return table


def _between(bound: Bound, n: int, along: float, pos: float) -> int:
    """Index of the gap between ``n`` boundaries (at ``along``) holding ``pos``: -1 before the first, n - 1
    after the last."""
    return sum(1 for k in range(n) if bound(k, along) <= pos) - 1


def _split_columns(
    words: list[WordLike], xs: list[Boundary], xb: Bound, cy: float, h: float, gap: float
) -> tuple[list[Boundary], list[tuple[int, int]]]:
    """``xs`` with the text's column gaps inside ruled columns added, and the ruled columns that were split
    (as their first and last boundary index in the new list)."""
    if not words or len(xs) < 2:
        return xs, []
    cols: list[list[tuple[WordLike, float]]] = [[] for _ in range(len(xs) - 1)]
    for w in words:
        wy = (w.bbox[1] + w.bbox[3]) / 2
        c = _between(xb, len(xs), wy, (w.bbox[0] + w.bbox[2]) / 2)
        if 0 <= c < len(xs) - 1:
            cols[c].append((w, xb(c, cy) - xb(c, wy)))
    spans = [(xb(j, cy), xb(j + 1, cy)) for j in range(len(xs) - 1)]
    cuts = split_ruled_columns(cols, spans, gap, min_column_gap(words, h))
    out: list[Boundary] = []
    split: list[tuple[int, int]] = []
    for j, inner in enumerate(cuts):
        out.append(xs[j])
        if inner:
            a = len(out) - 1
            (p0, s0), (p1, s1) = xs[j], xs[j + 1]
            for x in inner:
                t = (x - p0) / max(1e-6, p1 - p0)
                out.append((x, s0 + t * (s1 - s0)))
            split.append((a, len(out)))
    out.append(xs[-1])
    return out, split


def _text_spans(
    words: list[WordLike],
    split: list[tuple[int, int]],
    cell_of: Callable[[WordLike], tuple[int, int]],
    xb: Bound,
    cy: float,
    n_rows: int,
    gap: float,
    whole: bool,
    labels: set[tuple[int, int]],
) -> set[tuple[int, int]]:
    """(row, boundary) pairs where a text-drawn column boundary is crossed by a spanning cell. ``labels``:
    the (row, column) positions of header labels spanning two rows."""
    joined: set[tuple[int, int]] = set()
    for a, b in split:
        rows: list[list[tuple[WordLike, float]]] = [[] for _ in range(n_rows)]
        for w in words:
            r, c = cell_of(w)
            if 0 <= r < n_rows and a <= c < b:
                rows[r].append((w, xb(a, cy) - xb(a, (w.bbox[1] + w.bbox[3]) / 2)))
        edges = [xb(j, cy) for j in range(a, b + 1)]
        local = {(r, c - a) for r, c in labels if a <= c < b}
        for r, spans in enumerate(row_spans(rows, edges, gap, whole, local)):
            for s, e in spans:
                joined.update((r, a + j) for j in range(s + 1, e + 1))
    return joined


# A column rule drawn in fewer than this share of the grid's rows separates a header band's labels only (white
# gaps in a filled band, short ticks): the rows it misses are not one cell each but are parted by the text.
OPEN_RULE = 0.5


def _parted_by_text(
    by_cell: dict[tuple[int, int], list[WordLike]],
    ruled_cov: dict[tuple[int, int], float],
    xb: Bound,
    n_rows: int,
    n_cols: int,
    margin: float,
    space: float,
) -> set[tuple[int, int]]:
    """(row, boundary) pairs where a column rule drawn in few rows (:data:`OPEN_RULE`) is missing but no
    word or phrase runs across it, so the boundary still parts the row. ``space``: the widest gap between
    two words of one phrase (a cell's padding either side of a rule is wider)."""
    drawn: dict[int, int] = {}
    for (_, j), cov in ruled_cov.items():
        drawn[j] = drawn.get(j, 0) + (cov >= 0.5)
    open_cols = [j for j, n in drawn.items() if 0 < n < OPEN_RULE * n_rows]
    if not open_cols or n_rows < 3:
        return set()
    rows: list[list[WordLike]] = [[] for _ in range(n_rows)]
    for (r, c), ws in by_cell.items():
        if 0 <= r < n_rows and 0 <= c < n_cols:
            rows[r].extend(ws)
    out: set[tuple[int, int]] = set()
    for j in open_cols:
        for r, row in enumerate(rows):
            if ruled_cov[(r, j)] >= 0.5:
                continue
            y = float(np.mean([(w.bbox[1] + w.bbox[3]) / 2 for w in row])) if row else 0.0
            if not row or not _runs_across(row, xb(j, y), margin, space):
                out.add((r, j))
    return out


def _runs_across(row: list[WordLike], x: float, margin: float, space: float) -> bool:
    """Whether a word of ``row`` straddles ``x``, or two words less than ``space`` apart lie either side."""
    left = [w.bbox[2] for w in row if w.bbox[2] <= x + margin]
    right = [w.bbox[0] for w in row if w.bbox[0] >= x - margin]
    if any(w.bbox[0] < x - margin and w.bbox[2] > x + margin for w in row):
        return True
    return bool(left and right and min(right) - max(left) < space)


# A row boundary whose rules cover less than this share of the table's width is drawn only locally.
SHORT_RULE = 0.3


def _drawn_length(hlines: list[HLine], y: float, cx: float, tol: float) -> float:
    """Total length of the horizontal rules at height ``y`` (at the table's centre)."""
    return float(sum(s.x1 - s.x0 for s in hlines if abs(s.y_at(cx) - y) <= tol))


# A vertical "rule" this much thinner than the grid's own rules and this much shorter than the grid is a glyph
# stroke or a moire streak in a photographed screen (it made columns inside a header row).
STROKE_THIN = 0.4
STROKE_SHORT = 0.25


def _without_strokes(vlines: list[VLine], height: int) -> list[VLine]:
    if len(vlines) < 3:
        return vlines
    thick = float(np.median([v.thickness for v in vlines]))
    short = STROKE_SHORT * height
    return [v for v in vlines if not (v.thickness <= STROKE_THIN * thick and v.length < short)]


def _drop_slivers(
    edges: list[Boundary],
    min_gap: float,
    points: Sequence[tuple[float, float]] = (),
    centre: float = 0.0,
) -> list[Boundary]:
    """``edges`` with each pair closer than ``min_gap`` joined into one midway, unless one of ``points``
    (coordinate along the edges, position across them; ``centre``: where the edges' positions are taken)
    lies between the two."""
    out: list[Boundary] = []
    for e in edges:
        if out and e[0] - out[-1][0] < min_gap:
            prev = out[-1]
            if not any(prev[0] + prev[1] * (a - centre) < p < e[0] + e[1] * (a - centre) for a, p in points):
                out[-1] = ((prev[0] + e[0]) / 2, (prev[1] + e[1]) / 2)
                continue
        out.append(e)
    return out


# Two rules closer than this many text heights with no text between them are one boundary drawn twice (the
# facing edges of neighbouring boxes): a row or column that holds text is at least a line plus padding tall.
EMPTY_SLIVER = 1.5
