"""Tables without vertical rules (ruled, zebra, plain): columns from whitespace, rows from text lines.

Columns are the empty vertical channels shared by the lines that hold most cells (:mod:`.columns`).
Rows: every line that fills several columns anchors a row; lines filling only a column or two (wrapped
cell text, above or below the anchor when cells are vertically centred) join the nearest anchor through
the smallest gaps first, never across a rule or a band edge, and never more than a row gap away.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from .columns import (
    column_extents,
    find_columns,
    line_cols,
    min_column_gap,
    spans_columns,
    word_col,
    words_by_col,
)
from .headerspans import held_labels, join_header_labels, label_span, straddles
from .marks import margin_marks
from .region import Region
from .skeleton import RawCell, RawTable, fill_grid
from .textlines import Line, Phrase, WordLike, build_lines
from .tightcols import tight_columns

# How much tighter (in text heights) two filled lines must sit than the usual gap between rows to be read as
# one row whose every cell wraps. Wrapped header lines sit ~0.6 h closer than body rows; a slanted photo
# of tightly set rows (dev_0069) shows row gaps of -0.2..0.1 h, all within 0.2 h of their median.
WRAP_MARGIN = 0.3
# ... and how much tighter than the row gap two filled lines farther apart than half a text height must
# sit: in well padded rows the lines of a wrapped header (CSS line-height ~1.2, a tall font's descenders)
# leave up to ~0.6 h, still a fraction of the padding between rows.
PADDED_MARGIN = 1.0
# Widest blank (in text heights) between two lines of one column that are one wrapped cell whatever the row
# gap (tightly set rows leave less between rows than a cell's own line spacing).
WRAP_GAP = 0.6


def _separators(region: Region, h: float) -> list[float]:
    seps: list[float] = []
    for s in region.hlines:
        if region.y0 + 0.5 * h < s.y < region.y1 - 0.5 * h:
            seps.append(float(s.y))
    for b in region.bands:
        seps.extend([float(b.y0), float(b.y1)])
    return sorted(seps)


def _group_rows(
    lines: list[Line],
    edges: Sequence[float],
    seps: Sequence[float],
    h: float,
    open_edges: Sequence[float] = (),
) -> list[list[Line]]:
    """Lines grouped into rows. ``open_edges``: column edges that text may run across (not drawn), so that
    a word straddling one is a label spanning columns, never a wrapped line of a cell."""
    n_cols = len(edges) - 1
    cols = [line_cols(ln, edges) for ln in lines]
    full = max((len(c) for c in cols), default=1)
    anchor_need = max(2, math.ceil(0.5 * full)) if full >= 2 else 1
    spanning = [any(spans_columns(p, edges) or straddles(p, open_edges) for p in ln.phrases) for ln in lines]
    anchors = [len(c) >= anchor_need or sp for c, sp in zip(cols, spanning, strict=True)]
    if n_cols <= 1:
        anchors = [True] * len(lines)
    # typical blank gap between rows: pitch of successive anchor lines minus a line's height, from anchors
    # with no line between them where there are a few (section labels or wrapped lines between anchors
    # double the pitch: half such pairs made every tight pair of rows look like one wrapped row)
    ai = [i for i, a in enumerate(anchors) if a]
    pitches = [lines[b].yc - lines[a].yc for a, b in itertools.pairwise(ai)]
    adjacent = [lines[b].yc - lines[a].yc for a, b in itertools.pairwise(ai) if b == a + 1]
    if len(adjacent) >= 3:
        pitches = adjacent
    ag = [lines[i + 1].y0 - lines[i].y1 for i in range(len(lines) - 1) if anchors[i] and anchors[i + 1]]
    line_h = float(np.median([ln.y1 - ln.y0 for ln in lines])) if lines else h
    row_gap = float(np.median(pitches)) - line_h if pitches else 1.0 * h
    max_join = max(0.25 * h, min(0.8 * row_gap, 1.2 * h))

    def blocked(i: int) -> bool:
        """A rule or band edge between line i and line i+1."""
        a, b = lines[i], lines[i + 1]
        return any(a.yc < s < b.yc for s in seps)

    # clusters of consecutive lines; merge the closest eligible pairs first
    clusters: list[list[int]] = [[i] for i in range(len(lines))]
    while True:
        best: tuple[float, int] | None = None
        for k in range(len(clusters) - 1):
            top, bot = clusters[k], clusters[k + 1]
            i = top[-1]
            if blocked(i):
                continue
            gap = lines[i + 1].y0 - lines[i].y1
            two_anchors = sum(anchors[j] for j in top) + sum(anchors[j] for j in bot) > 1
            # two filled lines this close (a fraction of the usual row gap): every cell wraps. Only when rows
            # have real padding to compare against: in tightly set rows every gap is about zero. Measured
            # between the filled lines themselves (a row label centred over two rows overlaps both), from
            # centre to centre less a typical line's height (a speck or a tick box makes one box taller)
            fa = [j for j in top if anchors[j]]
            fb = [j for j in bot if anchors[j]]
            agap = lines[fb[0]].yc - lines[fa[-1]].yc - line_h if fa and fb else gap
            all_wrap = (
                len(ag) >= 3
                and agap <= 0.4 * row_gap
                and (agap < 0.5 * h or row_gap - agap >= PADDED_MARGIN * h)
                and row_gap - agap >= WRAP_MARGIN * h
            )
            if two_anchors and not all_wrap:
                continue
            if gap > max_join:
                continue
            # two lines of one column are one cell only as close as wrapped lines: a line between them
            # (a label centred on two header rows) does not bridge a group label and the labels under it
            if _column_gap(lines, cols, top, bot) > max(max_join, WRAP_GAP * h):
                continue
            if any(spanning[j] and not anchors[j] for j in top + bot):
                continue
            if best is None or gap < best[0]:
                best = (gap, k)
        if best is None:
            break
        k = best[1]
        clusters[k] = clusters[k] + clusters.pop(k + 1)
    return [[lines[i] for i in c] for c in clusters]


def _column_gap(lines: Sequence[Line], cols: Sequence[set[int]], top: list[int], bot: list[int]) -> float:
    """Widest blank between the lowest line of ``top`` and the highest of ``bot`` in one column."""
    widest = -1e9
    for c in set().union(*(cols[j] for j in top)) & set().union(*(cols[j] for j in bot)):
        above = max(lines[j].y1 for j in top if c in cols[j])
        below = min(lines[j].y0 for j in bot if c in cols[j])
        widest = max(widest, below - above)
    return widest


def _fit_span(
    p: Phrase, row_cols: dict[int, list[WordLike]], extents: list[tuple[float, float]]
) -> tuple[int, int]:
    """Columns a spanning phrase covers: those it overlaps and those its words fall in (a word beyond the
    last column's text would otherwise be left in a cell of its own as well), widened over empty
    neighbours to centre it."""
    px0, px1 = p.x0, p.x1
    pc = (px0 + px1) / 2
    own = {id(w) for w in p.words}
    hit = [k for k, (a, b) in enumerate(extents) if min(b, px1) - max(a, px0) > 0]
    hit += [k for k, ws in row_cols.items() if any(id(w) in own for w in ws)]
    if not hit:
        k = min(range(len(extents)), key=lambda k: abs((extents[k][0] + extents[k][1]) / 2 - pc))
        return k, k
    lo, hi = min(hit), max(hit)
    best = (lo, hi)
    best_d = abs((extents[lo][0] + extents[hi][1]) / 2 - pc)

    def empty(k: int) -> bool:
        return all(id(w) in own for w in row_cols.get(k, []))

    a = lo
    while a - 1 >= 0 and empty(a - 1):
        a -= 1
    b = hi
    while b + 1 < len(extents) and empty(b + 1):
        b += 1
    for s in range(a, lo + 1):
        for e in range(hi, b + 1):
            d = abs((extents[s][0] + extents[e][1]) / 2 - pc)
            if d < best_d - 1e-6:
                best, best_d = (s, e), d
    return best


# An outer column with text in one line only, this short at most, beside a table of at least this many lines:
# a tick, a letter or a handwritten mark in the margin, not a column.
STRAY_CHARS = 3
STRAY_MIN_LINES = 4


def _stray_marks(lines: Sequence[Line], edges: Sequence[float]) -> set[int]:
    """Ids of the words of an outer column that only a short mark on a single line fills."""
    if len(edges) < 4 or len(lines) < STRAY_MIN_LINES:
        return set()
    out: set[int] = set()
    for k in (0, len(edges) - 2):
        hit = [ln for ln in lines if any(word_col(w, edges) == k for w in ln.words)]
        ws = [w for ln in hit for w in ln.words if word_col(w, edges) == k]
        if len(hit) == 1 and sum(ch.isalnum() for w in ws for ch in w.text) <= STRAY_CHARS:
            out.update(id(w) for w in ws)
    return out


def borderless_structure(region: Region, h: float, phrase_gap: float) -> RawTable | None:
    words = region.words
    if not words:
        return None
    lines = build_lines(words, phrase_gap)
    min_gap = min_column_gap(words, h)
    edges = find_columns(lines, words, min_gap)
    stray = _stray_marks(lines, edges)
    # marks in the margin are left to the page's free text; once a column of them is gone, the column
    # beside it may hold only marks or a stray letter in turn (a tick box's two strokes read apart)
    for _ in range(3):
        marks = margin_marks(lines, edges)
        stray |= marks
        if not stray:
            break
        words = region.words = [w for w in words if id(w) not in stray]
        lines = build_lines(words, phrase_gap)
        edges = find_columns(lines, words, min_gap)
        stray = _stray_marks(lines, edges) if marks else set()
    edges, lines = tight_columns(lines, edges, min_gap)
    n_cols = len(edges) - 1
    seps = _separators(region, h)
    rows = _group_rows(lines, edges, seps, h)
    n_rows = len(rows)
    if n_rows < 1 or n_rows * n_cols < 2:
        return None
    # column content extents (for centring spanning phrases)
    extents = column_extents(
        (w for ln in lines for p in ln.phrases if not spans_columns(p, edges) for w in p.words), edges
    )
    row_y = [(min(ln.y0 for ln in r), max(ln.y1 for ln in r)) for r in rows]
    # row boundaries halfway between rows
    ys = [float(row_y[0][0])]
    for above, below in itertools.pairwise(row_y):
        ys.append((above[1] + below[0]) / 2)
    ys.append(float(row_y[-1][1]))
    first_full = next(
        (
            i
            for i, r in enumerate(rows)
            if len(set().union(*(line_cols(ln, edges) for ln in r))) >= max(2, n_cols - 1)
        ),
        0,
    )
    cells: list[RawCell] = []
    by_cols = [words_by_col((w for ln in row for w in ln.words), edges) for row in rows]
    held, label_rows = held_labels(by_cols, n_rows, n_cols)
    for r, row in enumerate(rows):
        by_col = by_cols[r]
        taken: set[int] = set()
        single_phrase_row = sum(len(ln.phrases) for ln in row) == 1
        for ln in row:
            for p in ln.phrases:
                if not spans_columns(p, edges):
                    continue
                if not (r < first_full or single_phrase_row or _phrase_is_tight(p, min_gap)):
                    continue
                if _cells_run_together(p, edges, extents, h):
                    continue
                a, b = _fit_span(p, by_col, extents)
                if b <= a or any(k in taken for k in range(a, b + 1)):
                    continue
                own = {id(w) for w in p.words}
                # other words in these columns (not part of the phrase) block the span
                if any(id(w) not in own for k in range(a, b + 1) for w in by_col.get(k, [])):
                    continue
                taken.update(range(a, b + 1))
                cells.append(RawCell(r, a, 1, b - a + 1, words=list(p.words)))
        if r + 1 < label_rows:
            occupied = {**{c: [] for rr, c in held if rr == r}, **by_col}
            for ln in row:
                for p in ln.phrases:
                    cols = {word_col(w, edges) for w in p.words}
                    span = label_span(p, cols, occupied, by_cols[r + 1], extents, taken)
                    if span is not None:
                        taken.update(range(span[0], span[1] + 1))
                        cells.append(RawCell(r, span[0], 1, span[1] - span[0] + 1, words=list(p.words)))
        for k, ws in by_col.items():
            if k in taken:
                continue
            cells.append(RawCell(r, k, 1, 1, words=ws))
    grid_cells = fill_grid(n_rows, n_cols, join_header_labels(cells, n_rows, n_cols))
    for c in grid_cells:
        c.bbox = (
            int(edges[c.col]),
            int(ys[c.row]),
            int(edges[c.col + c.colspan]),
            int(ys[c.row + c.rowspan]),
        )
    table = RawTable(
        n_rows,
        n_cols,
        grid_cells,
        region.kind,
        False,
        (int(edges[0]), int(ys[0]), int(edges[-1]), int(ys[-1])),
    )
    return table


def _cells_run_together(
    p: Phrase, edges: Sequence[float], extents: Sequence[tuple[float, float]], h: float
) -> bool:
    """Two neighbouring cells read as one phrase (tight columns, a missed gap): no word straddles a column
    edge and the phrase starts where its first column's text starts or ends where its last one ends. A
    group header is centred over its columns instead."""
    if any(w.bbox[0] < e < w.bbox[2] for w in p.words for e in edges[1:-1]):
        return False
    cols = sorted({word_col(w, edges) for w in p.words})
    lo, hi = cols[0], cols[-1]
    return abs(p.x0 - extents[lo][0]) < 0.5 * h or abs(p.x1 - extents[hi][1]) < 0.5 * h


def _phrase_is_tight(p: Phrase, min_gap: float) -> bool:
    ws = p.words
    return len(ws) >= 2 and all(b.bbox[0] - a.bbox[2] < 0.5 * min_gap for a, b in itertools.pairwise(ws))
