"""Reading converter workbooks back: merges become spans, used area cropped, numbers keep their type."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from bench.numfmt import render_datetime, render_number
from bench.xlsx_read import read_workbook


def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws["B3"] = "Region"
    ws.merge_cells("C3:D3")
    ws["C3"] = "Revenue"
    ws["B4"] = "North"
    ws["C4"] = 1510
    ws["C4"].number_format = "#,##0"
    ws["D4"] = 0.444
    ws["D4"].number_format = "0.0%"
    ws.merge_cells("B5:B6")
    ws["B5"] = "South"
    ws["C5"] = "12"  # a number stored as text
    ws["D6"] = dt.date(2024, 3, 5)
    ws["D6"].number_format = "mmmm d, yyyy"
    wb.create_sheet("Empty")
    wb.create_sheet("Text")["A1"] = "Loose title line"
    second = wb.create_sheet("Other")
    second["A1"] = "only"
    wb.save(path)
    return path


def test_merged_ranges_become_spans_and_area_is_cropped(tmp_path: Path) -> None:
    tables = read_workbook(_workbook(tmp_path / "t.xlsx"))
    assert [t.name for t in tables] == ["Sales", "Other"]  # the empty sheet is no table
    t = tables[0]
    assert (t.n_rows, t.n_cols) == (4, 3)
    by_pos = {(c.row, c.col): c for c in t.cells}
    assert (by_pos[(0, 1)].rowspan, by_pos[(0, 1)].colspan, by_pos[(0, 1)].text) == (1, 2, "Revenue")
    assert (0, 2) not in by_pos  # covered by the merge
    assert (by_pos[(2, 0)].rowspan, by_pos[(2, 0)].colspan) == (2, 1)
    assert (3, 0) not in by_pos
    assert by_pos[(3, 1)].text == ""  # empty positions are still cells


def test_numbers_are_typed_and_shown_with_their_format(tmp_path: Path) -> None:
    t = read_workbook(_workbook(tmp_path / "t.xlsx"))[0]
    by_pos = {(c.row, c.col): c for c in t.cells}
    assert (by_pos[(1, 1)].numeric, by_pos[(1, 1)].value, by_pos[(1, 1)].text) == (True, 1510.0, "1,510")
    assert (by_pos[(1, 2)].value, by_pos[(1, 2)].text) == (0.444, "44.4%")
    assert (by_pos[(2, 1)].numeric, by_pos[(2, 1)].text) == (False, "12")
    assert by_pos[(3, 2)].text == "March 5, 2024"
    assert not by_pos[(3, 2)].numeric


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (-975, "General", "-975"),
        (0.125, "0.0%", "12.5%"),
        (1234.5, '"$"#,##0.00', "$1,234.50"),
        (-1234.5, '"$"#,##0.0_);("$"#,##0.0)', "($1,234.5)"),
        (1234.5, "[$€-407]#,##0", "€1,235"),
        (2.5, "0.00", "2.50"),
        (0.1 + 0.2, "General", "0.3"),
        (12, "0", "12"),
        (0, '#,##0;-#,##0;"-"', "-"),
    ],
)
def test_number_formats_render_like_excel(value: float, fmt: str, shown: str) -> None:
    assert render_number(value, fmt) == shown


def test_time_formats_distinguish_minutes_from_months() -> None:
    assert render_datetime(dt.time(9, 5), "h:mm AM/PM") == "9:05 AM"
    assert render_datetime(dt.datetime(2024, 3, 5, 14, 30), "dd.mm.yyyy hh:mm") == "05.03.2024 14:30"


def test_quoted_words_in_a_date_format_are_shown_as_written() -> None:
    # the "h" of "tháng" and the "d" of "de" are no date codes inside quotes (Excel shows them as text)
    day = dt.date(2025, 4, 27)
    assert render_datetime(day, '[$-42A]d "tháng" m "năm" yyyy') == "27 tháng 4 năm 2025"
    assert render_datetime(day, '[$-C0A]d "de" mmmm "de" yyyy') == "27 de April de 2025"
    assert render_datetime(day, "d\\-mmm\\-yy") == "27-Apr-25"
