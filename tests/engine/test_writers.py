"""Writers: reopen what was written and check it reproduces the recognised document."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from img2xlsx.model import Cell, Document, Table, TextLine, TypedValue
from img2xlsx.values import type_table
from img2xlsx.writers.csv import write_csv
from img2xlsx.writers.html import to_html
from img2xlsx.writers.json import load_schema, to_json, write_json
from img2xlsx.writers.xlsx import TEXT_SHEET_NAME, sheet_names, write_xlsx
from openpyxl import load_workbook


def _sales_table() -> Table:
    """Two header rows (a spanning group header), typed body values, a row-spanning label, one unsure cell."""
    cells = [
        Cell(0, 0, "Region", rowspan=2, header=True, confidence=0.97),
        Cell(0, 1, "2024", colspan=2, header=True, confidence=0.95),
        Cell(0, 3, "Updated", rowspan=2, header=True),
        Cell(1, 1, "Revenue", header=True),
        Cell(1, 2, "Margin", header=True),
        Cell(2, 0, "North", rowspan=2, confidence=0.9),
        Cell(2, 1, "$1,234.50", confidence=0.93),
        Cell(2, 2, "12.5%", confidence=0.41),  # low confidence → comment
        Cell(2, 3, "2024-03-05"),
        Cell(3, 1, "(200)"),
        Cell(3, 2, "7%"),
        Cell(3, 3, "14:30"),
        Cell(4, 0, "=SUM(A1:A2)"),  # text that must not become a formula
        Cell(4, 1, "00123"),
        Cell(4, 2, ""),
        Cell(4, 3, "<b>&</b>"),
    ]
    table = Table(
        n_rows=5, n_cols=4, cells=cells, n_header_rows=2, bordered=True, style="grid", bbox=(5, 6, 400, 300)
    )
    type_table(table)
    return table


def _doc() -> Document:
    second = Table(
        n_rows=2, n_cols=2, cells=[Cell(0, 0, "a"), Cell(0, 1, "b"), Cell(1, 0, "1"), Cell(1, 1, "2")]
    )
    type_table(second)
    return Document(
        tables=[_sales_table(), second],
        lines=[TextLine("Quarterly report", (1, 2, 3, 4), 0.9)],
        pages=[(640, 480)],
        warnings=["page was skewed by 3°"],
        source="report.png",
    )


# ------------------------------------------------------------------------------------------------- xlsx


def test_xlsx_reproduces_structure_types_and_formats(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_xlsx(_doc(), path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Table 1", "Table 2"]
    ws = wb["Table 1"]
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:A2", "A3:A4", "B1:C1", "D1:D2"]
    assert ws["B3"].value == 1234.5 and ws["B3"].data_type == "n" and ws["B3"].number_format == '"$"#,##0.00'
    assert ws["B4"].value == -200 and ws["B4"].number_format == "#,##0;(#,##0)"  # column shows grouping
    assert ws["C3"].value == pytest.approx(0.125) and ws["C3"].number_format == "0.0%"
    assert isinstance(ws["D3"].value, dt.datetime) and ws["D3"].value.date() == dt.date(2024, 3, 5)
    assert ws["D3"].number_format == "yyyy-mm-dd"
    assert ws["D4"].value == dt.time(14, 30) and ws["D4"].number_format == "hh:mm"
    assert ws["A5"].value == "=SUM(A1:A2)" and ws["A5"].data_type == "s"
    assert ws["B5"].value == "00123" and ws["B5"].data_type == "s"
    assert ws["C5"].value is None
    assert ws["D5"].value == "<b>&</b>"
    # header rows bold and frozen below them
    assert ws["A1"].font.b and ws["B2"].font.b and not ws["B3"].font.b
    assert ws.freeze_panes == "A3"
    # borders drawn because the source had them
    assert ws["B3"].border.left.style == "thin"
    # the unsure cell carries its confidence, the sure ones nothing
    assert ws["C3"].comment is not None and "41%" in ws["C3"].comment.text
    assert ws["B3"].comment is None
    # widths follow content: the header "Updated" column is wider than the minimum
    assert ws.column_dimensions["D"].width >= len("2024-03-05")
    other = wb["Table 2"]
    assert other["A2"].value == 1 and other.freeze_panes is None and other["A1"].border.left.style is None


def test_xlsx_to_a_file_object_and_without_tables() -> None:
    doc = Document(
        lines=[TextLine("Hello", (0, 0, 5, 5)), TextLine("=1+1", (0, 6, 5, 9))], warnings=["no table found"]
    )
    buf = io.BytesIO()
    write_xlsx(doc, buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == [TEXT_SHEET_NAME]
    ws = wb[TEXT_SHEET_NAME]
    assert [ws["A1"].value, ws["A2"].value] == ["Hello", "=1+1"] and ws["A2"].data_type == "s"


def test_xlsx_untyped_cells_fall_back_to_text_and_strip_control_chars(tmp_path: Path) -> None:
    table = Table(n_rows=1, n_cols=2, cells=[Cell(0, 0, "a\x07b"), Cell(0, 1, "42")])  # type_table not run
    path = tmp_path / "x.xlsx"
    write_xlsx(Document(tables=[table]), path)
    ws = load_workbook(path).active
    assert ws is not None and ws["A1"].value == "ab" and ws["B1"].value == "42"


def test_xlsx_multi_line_cells_wrap(tmp_path: Path) -> None:
    table = Table(1, 1, [Cell(0, 0, "first line\nsecond line")])
    type_table(table)
    path = tmp_path / "wrap.xlsx"
    write_xlsx(Document(tables=[table]), path)
    ws = load_workbook(path)["Table 1"]
    assert ws["A1"].value == "first line\nsecond line" and ws["A1"].alignment.wrap_text


def test_sheet_names_are_unique_and_per_page() -> None:
    tables = [Table(1, 1, [Cell(0, 0, "x")], page=p) for p in (0, 0, 1)]
    assert sheet_names(Document(tables=tables)) == ["Page 1 Table 1", "Page 1 Table 2", "Page 2 Table 1"]
    assert sheet_names(Document(tables=tables[:2])) == ["Table 1", "Table 2"]


# ------------------------------------------------------------------------------------------------- json


def test_json_validates_against_the_schema_and_keeps_everything(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = to_json(_doc())
    jsonschema.Draft202012Validator.check_schema(load_schema())
    jsonschema.validate(data, load_schema())
    table = data["tables"][0]
    assert table["bbox"] == [5, 6, 400, 300] and table["n_header_rows"] == 2 and table["bordered"] is True
    assert [t["sheet"] for t in data["tables"]] == ["Table 1", "Table 2"]
    by_pos = {(c["row"], c["col"]): c for c in table["cells"]}
    assert by_pos[(0, 1)]["colspan"] == 2 and by_pos[(0, 1)]["header"] is True
    assert by_pos[(2, 1)]["value"] == {"kind": "currency", "value": 1234.5, "number_format": '"$"#,##0.00'}
    assert by_pos[(2, 3)]["value"]["value"] == "2024-03-05"
    assert by_pos[(3, 3)]["value"]["value"] == "14:30:00"
    assert by_pos[(2, 2)]["confidence"] == 0.41
    assert data["pages"] == [{"index": 0, "width": 640, "height": 480}]
    assert data["warnings"] == ["page was skewed by 3°"] and data["lines"][0]["text"] == "Quarterly report"
    path = tmp_path / "doc.json"
    write_json(_doc(), path)
    assert json.loads(path.read_text(encoding="utf-8")) == data


def test_json_schema_rejects_a_broken_document() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = to_json(_doc())
    data["tables"][0]["cells"][6]["value"] = {"kind": "number", "value": "12", "number_format": "0"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, load_schema())


def test_json_datetime_and_untyped() -> None:
    cell = Cell(0, 0, "2024-03-05 08:15", value=TypedValue("datetime", dt.datetime(2024, 3, 5, 8, 15), "x"))
    data = to_json(Document(tables=[Table(1, 2, [cell, Cell(0, 1, "raw")])]))
    cells = data["tables"][0]["cells"]
    assert cells[0]["value"]["value"] == "2024-03-05T08:15:00" and cells[1]["value"] is None


# -------------------------------------------------------------------------------------------------- csv


def test_csv_one_file_per_table(tmp_path: Path) -> None:
    paths = write_csv(_doc(), tmp_path, "report")
    assert [p.name for p in paths] == ["report_table1.csv", "report_table2.csv"]
    with paths[0].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 5 and all(len(r) == 4 for r in rows)
    assert rows[0] == ["Region", "2024", "", "Updated"]  # spans: text top-left, covered positions empty
    assert rows[2][1:3] == ["$1,234.50", "12.5%"]
    assert rows[4][0] == "'=SUM(A1:A2)"  # neutralised formula
    assert paths[0].read_bytes().startswith(b"\xef\xbb\xbf")


def test_csv_single_table_and_no_table(tmp_path: Path) -> None:
    one = Table(1, 2, [Cell(0, 0, "-5"), Cell(0, 1, "-x")])
    type_table(one)
    (path,) = write_csv(Document(tables=[one]), tmp_path, "one")
    assert path.name == "one.csv"
    assert path.read_text(encoding="utf-8-sig").strip() == "-5,'-x"
    (lines,) = write_csv(Document(lines=[TextLine("just text", (0, 0, 1, 1))]), tmp_path / "sub", "none")
    assert lines.read_text(encoding="utf-8-sig").strip() == "just text"


# ------------------------------------------------------------------------------------------------- html


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th"):
            self.cells.append((tag, dict(attrs)))
            self.text.append("")

    def handle_data(self, data: str) -> None:
        if self.text:
            self.text[-1] += data


def test_html_spans_headers_and_escaping() -> None:
    html = to_html(_doc())
    assert html.startswith("<!DOCTYPE html>") and html.count("<table") == 2
    assert "<b>&</b>" not in html and "&lt;b&gt;&amp;&lt;/b&gt;" in html
    parser = _Collector()
    parser.feed(to_html(_doc(), full_page=False))
    first = parser.cells[:16]
    assert first[0] == ("th", {"rowspan": "2"})
    assert first[1] == ("th", {"colspan": "2"})
    assert sum(tag == "th" for tag, _ in first) == 5
    low = [attrs for _, attrs in first if "low-confidence" in (attrs.get("class") or "")]
    assert len(low) == 1 and "41%" in (low[0].get("title") or "")
    assert "<b>&</b>" in [t.strip() for t in parser.text]


def test_html_without_tables_lists_the_text() -> None:
    html = to_html(
        Document(lines=[TextLine("a < b", (0, 0, 1, 1))], warnings=["no table found"]), full_page=False
    )
    assert "<table" not in html and "a &lt; b" in html and "no table found" in html


def test_broken_grids_still_give_valid_files(tmp_path: Path) -> None:
    """Overlapping spans, spans past the edge, cells outside the grid: clipped, never a corrupt workbook."""
    cells = [
        Cell(0, 0, "wide", colspan=5),  # past the right edge → clipped to 3 columns
        Cell(0, 1, "hidden"),  # inside the span above → dropped
        Cell(1, 0, "tall", rowspan=2),
        Cell(1, 1, "clash", rowspan=1, colspan=2),
        Cell(2, 0, "again"),  # inside "tall" → dropped
        Cell(2, 1, "x", colspan=2),
        Cell(7, 7, "outside"),
    ]
    table = Table(3, 3, cells)
    type_table(table)
    path = tmp_path / "broken.xlsx"
    write_xlsx(Document(tables=[table]), path)
    ws = load_workbook(path)["Table 1"]
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:C1", "A2:A3", "B2:C2", "B3:C3"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert values == ["wide", "tall", "clash", "x"]
    parser = _Collector()
    parser.feed(to_html(Document(tables=[table]), full_page=False))
    assert parser.cells[0][1] == {"colspan": "3"}
    assert len(parser.cells) == 4
    spans = [
        (c["row"], c["col"], c["rowspan"], c["colspan"])
        for c in to_json(Document(tables=[table]))["tables"][0]["cells"]
    ]
    assert spans == [(0, 0, 1, 3), (1, 0, 2, 1), (1, 1, 1, 2), (2, 1, 1, 2)]
    (csv_path,) = write_csv(Document(tables=[table]), tmp_path, "broken")
    assert csv_path.read_text(encoding="utf-8-sig").splitlines() == ["wide,,", "tall,clash,", ",x,"]
