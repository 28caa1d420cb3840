"""One grid representation for ground-truth tables and workbook sheets, so every metric treats both alike."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_SPACES = re.compile(r"\s+")


def norm_text(text: str) -> str:
    """Compare texts the way a reader would: NFKC, whitespace collapsed, ends trimmed (case kept)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


@dataclass(frozen=True)
class GridCell:
    """A cell anchored at (row, col); ``numeric``: GT numeric body cell, or workbook cell storing a number."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str = ""
    numeric: bool = False
    value: float | None = None


@dataclass
class GridTable:
    """A rectangular table; every grid position belongs to at most one cell."""

    n_rows: int
    n_cols: int
    cells: list[GridCell] = field(default_factory=list)
    name: str = ""
    n_header_rows: int = 0  # GT only (its ``thead`` rows); no metric uses it, diagnostics do

    def owner_grid(self) -> list[list[GridCell | None]]:
        """Grid position → owning cell (spanning cells repeat over the positions they cover)."""
        out: list[list[GridCell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    out[r][c] = cell
        return out

    def rows(self) -> Iterator[list[GridCell]]:
        """Cells anchored in each row, left to right (the HTML ``<tr>`` view)."""
        by_row: list[list[GridCell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            if 0 <= cell.row < self.n_rows:
                by_row[cell.row].append(cell)
        for row in by_row:
            yield sorted(row, key=lambda c: c.col)


def table_from_gt(data: dict[str, Any], name: str = "") -> GridTable:
    """A ground-truth table of the bench JSON format (see the bench README)."""
    cells = [
        GridCell(
            row=int(c["row"]),
            col=int(c["col"]),
            rowspan=int(c.get("rowspan", 1)),
            colspan=int(c.get("colspan", 1)),
            text=norm_text(str(c.get("text", ""))),
            numeric=bool(c.get("numeric", False)),
            value=float(c["value"]) if c.get("numeric") and c.get("value") is not None else None,
        )
        for c in data["cells"]
    ]
    return GridTable(
        n_rows=int(data["n_rows"]),
        n_cols=int(data["n_cols"]),
        cells=cells,
        name=name,
        n_header_rows=int(data.get("n_header_rows", 0)),
    )


def tables_from_gt(doc: dict[str, Any]) -> list[GridTable]:
    """All tables of one ground-truth JSON document, in reading order."""
    return [table_from_gt(t, name=f"GT table {i + 1}") for i, t in enumerate(doc.get("tables", []))]
