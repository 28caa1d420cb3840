"""The recognised document: the one data structure every pipeline stage and every writer agrees on.

Coordinates are pixels of the *loaded* page (after EXIF orientation, before any deskew/rescale done by the
engine), as ``(x0, y0, x1, y1)`` with x1/y1 exclusive, so a client can draw them over the uploaded image.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

BBox = tuple[int, int, int, int]
ValueKind = Literal["empty", "text", "number", "percent", "currency", "date", "time", "datetime"]
TableStyle = Literal["grid", "hrules", "zebra", "plain"]
TextSource = Literal["ocr", "text_layer"]
Scalar = str | int | float | dt.date | dt.time | dt.datetime | None


@dataclass
class TypedValue:
    """What a cell's text means: the value Excel stores and the format it shows it with."""

    kind: ValueKind
    value: Scalar
    number_format: str = "General"


@dataclass
class Cell:
    """One cell of a table grid; spanning cells cover ``rowspan`` by ``colspan`` grid positions."""

    row: int
    col: int
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    confidence: float | None = None  # 0..1, None when nothing was read
    bbox: BBox | None = None
    value: TypedValue | None = None
    header: bool = False
    formula: str | None = None  # Excel formula without "=" ("SUM(B2:B5)"); ``value`` is its cached result
    check: str | None = None  # why the cell is doubtful though the reader was sure (a total not adding up)
    edited: bool = False  # the user changed this cell in the preview


@dataclass
class Table:
    """A rectangular grid of cells; every grid position belongs to exactly one cell."""

    n_rows: int
    n_cols: int
    cells: list[Cell]
    bbox: BBox | None = None
    style: TableStyle = "plain"
    bordered: bool = False  # the source drew cell borders: the workbook draws them too
    n_header_rows: int = 0
    page: int = 0

    def grid(self) -> list[list[Cell | None]]:
        """Grid position → owning cell (a spanning cell appears at every position it covers)."""
        out: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    out[r][c] = cell
        return out


@dataclass
class TextLine:
    """Text outside every table (titles, notes): an image with no table still yields something."""

    text: str
    bbox: BBox
    confidence: float | None = None
    page: int = 0


@dataclass
class Document:
    """Everything recognised in one input file (all its pages)."""

    tables: list[Table] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)  # (width, height) of each loaded page
    warnings: list[str] = field(default_factory=list)
    source: str | None = None
    langs: tuple[str, ...] = ("eng",)  # the languages it was read in (main first): how its values are typed
    kind: Literal["image", "pdf"] = "image"  # what the input was (PDF sheets are named by page)
    # where each page's text came from: "ocr" (read from the picture) or "text_layer" (a PDF's own text)
    text_sources: list[TextSource] = field(default_factory=list)
