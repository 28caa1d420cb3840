"""writers/json_read.py: the stored preview read back into model objects loses nothing to_json wrote."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from img2xlsx.model import Cell, Document, Table, TextLine, TypedValue
from img2xlsx.values import type_table
from img2xlsx.writers.json import to_json
from img2xlsx.writers.json_read import PreviewFormatError, from_json


def _rich_document() -> Document:
    """Every kind of value, spans, header rows, missing boxes and confidences, two pages."""
    texts = [
        ["Region", "Amount", "Share", "Day", "At", "When"],
        ["North", "$1,234.50", "12.5%", "2024-03-05", "14:30", "2024-03-05 14:30"],
        ["South", "(200)", "7%", "05/03/2024", "9:05:10", "2024-03-06 08:00:01"],
        ["=SUM(A1)", "00123", "", "Mar 2024", "", ""],
    ]
    cells = [
        Cell(
            r,
            c,
            t,
            confidence=None if r == 3 else 0.5 + r / 10,
            bbox=None if c == 5 else (c, r, c + 9, r + 9),
        )
        for r, row in enumerate(texts)
        for c, t in enumerate(row)
    ]
    first = Table(
        n_rows=4, n_cols=6, cells=cells, n_header_rows=1, bordered=True, style="grid", bbox=(1, 2, 3, 4)
    )
    merged = Table(
        n_rows=3,
        n_cols=2,
        cells=[
            Cell(0, 0, "Both", colspan=2, header=True),
            Cell(1, 0, "a\nb", rowspan=2),
            Cell(1, 1, "1"),
            Cell(2, 1, "2"),
        ],
        style="zebra",
        page=1,
    )
    for table in (first, merged):
        type_table(table)
    return Document(
        tables=[first, merged],
        lines=[TextLine("Title", (0, 0, 10, 5), 0.87654), TextLine("Note", (0, 9, 10, 12), None, page=1)],
        pages=[(640, 480), (800, 600)],
        warnings=["page 2 was rotated"],
        source="two pages.tiff",
    )


def test_round_trip_is_identical() -> None:
    payload = to_json(_rich_document())
    assert to_json(from_json(copy.deepcopy(payload))) == payload
    text = json.dumps(payload)  # the stored form: dates as strings, tuples as lists
    assert to_json(from_json(json.loads(text))) == payload


def test_values_come_back_as_the_types_the_writers_need() -> None:
    doc = from_json(json.loads(json.dumps(to_json(_rich_document()))))
    grid = {(c.row, c.col): c for c in doc.tables[0].cells}
    assert grid[(1, 3)].value == TypedValue("date", dt.date(2024, 3, 5), grid[(1, 3)].value.number_format)  # type: ignore[union-attr]
    assert isinstance(grid[(1, 4)].value.value, dt.time)  # type: ignore[union-attr]
    assert isinstance(grid[(1, 5)].value.value, dt.datetime)  # type: ignore[union-attr]
    assert grid[(1, 1)].value.value == 1234.5 and grid[(0, 0)].header is True  # type: ignore[union-attr]
    assert grid[(1, 0)].bbox == (0, 1, 9, 10) and grid[(1, 5)].bbox is None
    assert (
        doc.tables[1].page == 1 and doc.tables[1].style == "zebra" and doc.pages == [(640, 480), (800, 600)]
    )
    assert doc.lines[1].confidence is None and doc.lines[0].bbox == (0, 0, 10, 5)


def test_the_optional_cell_fields_are_read_when_present() -> None:
    payload = to_json(_rich_document())
    first = payload["tables"][0]["cells"][7]
    first |= {"formula": "SUM(B2:B3)", "check": "the total does not add up", "edited": True}
    cell = next(
        c for c in from_json(payload).tables[0].cells if (c.row, c.col) == (first["row"], first["col"])
    )
    assert (cell.formula, cell.check, cell.edited) == ("SUM(B2:B3)", "the total does not add up", True)
    plain = from_json(to_json(_rich_document())).tables[0].cells[0]
    assert (plain.formula, plain.check, plain.edited) == (None, None, False)


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.update(schema_version=2),
        lambda p: p["tables"][0].pop("cells"),
        lambda p: p["tables"][0]["cells"][0]["value"].update(kind="money"),
        lambda p: p["tables"][0].update(style="fancy"),
        lambda p: p["tables"][0]["cells"][3]["value"].update(kind="date", value="not a date"),
        lambda p: p["lines"][0].update(bbox=None),
    ],
)
def test_a_damaged_preview_is_a_preview_format_error(damage: object) -> None:
    payload = to_json(_rich_document())
    damage(payload)  # type: ignore[operator]
    with pytest.raises(PreviewFormatError):
        from_json(payload)
