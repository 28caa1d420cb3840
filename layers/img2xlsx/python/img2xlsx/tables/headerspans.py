"""Header labels that span: a label centred on two header rows spans both, a group label spans the
sub-labels under it; and the test for a label running over a column edge that only the text draws.

Shared by borderless tables and by the columns found inside ruled columns (:mod:`.subcolumns`); the rows
below the header are left to :mod:`.rowspans`.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

from .skeleton import RawCell
from .textlines import Phrase, WordLike

# Header rows where a label centred between two rows spans both, and how close to the middle of the two rows'
# text its centre must lie (in row pitches).
HEADER_ROWS = 3
CENTRED = 0.25


def header_labels(
    cells: dict[tuple[int, int], list[WordLike]], n_rows: int, n_cols: int, text_rows: set[int]
) -> set[tuple[int, int]]:
    """(boundary, column) pairs where a header label spans a row boundary drawn by the text: the label is
    vertically centred between the two rows' other text and its cell in the other row is empty ("Region"
    beside a group label over "Q1 Q2 Q3 Q4"). Boundary i lies between rows i - 1 and i; a cell spanning
    columns gives each of them the same list of words (it counts once towards a full row). Body rows are
    left to :func:`.rowspans.join_row_labels`."""
    out: set[tuple[int, int]] = set()
    # the header: the rows above the first that fills (about) every column, at most HEADER_ROWS of them
    first_full = next(
        (
            r
            for r in range(n_rows)
            if len({id(ws) for c in range(n_cols) if (ws := cells.get((r, c)))}) >= max(2, n_cols - 1)
        ),
        0,
    )
    for i in sorted(text_rows):
        if i > min(first_full, HEADER_ROWS - 1):
            break
        # the two rows' own lines: text of columns filled in both rows (a group label over its sub-labels)
        both = [c for c in range(n_cols) if cells.get((i - 1, c)) and cells.get((i, c))]
        up = _row_centre(cells, i - 1, both)
        down = _row_centre(cells, i, both)
        if up is None or down is None or down <= up:
            continue
        for c in range(n_cols):
            above, below = cells.get((i - 1, c), []), cells.get((i, c), [])
            if bool(above) == bool(below):
                continue
            ws = above or below
            centre = (min(w.bbox[1] for w in ws) + max(w.bbox[3] for w in ws)) / 2
            if abs(centre - (up + down) / 2) <= CENTRED * (down - up):
                out.add((i, c))
    return out


def _row_centre(cells: dict[tuple[int, int], list[WordLike]], r: int, cols: Sequence[int]) -> float | None:
    ys = [(w.bbox[1] + w.bbox[3]) / 2 for c in cols for w in cells.get((r, c), [])]
    return statistics.median(ys) if ys else None


def held_labels(
    by_cols: Sequence[dict[int, list[WordLike]]], n_rows: int, n_cols: int
) -> tuple[set[tuple[int, int]], int]:
    """Positions (row, column) held by header labels centred on two rows (made one cell at the end), and
    the first row that fills about every column besides them (the body's first row)."""
    pre = {(r, k): ws for r, bc in enumerate(by_cols) for k, ws in bc.items()}
    held = {(r, c) for i, c in header_labels(pre, n_rows, n_cols, set(range(1, n_rows))) for r in (i - 1, i)}
    return held, first_full_row(by_cols, held, n_cols)


def first_full_row(by_cols: Sequence[Iterable[int]], held: set[tuple[int, int]], n_cols: int) -> int:
    """The first row whose filled columns (``by_cols[r]``), besides those ``held`` by header labels
    spanning two rows, are about every column: the body's first row (0 if none is)."""
    need = max(2, n_cols - 1)
    return next(
        (r for r, cols in enumerate(by_cols) if len(set(cols) - {c for rr, c in held if rr == r}) >= need), 0
    )


# How far off the middle (or the left edge) of the columns it spans a group label may sit (share of their
# width).
LABEL_OFF_CENTRE = 0.1


def label_span(
    p: Phrase,
    cols: set[int],
    row: dict[int, list[WordLike]],
    below: dict[int, list[WordLike]],
    extents: Sequence[tuple[float, float]],
    taken: set[int],
) -> tuple[int, int] | None:
    """Columns a header label within one column (``cols``: its words' columns) spans: the widest run of
    columns around it that are empty in its row, all filled in the header row below (its sub-labels), and
    that it is centred over or starts with ("Population" over "Total Male Female"). None for a label with
    no such run."""
    if len(cols) != 1:
        return None
    (k,) = cols
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


def join_header_labels(cells: list[RawCell], n_rows: int, n_cols: int) -> list[RawCell]:
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


def straddles(p: Phrase, edges: Sequence[float]) -> bool:
    """One of the phrase's words runs well into both sides of one of ``edges`` (a single-word group label
    centred over two columns: by its centre it would sit in one)."""
    for w in p.words:
        width = max(1, w.bbox[2] - w.bbox[0])
        if any(min(e - w.bbox[0], w.bbox[2] - e) >= 0.25 * width for e in edges):
            return True
    return False
