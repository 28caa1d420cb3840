"""Row labels that span several unruled rows: a first-column label centred on the rows it groups.

Where rows are not ruled, a label covering a run of rows is only told by where it sits: vertically centred
on its run, so between two rows when the run is even, level with the middle row when it is odd, with the
rest of the run's first column empty. Labels placed level with the first row of their group (a common
print style) look the same as single-row labels, so spans are only made where at least one label of the
column sits clearly between rows: the column is centred, and every label then covers the run it is centred
on.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence

from .skeleton import RawCell, RawTable, fill_grid
from .textlines import WordLike

# How far (in row pitches) a label's centre must lie from its row's centre to sit between rows, and how
# close the middle of a run must come to the label's centre to be the run it is centred on.
BETWEEN = 0.3
CENTRED = 0.2


def _centre(cell: RawCell) -> float:
    return (min(w.bbox[1] for w in cell.words) + max(w.bbox[3] for w in cell.words)) / 2


def join_row_labels(table: RawTable, first_body: int) -> RawTable:
    """``table`` with its first-column labels spanning the body rows they are centred on (rows from
    ``first_body`` on); unchanged when no label sits between rows."""
    n_rows, n_cols = table.n_rows, table.n_cols
    if n_cols < 3 or n_rows - first_body < 3:
        return table
    first: dict[int, RawCell] = {}
    rest: dict[int, list[float]] = {}
    for c in table.cells:
        if c.row < first_body:
            continue
        if c.col == 0:
            if c.rowspan != 1 or c.colspan != 1:
                return table  # spans drawn by rules or found otherwise: not this layout
            first[c.row] = c
        elif c.words and c.rowspan == 1:
            rest.setdefault(c.row, []).extend((w.bbox[1] + w.bbox[3]) / 2 for w in c.words)
    ys = {r: statistics.median(v) for r, v in rest.items()}
    rows = sorted(ys)
    if len(rows) < 3:
        return table
    steps = [ys[b] - ys[a] for a, b in itertools.pairwise(rows) if b == a + 1]
    pitch = statistics.median(steps) if steps else 0.0
    if pitch <= 0:
        return table
    labels = [r for r in sorted(first) if first[r].words and r in ys]
    if not any(abs(_centre(first[r]) - ys[r]) > BETWEEN * pitch for r in labels):
        return table
    free = {r for r in rows if r in first and not first[r].words}
    spans: list[tuple[int, int]] = []
    for r in labels:
        yl = _centre(first[r])
        a = r
        while a - 1 in free:
            a -= 1
        b = r
        while b + 1 in free:
            b += 1
        best: tuple[int, int] | None = None
        for s in range(a, r + 1):
            for e in range(r, b + 1):
                if abs((ys[s] + ys[e]) / 2 - yl) <= CENTRED * pitch and (
                    best is None or e - s > best[1] - best[0]
                ):
                    best = (s, e)
        if best is None or best[1] == best[0]:
            continue
        free -= set(range(best[0], best[1] + 1))
        spans.append(best)
    if not spans:
        return table
    covered = {r for s, e in spans for r in range(s, e + 1)}
    cells = [c for c in table.cells if not (c.col == 0 and c.row in covered)]
    for s, e in spans:
        label = next(first[r] for r in range(s, e + 1) if first[r].words)
        x0, y0 = first[s].bbox[0], first[s].bbox[1]
        x1, y1 = first[e].bbox[2], first[e].bbox[3]
        cells.append(RawCell(s, 0, e - s + 1, 1, bbox=(x0, y0, x1, y1), words=label.words))
    table.cells = fill_grid(n_rows, n_cols, cells)
    return table


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
