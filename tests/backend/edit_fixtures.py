"""A finished job with a real result (the engine's writers, not OCR) for the edit-route tests, and the edit
payloads they send: one honest edit and the hostile ones."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from img2xlsx.jobs.converter import Conversion
from img2xlsx.model import Cell, Document, Table, TextLine
from img2xlsx.values import type_table
from img2xlsx.writers.json import to_json
from img2xlsx.writers.xlsx import write_xlsx


def recognised_document() -> Document:
    """Two tables as recognition would leave them: a priced list with one doubtful cell, and a small one."""
    prices = Table(
        n_rows=4,
        n_cols=3,
        cells=[
            Cell(0, 0, "Item", confidence=0.95, bbox=(0, 0, 50, 20)),
            Cell(0, 1, "Price", confidence=0.97, bbox=(50, 0, 100, 20)),
            Cell(0, 2, "Date", confidence=0.96, bbox=(100, 0, 150, 20)),
            Cell(1, 0, "Tea", confidence=0.92, bbox=(0, 20, 50, 40)),
            Cell(1, 1, "1,200.00", confidence=0.91, bbox=(50, 20, 100, 40)),
            Cell(1, 2, "2024-03-05", confidence=0.9, bbox=(100, 20, 150, 40)),
            Cell(2, 0, "Coffee", confidence=0.93, bbox=(0, 40, 50, 60)),
            Cell(2, 1, "l,2E4.5O", confidence=0.31, bbox=(50, 40, 100, 60)),  # the misread one
            Cell(2, 2, "2024-03-06", confidence=0.9, bbox=(100, 40, 150, 60)),
            Cell(3, 0, "Milk", confidence=0.9, bbox=(0, 60, 50, 80)),
            Cell(3, 1, "87.25", confidence=0.9, bbox=(50, 60, 100, 80)),
            Cell(3, 2, "", confidence=None, bbox=None),
        ],
        n_header_rows=1,
        bordered=True,
        style="grid",
        bbox=(10, 10, 160, 90),
    )
    small = Table(
        n_rows=2, n_cols=2, cells=[Cell(0, 0, "a"), Cell(0, 1, "b"), Cell(1, 0, "1"), Cell(1, 1, "2")]
    )
    small.page = 0
    for table in (prices, small):
        type_table(table)
    return Document(
        tables=[prices, small],
        lines=[TextLine("Price list", (0, 0, 80, 8), 0.88)],
        pages=[(640, 480)],
        warnings=[],
        source="prices.png",
    )


def document_converter(data: bytes, name: str, *, langs: Sequence[str] = ("eng",)) -> Conversion:
    """A converter that 'recognises' :func:`recognised_document` in any upload."""
    doc = recognised_document()
    buf = io.BytesIO()
    write_xlsx(doc, buf)
    return Conversion(xlsx=buf.getvalue(), json=to_json(doc), tables=len(doc.tables))


def honest_edit() -> dict[str, Any]:
    """The preview's first table as the user fixed it: the misread price typed in again, Coffee renamed,
    the header's first two cells merged, one more header row kept."""
    cells = [
        {"row": 0, "col": 0, "rowspan": 1, "colspan": 2, "text": "Item and price"},
        {"row": 0, "col": 2, "rowspan": 1, "colspan": 1, "text": "Date"},
        {"row": 1, "col": 0, "rowspan": 1, "colspan": 1, "text": "Tea"},
        {"row": 1, "col": 1, "rowspan": 1, "colspan": 1, "text": "1,200.00"},
        {"row": 1, "col": 2, "rowspan": 1, "colspan": 1, "text": "2024-03-05"},
        {"row": 2, "col": 0, "rowspan": 1, "colspan": 1, "text": "Espresso"},
        {"row": 2, "col": 1, "rowspan": 1, "colspan": 1, "text": "1,234.50"},
        {"row": 2, "col": 2, "rowspan": 1, "colspan": 1, "text": "2024-03-06"},
        {"row": 3, "col": 0, "rowspan": 1, "colspan": 1, "text": "Milk"},
        {"row": 3, "col": 1, "rowspan": 1, "colspan": 1, "text": "87.25"},
        {"row": 3, "col": 2, "rowspan": 1, "colspan": 1, "text": ""},
    ]
    return {"nRows": 4, "nCols": 3, "nHeaderRows": 1, "cells": cells}


def with_cells(cells: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"nRows": 4, "nCols": 3, "nHeaderRows": 1, "cells": cells} | fields


def _grid(n_rows: int, n_cols: int, text: str = "x") -> list[dict[str, Any]]:
    return [
        {"row": r, "col": c, "rowspan": 1, "colspan": 1, "text": text}
        for r in range(n_rows)
        for c in range(n_cols)
    ]


def hostile_edits() -> list[tuple[str, Any, str]]:
    """(name, body, words the 400 message holds): wrong shapes, sizes and texts."""
    base = honest_edit()["cells"]
    overlap = [dict(c) for c in base]
    overlap[1] = dict(overlap[1], col=1)  # "Date" now sits inside the merged header
    missing = [c for c in base if (c["row"], c["col"]) != (2, 1)]
    negative = [dict(c) for c in base]
    negative[2] = dict(negative[2], rowspan=-1)
    outside = [dict(c) for c in base]
    outside[10] = dict(outside[10], rowspan=2)
    return [
        ("overlapping cells", with_cells(overlap), "overlaps"),
        ("a position no cell covers", with_cells(missing), "no cell covers row 2, col 1"),
        ("a negative span", with_cells(negative), "rowspan and colspan must be at least 1"),
        ("a span out of the table", with_cells(outside), "outside the table"),
        ("a string row", with_cells([dict(base[0], row="0"), *base[1:]]), "cell 0: row must be an integer"),
        ("a float col", with_cells([dict(base[0], col=0.0), *base[1:]]), "cell 0: col must be an integer"),
        (
            "a boolean span",
            with_cells([dict(base[0], colspan=True), *base[1:]]),
            "colspan must be an integer",
        ),
        ("no text", with_cells([{k: v for k, v in base[0].items() if k != "text"}, *base[1:]]), "text"),
        ("a cell that is no object", with_cells([*base[:-1], "x"]), "cell 10 must be an object"),
        ("cells not a list", with_cells({"0": base[0]}), "cells must be a list"),  # type: ignore[arg-type]
        ("no rows", with_cells(base, nRows=0), "between 1 and 500"),
        ("501 columns", with_cells(_grid(1, 501), nRows=1, nCols=501), "between 1 and 500"),
        ("10 100 positions", with_cells(_grid(101, 100), nRows=101, nCols=100), "at most 10000"),
        ("more cells than positions", with_cells([*base, base[0], base[0]]), "cannot fit"),
        ("too many header rows", with_cells(base, nHeaderRows=5), "nHeaderRows"),
        ("2001 characters", with_cells([*base[:-1], dict(base[-1], text="9" * 2001)]), "longer than 2000"),
        (
            "a control character",
            with_cells([*base[:-1], dict(base[-1], text="a\x00b")]),
            "control characters",
        ),
        ("a string nRows", with_cells(base, nRows="4"), "nRows must be an integer"),
    ]
