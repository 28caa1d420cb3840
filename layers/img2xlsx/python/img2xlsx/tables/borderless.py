"""Tables without vertical rules (ruled, zebra, plain): columns from whitespace, rows from text lines.

Columns are the empty vertical channels shared by the lines that hold most cells (group headers that span
columns would close the channels, so lines with few phrases are left out of that vote). Rows: every line
that fills several columns anchors a row; lines filling only a column or two (wrapped cell text, above or
below the anchor when cells are vertically centred) join the nearest anchor through the smallest gaps first,
never across a rule or a band edge, and never more than a row gap away.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from .region import Region
from .rowspans import header_labels
from .skeleton import RawCell, RawTable, fill_grid
from .textlines import Line, Phrase, WordLike, build_lines, space_width

# How much tighter (in text heights) two filled lines must sit than the usual gap between rows to be read as
# one row whose every cell wraps. Wrapped header lines sit ~0.6 h closer than body rows; a slanted photo
# of tightly set rows (dev_0069) shows row gaps of -0.2..0.1 h, all within 0.2 h of their median.
WRAP_MARGIN = 0.3
# Widest blank (in text heights) between two lines of one column that are one wrapped cell whatever the row
# gap (tightly set rows leave less between rows than a cell's own line spacing).
WRAP_GAP = 0.6


def _column_edges(lines: Sequence[Line], x0: int, x1: int, min_gap: float) -> list[float]:
    counts = [len(ln.phrases) for ln in lines]
    ref = float(np.percentile(counts, 90)) if counts else 1.0
    need = max(2, math.ceil(0.6 * ref))
    voters = [ln for ln in lines if len(ln.phrases) >= need] or list(lines)
    width = max(1, x1 - x0 + 1)
    cover = _line_cover(voters, x0, width)
    occupied = np.flatnonzero(cover > 0)
    if occupied.size == 0:
        return [float(x0), float(x1)]
    lo, hi = int(occupied[0]), int(occupied[-1])
    # an empty channel is a column gap when the lines are, typically, widely spaced across it (a narrow
    # channel may come from a long value in one row; aligned word spaces stay narrow)
    exact = [
        (a, b)
        for a, b in _runs(cover[lo : hi + 1] == 0, lo)
        if b - a >= 0.25 * min_gap and _typical_gap(voters, x0 + (a + b) / 2) >= min_gap
    ]
    cuts = [x0 + (a + b) / 2 for a, b in exact]
    cuts.extend(_bridged_gaps(voters, cover, lo, hi, exact, x0, min_gap))
    return [float(x0), *sorted(cuts), float(x1)]


def _line_cover(lines: Sequence[Line], x0: int, width: int) -> np.ndarray:
    """Per pixel column, how many lines have ink there."""
    cover = np.zeros(width, np.int32)
    for ln in lines:
        mask = np.zeros(width, bool)
        for w in ln.words:
            mask[max(0, w.bbox[0] - x0) : max(0, min(width, w.bbox[2] - x0))] = True
        cover += mask
    return cover


def _runs(flags: np.ndarray, offset: int = 0) -> list[tuple[int, int]]:
    """Half-open index ranges where ``flags`` is true."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    d = np.flatnonzero(np.diff(padded))
    return [(int(a) + offset, int(b) + offset) for a, b in zip(d[::2], d[1::2], strict=True)]


# Share of the voting lines that may run across a column gap (a header cell read together with its
# neighbour, a stray mark, a spanning label) without closing it: dev_0069's "Hours - Rating" header closed
# the gap that its 5 body rows leave open.
BRIDGE_SHARE = 0.2
# Share of the voting lines with ink right beside such a gap, on each side.
FLANK_SHARE = 0.5


def _bridged_gaps(
    voters: Sequence[Line],
    cover: np.ndarray,
    lo: int,
    hi: int,
    exact: Sequence[tuple[int, int]],
    x0: int,
    min_gap: float,
) -> list[float]:
    """Column gaps that all but a few lines leave empty. A stretch of low cover that holds an empty channel
    already found is the ragged end of a text column, not a gap of its own; the cut goes through the least
    covered part of the stretch, so the few long texts that reach into it are not split."""
    allowed = int(BRIDGE_SHARE * len(voters))
    if allowed < 1:
        return []
    out: list[float] = []
    for a, b in _runs(cover[lo : hi + 1] <= allowed, lo):
        inner = a > lo and b <= hi  # a stretch at the outer edge only holds a few long texts or specks
        if not inner or b - a < 0.5 * min_gap or any(ea < b and eb > a for ea, eb in exact):
            continue
        # a gap has the bulk of the lines' ink right beside it on both sides; inside a text column of
        # varied lengths the cover only thins out gradually
        w = int(2 * min_gap)
        if min(cover[max(lo, a - w) : a].max(), cover[b : b + w].max()) < max(
            allowed + 1, FLANK_SHARE * len(voters)
        ):
            continue
        seg = cover[a:b]
        floor_runs = _runs(seg == seg.min(), a)
        fa, fb = max(floor_runs, key=lambda r: r[1] - r[0])
        xc = x0 + (fa + fb) / 2
        if _typical_gap(voters, xc) >= min_gap:
            out.append(xc)
    return out


def _typical_gap(lines: Sequence[Line], xc: float) -> float:
    """Median whitespace across ``xc`` in the lines that have words on both sides of it."""
    gaps: list[float] = []
    for ln in lines:
        left = max((w.bbox[2] for w in ln.words if w.bbox[2] <= xc), default=None)
        right = min((w.bbox[0] for w in ln.words if w.bbox[0] >= xc), default=None)
        if left is not None and right is not None:
            gaps.append(right - left)
    return float(np.median(gaps)) if gaps else 1e9


def _merge_phrase_split_columns(lines: Sequence[Line], edges: list[float]) -> list[float]:
    """Drop a column edge that only ever cuts through phrases (a header like "On hand" over one column,
    a long value's inner space); keep it when some line has separate phrases on its two sides."""
    changed = True
    while changed and len(edges) > 2:
        changed = False
        for k in range(1, len(edges) - 1):
            cut = apart = 0
            for ln in lines:
                sides = []
                for p in ln.phrases:
                    cs = {_col_of((w.bbox[0] + w.bbox[2]) / 2, edges) for w in p.words}
                    sides.append(cs)
                if any((k - 1) in cs and k in cs for cs in sides):
                    cut += 1
                left = any((k - 1) in cs and k not in cs for cs in sides)
                right = any(k in cs and (k - 1) not in cs for cs in sides)
                if left and right:
                    apart += 1
            if cut and not apart:
                del edges[k]
                changed = True
                break
    return edges


def _drop_mark_columns(lines: Sequence[Line], edges: list[float]) -> list[float]:
    """A column holding nothing but marks (a dash or rule piece read between two header labels, a speck)
    is no column: it joins the neighbour whose text comes closer."""
    k = 0
    while k < len(edges) - 1 and len(edges) > 2:
        ws = _col_words(lines, edges, k)
        if not ws or any(ch.isalnum() for w in ws for ch in w.text):
            k += 1
            continue
        left = max((w.bbox[2] for w in _col_words(lines, edges, k - 1)), default=None)
        right = min((w.bbox[0] for w in _col_words(lines, edges, k + 1)), default=None)
        mx0, mx1 = min(w.bbox[0] for w in ws), max(w.bbox[2] for w in ws)
        if k == 0 or (
            k < len(edges) - 2 and (left is None or (right is not None and right - mx1 < mx0 - left))
        ):
            del edges[k + 1]  # joins the column on its right
        else:
            del edges[k]
    return edges


def _col_words(lines: Sequence[Line], edges: Sequence[float], k: int) -> list[WordLike]:
    if k < 0 or k >= len(edges) - 1:
        return []
    return [w for ln in lines for w in ln.words if _col_of((w.bbox[0] + w.bbox[2]) / 2, edges) == k]


def _col_of(x: float, edges: Sequence[float]) -> int:
    for k in range(len(edges) - 1):
        if x < edges[k + 1]:
            return k
    return len(edges) - 2


def _line_cols(line: Line, edges: Sequence[float]) -> set[int]:
    return {_col_of((w.bbox[0] + w.bbox[2]) / 2, edges) for w in line.words}


def _spanning_phrase(p: Phrase, edges: Sequence[float]) -> bool:
    cols = {_col_of((w.bbox[0] + w.bbox[2]) / 2, edges) for w in p.words}
    return len(cols) >= 2


def _straddles(p: Phrase, edges: Sequence[float]) -> bool:
    """One of the phrase's words runs well into both sides of one of ``edges`` (a single-word group label
    centred over two columns: by its centre it would sit in one)."""
    for w in p.words:
        width = max(1, w.bbox[2] - w.bbox[0])
        if any(min(e - w.bbox[0], w.bbox[2] - e) >= 0.25 * width for e in edges):
            return True
    return False


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
    cols = [_line_cols(ln, edges) for ln in lines]
    full = max((len(c) for c in cols), default=1)
    anchor_need = max(2, math.ceil(0.5 * full)) if full >= 2 else 1
    spanning = [
        any(_spanning_phrase(p, edges) or _straddles(p, open_edges) for p in ln.phrases) for ln in lines
    ]
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
                and agap < 0.5 * h
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
    """Columns a spanning phrase covers: those it overlaps, widened over empty neighbours to centre it."""
    px0, px1 = p.x0, p.x1
    pc = (px0 + px1) / 2
    hit = [k for k, (a, b) in enumerate(extents) if min(b, px1) - max(a, px0) > 0]
    if not hit:
        k = min(range(len(extents)), key=lambda k: abs((extents[k][0] + extents[k][1]) / 2 - pc))
        return k, k
    lo, hi = min(hit), max(hit)
    best = (lo, hi)
    best_d = abs((extents[lo][0] + extents[hi][1]) / 2 - pc)
    own = {id(w) for w in p.words}

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


def _edges(lines: Sequence[Line], words: Sequence[WordLike], min_gap: float) -> list[float]:
    x0 = min(w.bbox[0] for w in words)
    x1 = max(w.bbox[2] for w in words)
    edges = _merge_phrase_split_columns(lines, _column_edges(lines, x0, x1, min_gap))
    return _drop_mark_columns(lines, edges)


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
        hit = [ln for ln in lines if any(_col_of((w.bbox[0] + w.bbox[2]) / 2, edges) == k for w in ln.words)]
        ws = [w for ln in hit for w in ln.words if _col_of((w.bbox[0] + w.bbox[2]) / 2, edges) == k]
        if len(hit) == 1 and sum(ch.isalnum() for w in ws for ch in w.text) <= STRAY_CHARS:
            out.update(id(w) for w in ws)
    return out


def min_column_gap(words: Sequence[WordLike], h: float) -> float:
    """Narrowest whitespace that separates two columns: wider than a word space, monospace ones too."""
    return max(0.6 * h, 1.8 * space_width(words, h))


def borderless_structure(region: Region, h: float, phrase_gap: float) -> RawTable | None:
    words = region.words
    if not words:
        return None
    lines = build_lines(words, phrase_gap)
    min_gap = min_column_gap(words, h)
    edges = _edges(lines, words, min_gap)
    stray = _stray_marks(lines, edges)
    if stray:  # left to the page's free text
        words = region.words = [w for w in words if id(w) not in stray]
        lines = build_lines(words, phrase_gap)
        edges = _edges(lines, words, min_gap)
    n_cols = len(edges) - 1
    seps = _separators(region, h)
    rows = _group_rows(lines, edges, seps, h)
    n_rows = len(rows)
    if n_rows < 1 or n_rows * n_cols < 2:
        return None
    # column content extents (for centring spanning phrases)
    extents: list[tuple[float, float]] = []
    for k in range(n_cols):
        ws = [
            w
            for ln in lines
            for p in ln.phrases
            if not _spanning_phrase(p, edges)
            for w in p.words
            if _col_of((w.bbox[0] + w.bbox[2]) / 2, edges) == k
        ]
        if ws:
            extents.append((min(w.bbox[0] for w in ws), max(w.bbox[2] for w in ws)))
        else:
            extents.append((edges[k], edges[k + 1]))
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
            if len(set().union(*(_line_cols(ln, edges) for ln in r))) >= max(2, n_cols - 1)
        ),
        0,
    )
    cells: list[RawCell] = []
    by_cols: list[dict[int, list[WordLike]]] = []
    for row in rows:
        by_cols.append({})
        for ln in row:
            for w in ln.words:
                by_cols[-1].setdefault(_col_of((w.bbox[0] + w.bbox[2]) / 2, edges), []).append(w)
    # header labels centred on two rows hold their column in both (they are made one cell at the end), and
    # do not make the lower row look like a body row
    pre = {(r, k): ws for r, bc in enumerate(by_cols) for k, ws in bc.items()}
    held = {(r, c) for i, c in header_labels(pre, n_rows, n_cols, set(range(1, n_rows))) for r in (i - 1, i)}
    label_rows = next(
        (
            r
            for r, bc in enumerate(by_cols)
            if len(set(bc) - {c for rr, c in held if rr == r}) >= max(2, n_cols - 1)
        ),
        0,
    )
    for r, row in enumerate(rows):
        by_col = by_cols[r]
        taken: set[int] = set()
        single_phrase_row = sum(len(ln.phrases) for ln in row) == 1
        for ln in row:
            for p in ln.phrases:
                if not _spanning_phrase(p, edges):
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
                    span = _label_span(p, occupied, by_cols[r + 1], edges, extents, taken)
                    if span is not None:
                        taken.update(range(span[0], span[1] + 1))
                        cells.append(RawCell(r, span[0], 1, span[1] - span[0] + 1, words=list(p.words)))
        for k, ws in by_col.items():
            if k in taken:
                continue
            cells.append(RawCell(r, k, 1, 1, words=ws))
    grid_cells = fill_grid(n_rows, n_cols, _join_header_labels(cells, n_rows, n_cols))
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


# How far off the middle (or the left edge) of the columns it spans a group label may sit (share of their
# width).
LABEL_OFF_CENTRE = 0.1


def _label_span(
    p: Phrase,
    row: dict[int, list[WordLike]],
    below: dict[int, list[WordLike]],
    edges: Sequence[float],
    extents: Sequence[tuple[float, float]],
    taken: set[int],
) -> tuple[int, int] | None:
    """Columns a header label within one column spans: the widest run of columns around it that are empty
    in its row, all filled in the header row below (its sub-labels), and that it is centred over ("Population"
    over "Total Male Female"). None for a label with no such run."""
    cols = {_col_of((w.bbox[0] + w.bbox[2]) / 2, edges) for w in p.words}
    if len(cols) != 1:
        return None
    k = cols.pop()
    own = {id(w) for w in p.words}
    if k in taken or any(id(w) not in own for w in row.get(k, [])) or k not in below:
        return None
    a = k
    while a - 1 >= 0 and a - 1 not in row and a - 1 in below and a - 1 not in taken:
        a -= 1
    b = k
    while b + 1 < len(extents) and b + 1 not in row and b + 1 in below and b + 1 not in taken:
        b += 1
    pc = (p.x0 + p.x1) / 2
    best: tuple[int, int] | None = None
    for s in range(a, k + 1):
        for e in range(k, b + 1):
            x0, x1 = extents[s][0], extents[e][1]
            centred = abs((x0 + x1) / 2 - pc) <= LABEL_OFF_CENTRE * (x1 - x0)
            flush_left = s == k and abs(p.x0 - x0) <= LABEL_OFF_CENTRE * (x1 - x0)
            if e > s and (centred or flush_left) and (best is None or e - s > best[1] - best[0]):
                best = (s, e)
    return best


def _join_header_labels(cells: list[RawCell], n_rows: int, n_cols: int) -> list[RawCell]:
    """``cells`` with header labels centred on two rows (beside a group label over its sub-labels) made
    one cell spanning both."""
    at: dict[tuple[int, int], RawCell] = {}
    words: dict[tuple[int, int], list[WordLike]] = {}
    for c in cells:
        for k in range(c.col, c.col + c.colspan):
            at[(c.row, k)] = c
            words[(c.row, k)] = c.words
    for i, k in sorted(header_labels(words, n_rows, n_cols, set(range(1, n_rows)))):
        up, down = at.get((i - 1, k)), at.get((i, k))
        parts = [c for c in (up, down) if c is not None]
        if any(c.colspan != 1 or c.rowspan != 1 for c in parts):
            continue
        joined = RawCell(i - 1, k, 2, 1, words=[w for c in parts for w in c.words])
        cells = [c for c in cells if all(c is not q for q in parts)] + [joined]
        at[(i - 1, k)] = at[(i, k)] = joined
    return cells


def _cells_run_together(
    p: Phrase, edges: Sequence[float], extents: Sequence[tuple[float, float]], h: float
) -> bool:
    """Two neighbouring cells read as one phrase (tight columns, a missed gap): no word straddles a column
    edge and the phrase starts where its first column's text starts or ends where its last one ends. A
    group header is centred over its columns instead."""
    if any(w.bbox[0] < e < w.bbox[2] for w in p.words for e in edges[1:-1]):
        return False
    cols = sorted({_col_of((w.bbox[0] + w.bbox[2]) / 2, edges) for w in p.words})
    lo, hi = cols[0], cols[-1]
    return abs(p.x0 - extents[lo][0]) < 0.5 * h or abs(p.x1 - extents[hi][1]) < 0.5 * h


def _phrase_is_tight(p: Phrase, min_gap: float) -> bool:
    ws = p.words
    return len(ws) >= 2 and all(b.bbox[0] - a.bbox[2] < 0.5 * min_gap for a, b in itertools.pairwise(ws))
