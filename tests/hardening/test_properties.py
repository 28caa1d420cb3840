"""Item 2: properties of the value typing and of the workbook writer, over generated tables.

* type_table never raises, types every cell, and only produces values an Excel cell can hold;
* any recognised table round-trips through xlsx: same sheets, same cells, same spans, same values and
  number formats (and the JSON preview of the same document is strict JSON).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from img2xlsx.model import Cell, Document, Table, TypedValue
from img2xlsx.values import parse_value, type_table
from img2xlsx.writers.common import clean_text
from img2xlsx.writers.json import to_json
from img2xlsx.writers.xlsx import sheet_names, write_xlsx
from openpyxl import load_workbook

EXCEL_FIRST_DAY = dt.date(1900, 1, 1)
EXCEL_MAX = 1e308
ONE_MS = dt.timedelta(milliseconds=1)
FAST = settings(
    max_examples=int(os.environ.get("HARDENING_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Text as OCR may hand it over: any character but lone surrogates, with numbers, dates and symbols mixed in.
ocr_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=24),
    st.from_regex(r"[-+($€£]{0,2}[0-9][0-9 ,.'/:E-]{0,14}[%)]?", fullmatch=True),
    st.dates().map(lambda d: d.strftime(str((d.toordinal() % 4 and "%d.%m.%Y") or "%Y-%m-%d"))),
)


# ---- value typing ----------------------------------------------------------------------------------------


def _check_storable(typed: TypedValue, text: str) -> None:
    value = typed.value
    if typed.kind == "empty":
        assert value is None and not text.strip()
    elif typed.kind == "text":
        assert isinstance(value, str)
    elif typed.kind in ("number", "currency", "percent"):
        assert isinstance(value, int | float) and not isinstance(value, bool), typed
        assert math.isfinite(value) and abs(value) < EXCEL_MAX, (text, typed)
    elif typed.kind in ("date", "datetime"):
        day = value.date() if isinstance(value, dt.datetime) else value
        assert isinstance(day, dt.date) and day >= EXCEL_FIRST_DAY, (text, typed)
        assert (typed.kind == "datetime") == isinstance(value, dt.datetime)
    else:
        assert typed.kind == "time" and isinstance(value, dt.time), typed
    assert typed.number_format


@given(ocr_text)
def test_parse_value_only_yields_what_a_cell_can_hold(text: str) -> None:
    _check_storable(parse_value(text), text)


@given(st.lists(st.lists(ocr_text, min_size=1, max_size=4), min_size=1, max_size=6), st.integers(0, 2))
@FAST
def test_type_table_types_every_cell_and_is_stable(rows: list[list[str]], n_header: int) -> None:
    n_cols = max(len(r) for r in rows)
    cells = [Cell(r, c, row[c] if c < len(row) else "") for r, row in enumerate(rows) for c in range(n_cols)]
    table = Table(len(rows), n_cols, cells, n_header_rows=min(n_header, len(rows)))
    type_table(table)
    for cell in table.cells:
        assert cell.value is not None
        _check_storable(cell.value, cell.text)
        if cell.value.kind == "text":
            assert cell.value.value == cell.text.strip()
        if cell.header:
            assert cell.value.kind in ("text", "empty")
    first = [(c.value, c.header) for c in table.cells]
    type_table(table)
    assert [(c.value, c.header) for c in table.cells] == first


# ---- the workbook writer ---------------------------------------------------------------------------------

typed_values = st.one_of(
    st.builds(lambda t: TypedValue("text", t), st.text(st.characters(codec="utf-8"), max_size=30)),
    st.builds(
        lambda v, f: TypedValue("number", v, f),
        st.integers(-(10**15) + 1, 10**15 - 1),
        st.sampled_from(["0", "#,##0"]),
    ),
    st.builds(
        lambda v, f: TypedValue("number", v, f),
        st.floats(-1e300, 1e300, allow_nan=False, allow_subnormal=False),
        st.sampled_from(["0.00", "#,##0.0", "0.00E+00"]),
    ),
    st.builds(
        lambda v: TypedValue("percent", v, "0.0%"), st.floats(-10, 10, allow_nan=False, allow_subnormal=False)
    ),
    st.builds(
        lambda v, f: TypedValue("currency", v, f),
        st.integers(-(10**12), 10**12) | st.floats(-1e12, 1e12, allow_nan=False, allow_subnormal=False),
        st.sampled_from(['"$"#,##0.00', '#,##0.00" €"', '"£"0;("£"0)']),
    ),
    st.builds(
        lambda v, f: TypedValue("date", v, f),
        st.dates(EXCEL_FIRST_DAY, dt.date(9999, 12, 31)),
        st.sampled_from(["yyyy-mm-dd", "dd.mm.yyyy", "d mmm yyyy"]),
    ),
    st.builds(lambda v: TypedValue("time", v, "hh:mm:ss"), st.times()),
    st.builds(
        lambda v: TypedValue("datetime", v, "yyyy-mm-dd hh:mm"),
        st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 30)),
    ),
    st.just(TypedValue("empty", None)),
)


@st.composite
def tables(draw: st.DrawFn, page: int = 0) -> Table:
    """A grid partitioned into cells, some spanning several rows/columns, with typed values."""
    n_rows, n_cols = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    owner = [[False] * n_cols for _ in range(n_rows)]
    cells: list[Cell] = []
    for r in range(n_rows):
        for c in range(n_cols):
            if owner[r][c]:
                continue
            width = 1
            while c + width < n_cols and not owner[r][c + width]:
                width += 1
            colspan = draw(st.just(1) | st.integers(1, width))
            rowspan = draw(st.just(1) | st.integers(1, n_rows - r))
            while any(owner[r + rowspan - 1][c : c + colspan]):
                rowspan -= 1
            for rr in range(r, r + rowspan):
                for cc in range(c, c + colspan):
                    owner[rr][cc] = True
            value = draw(typed_values)
            text = value.value if isinstance(value.value, str) else str(value.value or "")
            cells.append(
                Cell(r, c, text, rowspan, colspan, confidence=draw(st.none() | st.floats(0, 1)), value=value)
            )
    n_header = draw(st.integers(0, min(2, n_rows)))
    return Table(n_rows, n_cols, cells, n_header_rows=n_header, bordered=draw(st.booleans()), page=page)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    n_pages = draw(st.integers(1, 2))
    doc_tables = [
        draw(tables(page=draw(st.integers(0, n_pages - 1)))) for _ in range(draw(st.integers(1, 3)))
    ]
    doc_tables.sort(key=lambda t: t.page)
    return Document(tables=doc_tables, pages=[(800, 600)] * n_pages, source="generated.png")


def _expected(value: TypedValue) -> Any:
    if value.kind in ("text", "empty"):
        text = clean_text(str(value.value or "")).strip()
        # XML reads every line end as LF; a CR from OCR is a line break either way
        return text.replace("\r\n", "\n").replace("\r", "\n") or None
    return value.value


def _same(got: Any, want: Any, kind: str) -> bool:
    if kind == "date":
        return isinstance(got, dt.datetime) and got.date() == want and got.time() == dt.time(0)
    if kind == "datetime":
        return isinstance(got, dt.datetime) and abs(got - want) <= ONE_MS
    if kind == "time":
        base = dt.datetime(2000, 1, 1)
        return (
            isinstance(got, dt.time)
            and abs(dt.datetime.combine(base, got) - dt.datetime.combine(base, want)) <= ONE_MS
        )
    if isinstance(want, float):
        return isinstance(got, int | float) and math.isclose(got, want, rel_tol=1e-15, abs_tol=0)
    return bool(got == want and type(got) is type(want))


@given(documents())
@FAST
def test_any_table_round_trips_through_xlsx(doc: Document) -> None:
    buf = io.BytesIO()
    write_xlsx(doc, buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == sheet_names(doc)
    assert len(set(map(str.lower, wb.sheetnames))) == len(doc.tables)
    assert all(0 < len(name) <= 31 for name in wb.sheetnames)
    for table, ws in zip(doc.tables, wb.worksheets, strict=True):
        merged = {(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges}
        spans = {
            (c.row + 1, c.col + 1, c.row + c.rowspan, c.col + c.colspan)
            for c in table.cells
            if c.rowspan > 1 or c.colspan > 1
        }
        assert merged == spans
        anchors = {(c.row, c.col) for c in table.cells}
        for cell in table.cells:
            assert cell.value is not None
            got = ws.cell(cell.row + 1, cell.col + 1)
            want = _expected(cell.value)
            if want is None:
                assert got.value is None, (cell, got.value)
                continue
            assert _same(got.value, want, cell.value.kind), (cell.value, got.value)
            if cell.value.kind not in ("text", "empty"):
                assert got.number_format == cell.value.number_format
            else:
                assert got.data_type == "s"  # text that looks like "=1+1" is never a formula
        for r in range(table.n_rows):
            for c in range(table.n_cols):
                if (r, c) not in anchors:
                    assert ws.cell(r + 1, c + 1).value is None
    json.dumps(to_json(doc), allow_nan=False)  # the preview is strict JSON (no NaN/Infinity)
