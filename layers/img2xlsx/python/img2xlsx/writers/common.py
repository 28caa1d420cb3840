"""Small helpers shared by the writers."""

from __future__ import annotations

import re

from img2xlsx.model import Cell, Table

LOW_CONFIDENCE = 0.6  # below this a cell is flagged for review (comment in xlsx, class in html)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(text: str) -> str:
    """Drop control characters that xlsx/xml cannot store (OCR sometimes produces them)."""
    return _CONTROL.sub("", text)


def is_low_confidence(cell: Cell) -> bool:
    return cell.confidence is not None and cell.confidence < LOW_CONFIDENCE and bool(cell.text.strip())


def is_header(cell: Cell, n_header_rows: int) -> bool:
    return cell.header or cell.row < n_header_rows


def placed_cells(table: Table) -> list[tuple[Cell, int, int]]:
    """``(cell, rowspan, colspan)`` in row-major order, spans clipped to the grid, overlaps removed.

    The model promises every grid position belongs to exactly one cell; a writer still must not produce a
    corrupt workbook if recognition breaks that promise, so the first cell claiming a position keeps it.
    """
    taken: set[tuple[int, int]] = set()
    out: list[tuple[Cell, int, int]] = []
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        if (
            not (0 <= cell.row < table.n_rows and 0 <= cell.col < table.n_cols)
            or (cell.row, cell.col) in taken
        ):
            continue
        rowspan = max(1, min(cell.rowspan, table.n_rows - cell.row))
        colspan = max(1, min(cell.colspan, table.n_cols - cell.col))
        area = {
            (r, c) for r in range(cell.row, cell.row + rowspan) for c in range(cell.col, cell.col + colspan)
        }
        if area & taken:
            rowspan = colspan = 1
            area = {(cell.row, cell.col)}
        taken |= area
        out.append((cell, rowspan, colspan))
    return out
