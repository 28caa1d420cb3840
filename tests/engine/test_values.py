"""Typed values: what becomes a number/date/time, with which Excel format, and what must stay text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from img2xlsx.model import Cell, Table
from img2xlsx.values import ColumnHints, infer_hints, parse_value, type_table


@pytest.mark.parametrize(
    ("text", "kind", "value", "fmt"),
    [
        ("1234", "number", 1234, "0"),
        ("-975", "number", -975, "0"),
        ("\u221212", "number", -12, '0;"\u2212"0'),  # unicode minus, shown as printed
        ("(12)", "number", -12, "0;(0)"),
        ("1,510", "number", 1510, "#,##0"),
        ("1,234.56", "number", 1234.56, "#,##0.00"),
        ("16.5", "number", 16.5, "0.0"),
        ("1.000", "number", 1.0, "0.000"),
        ("0.00", "number", 0.0, "0.00"),
        ("$103,000", "currency", 103000, '"$"#,##0'),
        ("-$1,234.5", "currency", -1234.5, '"$"#,##0.0'),
        ("$-7", "currency", -7, '"$"0'),
        ("(€6)", "currency", -6, '"€"0;("€"0)'),
        ("($9,603,717.8)", "currency", -9603717.8, '"$"#,##0.0;("$"#,##0.0)'),
        ("£15.86", "currency", 15.86, '"£"0.00'),
        ("¥500", "currency", 500, '"¥"0'),
        ("12.50 €", "currency", 12.5, '0.00" €"'),
        ("USD 1,200", "currency", 1200, '"USD "#,##0'),
        ("EUR1,200.5", "currency", 1200.5, '"EUR"#,##0.0'),
        ("1,200 EUR", "currency", 1200, '#,##0" EUR"'),
        ("44.4%", "percent", 0.444, "0.0%"),
        ("5%", "percent", 0.05, "0%"),
        ("-9.9 %", "percent", -0.099, "0.0 %"),  # the space is kept as the picture shows it
        ("(9.5%)", "percent", -0.095, "0.0%;(0.0%)"),
        ("1.5E-05", "number", 1.5e-05, "0.0E+00"),
    ],
)
def test_numbers(text: str, kind: str, value: float, fmt: str) -> None:
    typed = parse_value(text)
    assert (typed.kind, typed.number_format) == (kind, fmt)
    assert typed.value == pytest.approx(value, rel=1e-12, abs=0)
    assert type(typed.value) is type(value)


@pytest.mark.parametrize(
    "text",
    [
        "00123",
        "0123.5",
        "(319) 235-5652",
        "+1 571 781 8421",
        "028 6659 4502",
        "SKU-00412",
        "E4518",
        "4E12",
        "1.2.3",
        "12345678901234567",
        "1234567890.1234567",
        "9:30 AM - 5:00 PM",
        "1.38 (4.79)",
        "12 (30%)",
        "Room 101",
        "Wed, Jun 12",
        "P/N 44-512",
        "12.5*",
        "1,23,4",
        "$",
        "-",
        "(  )",
        "Total",
    ],
)
def test_text_that_only_looks_numeric_stays_text(text: str) -> None:
    typed = parse_value(text)
    assert typed.kind == "text" and typed.value == text


def test_empty() -> None:
    assert parse_value("   ").kind == "empty" and parse_value("").value is None


@pytest.mark.parametrize(
    ("text", "kind", "value", "fmt"),
    [
        ("2024-03-05", "date", dt.date(2024, 3, 5), "yyyy-mm-dd"),
        ("2024/3/5", "date", dt.date(2024, 3, 5), "yyyy/mm/dd"),
        ("17.06.2024", "date", dt.date(2024, 6, 17), "dd.mm.yyyy"),
        ("5 Mar 2024", "date", dt.date(2024, 3, 5), "d mmm yyyy"),
        ("19 Feb 2012", "date", dt.date(2012, 2, 19), "d mmm yyyy"),
        ("05-Mar-2024", "date", dt.date(2024, 3, 5), "dd-mmm-yyyy"),
        ("Mar 5, 2024", "date", dt.date(2024, 3, 5), "mmm d, yyyy"),
        ("Mar 05 2024", "date", dt.date(2024, 3, 5), "mmm dd yyyy"),
        ("05-Mar-24", "date", dt.date(2024, 3, 5), "dd-mmm-yy"),
        ("March 15, 2024", "date", dt.date(2024, 3, 15), "mmmm d, yyyy"),
        ("Tue, 5 March 2024", "date", dt.date(2024, 3, 5), "d mmmm yyyy"),
        ("14:30", "time", dt.time(14, 30), "hh:mm"),
        ("9:05:30", "time", dt.time(9, 5, 30), "h:mm:ss"),
        ("2:30 PM", "time", dt.time(14, 30), "h:mm AM/PM"),
        ("12:15 am", "time", dt.time(0, 15), "h:mm AM/PM"),
        ("2024-03-05T14:30:00Z", "datetime", dt.datetime(2024, 3, 5, 14, 30), "yyyy-mm-dd hh:mm:ss"),
        ("2024-03-05 08:15", "datetime", dt.datetime(2024, 3, 5, 8, 15), "yyyy-mm-dd hh:mm"),
    ],
)
def test_dates_and_times(text: str, kind: str, value: object, fmt: str) -> None:
    typed = parse_value(text)
    assert (typed.kind, typed.value, typed.number_format) == (kind, value, fmt)


@pytest.mark.parametrize(
    "text", ["2024-02-30", "31/31/2024", "25:61", "13:00 PM", "Foo 5, 2024", "32 Mar 2024"]
)
def test_impossible_dates_stay_text(text: str) -> None:
    assert parse_value(text).kind == "text"


def _column_table(texts: list[str], header: str = "Value") -> Table:
    cells = [Cell(row=0, col=0, text=header, header=True)]
    cells += [Cell(row=i + 1, col=0, text=t) for i, t in enumerate(texts)]
    return Table(n_rows=len(texts) + 1, n_cols=1, cells=cells, n_header_rows=1)


def _values(table: Table) -> list[object]:
    return [c.value.value if c.value else None for c in table.cells[1:]]


def test_decimal_comma_is_decided_by_the_column() -> None:
    european = _column_table(["1.234,56", "1.234", "12,5"])
    type_table(european)
    assert _values(european) == [1234.56, 1234, 12.5]
    english = _column_table(["1,234.56", "1,234", "12.5"])
    type_table(english)
    assert _values(english) == [1234.56, 1234, 12.5]
    ambiguous = _column_table(["1,234", "2,500"])  # no evidence: the common convention
    type_table(ambiguous)
    assert _values(ambiguous) == [1234, 2500]


def test_day_first_is_decided_by_the_column() -> None:
    day_first = _column_table(["05/03/2024", "25/03/2024"])
    type_table(day_first)
    assert _values(day_first) == [dt.date(2024, 3, 5), dt.date(2024, 3, 25)]
    assert day_first.cells[1].value is not None and day_first.cells[1].value.number_format == "dd/mm/yyyy"
    month_first = _column_table(["05/03/2024", "12/25/2024"])
    type_table(month_first)
    assert _values(month_first) == [dt.date(2024, 5, 3), dt.date(2024, 12, 25)]


def test_space_grouping_only_when_the_column_agrees() -> None:
    numeric = _column_table(["1 234", "5 678 901", "12", "950"])
    type_table(numeric)
    assert _values(numeric) == [1234, 5678901, 12, 950]
    assert parse_value("1 234").kind == "text"  # alone, it could be two values run together
    wordy = _column_table(["1 234", "Room 5", "see note", "n/a"])
    type_table(wordy)
    assert _values(wordy)[0] == "1 234"


def test_header_rows_stay_text_and_id_columns_keep_integers_as_text() -> None:
    table = Table(
        n_rows=3,
        n_cols=2,
        n_header_rows=1,
        cells=[
            Cell(0, 0, "Employee ID", header=True),
            Cell(0, 1, "2024"),  # a year heading: header row, so text
            Cell(1, 0, "10234"),
            Cell(1, 1, "1,200"),
            Cell(2, 0, "10235"),
            Cell(2, 1, ""),
        ],
    )
    type_table(table)
    kinds = [(c.text, c.value.kind if c.value else None) for c in table.cells]
    assert kinds == [
        ("Employee ID", "text"),
        ("2024", "text"),
        ("10234", "text"),
        ("1,200", "number"),
        ("10235", "text"),
        ("", "empty"),
    ]
    assert infer_hints(["1", "2"], "Amount").integers_as_text is False


def test_column_with_grouping_shows_grouping_everywhere() -> None:
    table = _column_table(["1,234", "56", "5678"])
    type_table(table)
    assert [c.value.number_format for c in table.cells[1:] if c.value] == ["#,##0", "#,##0", "0"]


# ------------------------------------------------------------------------------------ property tests

amounts = st.decimals(min_value=Decimal("-999999999999"), max_value=Decimal("999999999999"), places=2)


def _format_grouped(value: Decimal, places: int, group: str, mark: str) -> str:
    text = f"{abs(value):,.{places}f}"  # 1,234,567.89
    text = text.replace(",", "\0").replace(".", mark).replace("\0", group)
    return ("-" if value < 0 else "") + text


@given(amounts, st.integers(min_value=0, max_value=2), st.sampled_from([(",", "."), (".", ","), ("'", ".")]))
def test_grouped_numbers_round_trip(value: Decimal, places: int, convention: tuple[str, str]) -> None:
    group, mark = convention
    shown = value.quantize(Decimal(1).scaleb(-places))
    text = _format_grouped(shown, places, group, mark)
    hints = ColumnHints(decimal="," if mark == "," else ".")
    typed = parse_value(text, hints)
    assert typed.kind == "number", text
    assert Decimal(str(typed.value)) == shown
    assert typed.number_format.endswith("0" * places if places else "0")


@given(amounts, st.sampled_from(["$", "€", "£"]), st.booleans())
def test_currency_round_trip(value: Decimal, symbol: str, parens: bool) -> None:
    body = f"{symbol}{abs(value):,.2f}"
    text = f"({body})" if parens and value < 0 else ("-" if value < 0 else "") + body
    typed = parse_value(text)
    assert typed.kind == "currency" and Decimal(str(typed.value)) == value
    assert symbol in typed.number_format


@given(st.decimals(min_value=Decimal("-1000"), max_value=Decimal("1000"), places=1))
def test_percent_round_trip(value: Decimal) -> None:
    typed = parse_value(f"{value}%")
    assert typed.kind == "percent"
    assert typed.value == pytest.approx(float(value / 100), abs=1e-15)
    assert typed.number_format == "0.0%"


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 12, 31)))
def test_dates_round_trip(day: dt.date) -> None:
    for text, hints in (
        (day.isoformat(), None),
        (day.strftime("%d.%m.%Y"), None),
        (day.strftime("%d %b %Y"), None),
        (day.strftime("%B %d, %Y"), None),
        (day.strftime("%d/%m/%Y"), ColumnHints(dayfirst=True)),
        (day.strftime("%m/%d/%Y"), ColumnHints(dayfirst=False)),
    ):
        typed = parse_value(text, hints)
        assert (typed.kind, typed.value) == ("date", day), text


@given(st.text(alphabet="0123456789", min_size=2, max_size=12).filter(lambda s: s[0] == "0"))
def test_leading_zero_codes_stay_text(code: str) -> None:
    assert parse_value(code).kind == "text"


@given(st.integers(min_value=10**15, max_value=10**30))
def test_more_than_fifteen_digits_stay_text(n: int) -> None:
    assert parse_value(str(n)).kind == "text"


@given(st.text(max_size=30))
def test_never_raises_and_text_is_preserved(text: str) -> None:
    typed = parse_value(text)
    if typed.kind == "text":
        assert typed.value == text.strip()


def test_trailing_speck_read_as_full_stop_is_tolerated() -> None:
    assert parse_value("$1,071.").value == 1071
    assert parse_value("($4,172).").value == -4172
    assert parse_value("Inc.").kind == "text"


def test_data_row_wrongly_counted_as_header_is_returned_to_the_body() -> None:
    rows = [["Item", "Qty", "Price"], ["Pens", "12", "$1.10"], ["Ink", "3", "$8.00"], ["Pads", "40", "$2.50"]]
    cells = [Cell(r, c, text, header=r < 2) for r, row in enumerate(rows) for c, text in enumerate(row)]
    table = Table(4, 3, cells, n_header_rows=2)
    type_table(table)
    assert table.n_header_rows == 1
    pens = [c for c in table.cells if c.row == 1]
    assert [c.header for c in pens] == [False, False, False]
    assert [c.value.value if c.value else None for c in pens] == ["Pens", 12, 1.1]


def test_year_headings_stay_in_the_header() -> None:
    rows = [
        ["", "Revenue", ""],
        ["Region", "2023", "2024"],
        ["North", "1,200", "1,350"],
        ["South", "980", "1,010"],
    ]
    cells = [Cell(r, c, text, header=r < 2) for r, row in enumerate(rows) for c, text in enumerate(row)]
    table = Table(4, 3, cells, n_header_rows=2)
    type_table(table)
    assert table.n_header_rows == 2
    assert [c.value.kind if c.value else None for c in table.cells if c.row == 1] == ["text", "text", "text"]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (["599.1", "900.9", "599 1", "10. 83", "552 .9"], [599.1, 900.9, 599.1, 10.83, 552.9]),
        (["1,234.50", "33 45", "1,728 00", "7 225.50", "2.98"], [1234.5, 33.45, 1728.0, 7225.5, 2.98]),
        (["-423", "\u201c705", "~12", "8"], [-423, -705, -12, 8]),
        (["€1,234.50", "€7 225.50", "€2.98"], [1234.5, 7225.5, 2.98]),
    ],
)
def test_ocr_slips_are_undone_in_numeric_columns(column: list[str], expected: list[float]) -> None:
    table = _column_table(column)
    type_table(table)
    assert _values(table) == pytest.approx(expected)


def test_ocr_repairs_need_a_numeric_column_and_evidence() -> None:
    wordy = _column_table(["599 1", "Room 5", "n/a", "12.5"])
    type_table(wordy)
    assert _values(wordy)[0] == "599 1"
    no_negatives = _column_table(["423", "~705", "12"])
    type_table(no_negatives)
    assert _values(no_negatives)[1] == "~705"
    phones = _column_table(["028 6659 4502", "(319) 235-5652", "+1 571 781 8421"], header="Phone")
    type_table(phones)
    assert all(isinstance(v, str) for v in _values(phones))
    shown = _column_table(["1,234.50", "7 225.50", "2.98"])
    type_table(shown)
    assert shown.cells[2].value is not None and shown.cells[2].value.number_format == "#,##0.00"


def test_a_column_that_lost_all_its_decimal_points() -> None:
    table = _column_table(["5 10", "33 45", "10. 83", "3 49", "21 00"])
    type_table(table)
    assert _values(table) == pytest.approx([5.1, 33.45, 10.83, 3.49, 21.0])
    assert {c.value.number_format for c in table.cells[1:] if c.value} == {"0.00"}
    mixed = _column_table(["5 10", "33 4", "7 123", "Room 2"])  # no common shape: left alone
    type_table(mixed)
    assert all(isinstance(v, str) for v in _values(mixed))


@pytest.mark.parametrize(
    ("header", "as_text"),
    [
        ("Employee ID", True),
        ("Part no.", True),
        ("Invoice #", True),
        ("Zip code", True),
        ("Phone", True),
        ("Number of units", False),
        ("Code changes (lines)", False),
        ("Paid", False),
        ("Units", False),
    ],
)
def test_id_columns_are_recognised_by_the_last_word_of_their_header(header: str, as_text: bool) -> None:
    assert infer_hints(["10234", "10235"], header).integers_as_text is as_text
