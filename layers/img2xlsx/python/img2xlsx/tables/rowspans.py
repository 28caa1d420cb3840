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

from .skeleton import RawCell, RawTable, fill_grid

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
