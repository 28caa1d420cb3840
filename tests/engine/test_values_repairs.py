"""Column-context repairs of OCR slips in numbers (typing owner: numeric-typing).

Every repair needs a column that is otherwise numeric; text that only looks numeric stays text.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from img2xlsx.model import Cell, Table
from img2xlsx.values import infer_hints, parse_value, type_table


def _column(texts: list[str], header: str = "Value") -> Table:
    cells = [Cell(row=0, col=0, text=header, header=True)]
    cells += [Cell(row=i + 1, col=0, text=t) for i, t in enumerate(texts)]
    return Table(n_rows=len(texts) + 1, n_cols=1, cells=cells, n_header_rows=1)


def _typed(texts: list[str], header: str = "Value") -> list[object]:
    table = _column(texts, header)
    type_table(table)
    return [c.value.value if c.value else None for c in table.cells[1:]]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        # letters read for digits inside a number
        (["12", "2s", "7", "41S", "60", "1O4", "33", "18", "9"], [12, 25, 7, 415, 60, 104, 33, 18, 9]),
        # a lone letter amid numbers
        (["8", "o", "1", "2", "Q", "1", "s", "3"], [8, 0, 1, 2, 0, 1, 5, 3]),
        # a minus read as an opening quote, even in a column without other negatives
        (["431,431", "\u201c17,511", "538,789"], [431431, -17511, 538789]),
        (["$6", "\u201c$9", "$10"], [6, -9, 10]),
        # the decimal mark read as the other mark, judged by the column's decimals
        (["1.25", "3.40", "1,38", "€10,489,00", "2.98"], [1.25, 3.4, 1.38, 10489.0, 2.98]),
        (["12.0%", "2.5%", "10,0%", "7.5%"], [0.12, 0.025, 0.1, 0.075]),
        # a space after a group mark, or a space read for the group mark
        (["$13, 007", "-$85, 050", "$42,715"], [13007, -85050, 42715]),
        (["6,262 891", "1,234,567", "8,041,282"], [6262891, 1234567, 8041282]),
    ],
)
def test_ocr_slips_repaired_in_numeric_columns(column: list[str], expected: list[object]) -> None:
    assert _typed(column) == pytest.approx(expected)


@pytest.mark.parametrize(
    "column",
    [
        ["SKU-00412", "SKU-00413", "5"],  # codes: not a numeric column
        ["Room 5", "n/a", "o", "Block S"],
        ["00123", "00124", "OO1"],  # leading zeros are identifiers
    ],
)
def test_repairs_leave_wordy_and_id_columns_alone(column: list[str]) -> None:
    typed = _typed(column)
    assert [t for t, v in zip(column, typed, strict=True) if isinstance(v, str)] == [
        t for t in column if not (t.isdigit() and not t.startswith("0"))
    ]


def test_lone_letters_stay_text_outside_numeric_columns() -> None:
    assert parse_value("o").kind == "text"
    assert parse_value("S").kind == "text"
    assert _typed(["Small", "S", "M", "L"]) == ["Small", "S", "M", "L"]


def test_one_decimal_comma_cannot_turn_grouped_amounts_into_decimals() -> None:
    assert _typed(["$137,500", "65,000", "$25,000", "$124,000", "121,00"])[:4] == [
        137500,
        65000,
        25000,
        124000,
    ]
    assert infer_hints(["1.234,56", "12,5", "7,25"]).decimal == ","  # real decimal commas still win


def test_three_places_read_for_a_group_in_a_comma_grouped_column() -> None:
    assert _typed(["$137,500", "$65,000", "$25.000", "$124,000"]) == [137500, 65000, 25000, 124000]
    # a column that shows three decimals elsewhere keeps them
    assert _typed(["0.716", "1,000", "1.267", "0.839"]) == pytest.approx([0.716, 1000, 1.267, 0.839])
    # no comma grouping in the column: 3 decimals stay decimals
    assert _typed(["1.267", "1.933", "2.5"]) == pytest.approx([1.267, 1.933, 2.5])


def test_a_bare_integer_among_one_decimal_numbers_lost_its_point() -> None:
    assert _typed(["4.9", "3.6", "11", "4.3", "41", "4.5", "1.9", "2.1", "1.6", "2.0"]) == pytest.approx(
        [4.9, 3.6, 1.1, 4.3, 4.1, 4.5, 1.9, 2.1, 1.6, 2.0]
    )
    # whole numbers are common here (grouped thousands, several integers): left alone
    assert _typed(["941.2", "442.0", "483.3", "7,160", "434", "4,514", "95.0"])[4] == 434
    # percents: "22%" among "34.3%" is a whole percent, not a lost point
    assert _typed(["34.3%", "-9.2%", "30.2%", "22%", "52.4%", "57.6%"])[3] == pytest.approx(0.22)


def test_a_header_row_holding_data_returns_to_the_body() -> None:
    rows = [["WH-1", "5", "100"], ["WH-2", "12", "25"], ["WH-3", "0", "50"]]
    cells = [Cell(r, c, t, header=r == 0) for r, row in enumerate(rows) for c, t in enumerate(row)]
    table = Table(3, 3, cells, n_header_rows=1)
    type_table(table)
    assert table.n_header_rows == 0
    assert [c.value.value for c in table.cells if c.row == 0 and c.value] == ["WH-1", 5, 100]
    words = [["Item", "Qty", "Price"], ["A", "5", "100"], ["B", "12", "25"]]
    cells = [Cell(r, c, t, header=r == 0) for r, row in enumerate(words) for c, t in enumerate(row)]
    kept = Table(3, 3, cells, n_header_rows=1)
    type_table(kept)
    assert kept.n_header_rows == 1


@given(
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=2, max_size=8), st.sampled_from(["", "$"])
)
def test_clean_integer_columns_are_never_altered(values: list[int], symbol: str) -> None:
    texts = [f"{symbol}{v:,}" for v in values]
    assert _typed(texts) == values


@given(
    st.lists(st.integers(min_value=0, max_value=10**7), min_size=2, max_size=8),
    st.integers(min_value=1, max_value=3),
)
def test_clean_decimal_columns_are_never_altered(cents: list[int], places: int) -> None:
    texts = [f"{c / 10**places:,.{places}f}" for c in cents]
    assert _typed(texts) == pytest.approx([round(c / 10**places, places) for c in cents])


def test_lost_point_only_when_the_integer_is_too_wide_for_the_column() -> None:
    assert _typed(["16.0", "16.0", "24.0", "325", "12.0"]) == pytest.approx([16.0, 16.0, 24.0, 32.5, 12.0])
    # "100" among one-digit decimals: restoring a point would still not fit, so it is a real 100
    assert _typed(["0.5", "1.5", "2.5", "100"])[3] == 100
    # "18" fits the column's widths as it is
    assert _typed(["16.0", "24.0", "12.0", "18"])[3] == 18


def test_a_lone_amount_column_header_that_is_data_returns_to_the_body() -> None:
    rows = [["Item", "£925.38"], ["Pens", "£683.89"], ["Ink", "(£389.18)"]]
    cells = [Cell(r, c, t, header=r == 0) for r, row in enumerate(rows) for c, t in enumerate(row)]
    table = Table(3, 2, cells, n_header_rows=1)
    type_table(table)
    assert (
        table.n_header_rows == 0 and table.cells[1].value is not None and table.cells[1].value.value == 925.38
    )
    for heading in ("Units", "2019", "12"):  # words, years and bare counts stay headings
        rows = [["Item", heading], ["Pens", "£683.89"], ["Ink", "£389.18"]]
        cells = [Cell(r, c, t, header=r == 0) for r, row in enumerate(rows) for c, t in enumerate(row)]
        kept = Table(3, 2, cells, n_header_rows=1)
        type_table(kept)
        assert kept.n_header_rows == 1, heading


def test_a_percent_sign_read_as_86_in_a_percentage_column() -> None:
    texts = ["15.086", "12.0%", "10.096", "15.0%", "0.0%"]
    assert _typed(texts) == pytest.approx([0.15, 0.12, 0.10, 0.15, 0.0])
    # the column's percentages show one place; "21.86" with the "86" taken off would show none
    assert _typed(["12.5%", "7.5%", "21.86"])[2] == pytest.approx(21.86)
    # without a percentage column, "15.086" is a number
    assert _typed(["15.086", "12.0", "10.5"])[0] == pytest.approx(15.086)


def test_a_column_whose_every_amount_has_a_stray_space_is_still_numeric() -> None:
    assert _typed(["na", "-$11, 360", "-$9, 896"]) == ["na", -11360, -9896]
    # one such cell alone does not make a column numeric
    assert _typed(["na", "-$11, 360", "North"])[1] == "-$11, 360"


def test_a_bare_integer_in_a_zero_padded_column_lost_its_point_even_when_it_fits() -> None:
    # "16.0" shows the column pads its decimals: "729" there is "72.9" with the point lost, though three-digit
    # integer parts also occur ("165.9")
    typed = _typed(["729", "462", "16.0", "(50.3)", "95.6", "26.7", "(84.9)", "165.9"])
    assert typed[:2] == pytest.approx([72.9, 46.2])
    # without padded decimals the width rule alone decides: "729" fits "165.9"'s integer part and stays
    assert _typed(["729", "16.1", "95.6", "26.7", "84.9", "165.9"])[0] == 729
    # whole amounts with thousands separators: the column holds real integers too
    assert _typed(["994.1", "248.9", "732.0", "136.9", "5,069", "1,069", "4469", "314"])[6:] == [4469, 314]


def _typed_in(texts: list[str], langs: list[str]) -> list[object]:
    table = _column(texts)
    type_table(table, langs)
    return [c.value.value if c.value else None for c in table.cells[1:]]


def test_a_space_grouped_column_keeps_the_cells_whose_decimal_comma_was_read_as_a_point() -> None:
    # French amounts: three of seven came back with a point for the comma; the other four vouch for the column
    texts = ["-5 196,66", "-6 753,31", "598.07", "-2 925,81", "-2 807.96", "\u22124 844.24", "6 358,75"]
    assert _typed_in(texts, ["fra"]) == pytest.approx(
        [-5196.66, -6753.31, 598.07, -2925.81, -2807.96, -4844.24, 6358.75]
    )
    # fewer than half the cells spaced numbers: no column convention, the cells stay as read
    assert _typed_in(["-5 196,66", "598.07", "abc", "de", "fg"], ["fra"])[1] == "598.07"


def test_after_marks_that_group_thousands_a_last_mark_before_two_digits_is_the_decimal_mark() -> None:
    assert _typed_in(["$33.230.17", "$34.013.00", "$168.910,69"], ["spa"]) == pytest.approx(
        [33230.17, 34013.0, 168910.69]
    )
    # the same shape with a three-digit tail is a grouped integer, not a misread decimal
    assert _typed_in(["$33.230.170", "$34.013.001", "$168.910,69"], ["spa"])[:2] == pytest.approx(
        [33230170, 34013001]
    )


def test_a_dong_sign_read_as_d_in_a_vietnamese_column() -> None:
    assert _typed_in(["2.245d", "1.241d", "21.667d"], ["vie"]) == [2245, 1241, 21667]
    assert _typed_in(["173,98d", "40.537,34d", "190,24d"], ["vie"]) == pytest.approx(
        [173.98, 40537.34, 190.24]
    )
    # outside Vietnamese a trailing d is no currency ("2d": two days)
    assert _typed_in(["2d", "3d", "5d"], ["eng"]) == ["2d", "3d", "5d"]


def test_a_spaced_percent_sign_read_as_96() -> None:
    typed = _typed_in(["(26,1 %)", "19,1 96", "(16,1 96)", "12,5 %"], ["deu"])
    assert typed == pytest.approx([-0.261, 0.191, -0.161, 0.125])
    # the places must match the column's percentages: "19 96" is no "19 %" in a column of "12,5 %"
    assert _typed_in(["(26,1 %)", "19 96", "12,5 %"], ["deu"])[1] == "19 96"


def test_a_lost_group_space_or_mark_leaves_a_head_too_long_for_a_group() -> None:
    # French "1 168 626" read "1168 626" (the narrow grouping space dropped): the digits are the number's
    typed = _typed_in(["1 168 626", "334 252", "1168 626", "-240 537"], ["fra"])
    assert typed == [1168626, 334252, 1168626, -240537]
    assert _typed_in(["1.168.626", "334.252", "1168.626", "-240.537"], ["deu"])[2] == 1168626
    # a column that groups with no space keeps "12345 678" as read: two numbers may share the cell
    assert _typed_in(["1,234", "5,678", "12345 678"], ["eng"])[2] == "12345 678"


def test_a_rule_read_as_a_dash_after_an_amount_is_dropped() -> None:
    typed = _typed_in(
        ["(89.123,25 €)\u2014", "239.510,69 €\u2014", "203.345,65 €", "1.398.935,89 € \u2014"], ["spa"]
    )
    assert typed == pytest.approx([-89123.25, 239510.69, 203345.65, 1398935.89])
    # a hyphen after the digits may be a trailing minus sign ("123-"): never dropped as a rule
    assert _typed_in(["12,50", "7,25", "3-"], ["deu"])[2] != 3


def test_the_other_mark_before_one_or_two_last_digits_is_the_decimal_mark_without_column_places() -> None:
    # two stacked tables in one column: 2 and 1 decimal places, so no column count to check the mark by
    typed = _typed_in(["2,22", "2,69", "2.12", "649.6", "22,6", "314,2", "874,4"], ["vie"])
    assert typed == pytest.approx([2.22, 2.69, 2.12, 649.6, 22.6, 314.2, 874.4])
    # three digits after it: the mark groups thousands, as the column's language writes them
    assert _typed_in(["2,22", "62,4", "1.234"], ["deu"])[2] == 1234


def test_a_percent_sign_read_as_a_digit_in_a_column_of_percentages() -> None:
    # PP-OCR reads a "%" as one more digit: "14,78" among "14,7 %"s; "16,6 x": read as an "x"
    typed = _typed_in(["14,78", "-3,2 %", "6,3 %", "-3,23", "18,2 %", "16,6 x", "5,0 %"], ["deu"])
    assert typed == pytest.approx([0.147, -0.032, 0.063, -0.032, 0.182, 0.166, 0.05])
    # with no places: the space read as a mark ("11,8"), or a bare "78" ending in the usual "8"
    typed = _typed_in(["11 %", "11,8", "7 %", "78", "31 %", "23 %"], ["fra"])
    assert typed == pytest.approx([0.11, 0.11, 0.07, 0.07, 0.31, 0.23])
    # most of the column's "%" read as digits: the three left vouch for it
    texts = ["17.8%", "-3.25", "16.48", "7.93", "21.38", "16.7%", "28.0%", "14.78", "6.33"]
    assert _typed_in(texts, ["vie"]) == pytest.approx(
        [0.178, -0.032, 0.164, 0.079, 0.213, 0.167, 0.28, 0.147, 0.063]
    )
    # amounts with two places beside three percentages: no percent column
    texts = ["17.8%", "-3.25", "16.41", "7.92", "21.30", "16.7%", "28.0%", "14.77", "6.30"]
    assert _typed_in(texts, ["eng"])[1:5] == pytest.approx([-3.25, 16.41, 7.92, 21.30])
    # one percentage among amounts makes no percent column: "14,78" stays a number
    assert _typed_in(["14,78", "3,25", "6,3 %", "18,21"], ["deu"])[0] == pytest.approx(14.78)
    # English too: "21.83" among three "12.5%"s is "21.8%"
    assert _typed(["12.5%", "7.5%", "3.1%", "21.83"])[3] == pytest.approx(0.218)


def _formats_in(texts: list[str], langs: list[str]) -> list[str]:
    table = _column(texts)
    type_table(table, langs)
    return [c.value.number_format for c in table.cells[1:] if c.value]


def test_narrow_spaces_ocr_lost_are_shown_as_the_column_shows_them_in_comma_languages() -> None:
    # French: "735227" among "129 949"s was printed "735 227" (the narrow space lost)
    assert _formats_in(["129 949", "735227", "1 566,43"], ["fra"])[:2] == ["#,##0", "#,##0"]
    # a "%" set off by a space in a quarter of the column's percentages: all of them are
    assert _formats_in(["9,7%", "-6,8 %", "21,7%", "-11,6%"], ["fra"]) == ["0.0 %"] * 4
    # English keeps each cell's own look (see test_values: "5678" among "1,234"s stays "0")
    assert _formats_in(["1,234", "5678"], ["eng"]) == ["#,##0", "0"]
    assert _formats_in(["9.7%", "6.8 %", "21.7%", "11.6%"], ["eng"])[0] == "0.0%"


def test_five_digit_integers_are_grouped_in_a_column_that_groups_in_every_language() -> None:
    # "14997" among "45,973"s lost its comma: print leaves only four-digit numbers ungrouped
    assert _formats_in(["45,973", "14997", "5678"], ["eng"]) == ["#,##0", "#,##0", "0"]


def test_a_minus_read_as_a_point_before_a_number_that_shows_its_own_mark() -> None:
    texts = ["-4,776", ".72,472.97", ".12.0%", "1,234.50", ".5"]
    assert _typed(texts) == pytest.approx([-4776, -72472.97, -0.12, 1234.5, 0.5])


def test_a_letter_read_for_the_currency_symbol_its_column_prints() -> None:
    # "C"/"E"/"Q" for "€", "E" for "£", "S" for "$" (also after a minus read as a point)
    assert _typed(["€1,200", "C1854", "E5697.50", "€23.40", "Q23,133"]) == pytest.approx(
        [1200, 1854, 5697.5, 23.4, 23133]
    )
    assert _typed(["£1,053.70", "E1,053.70", "£30.68", "E30.68"]) == pytest.approx(
        [1053.7, 1053.7, 30.68, 30.68]
    )
    assert _typed(["$1.00", ".S104,205.91", "$2,000.10"]) == pytest.approx([1.0, -104205.91, 2000.1])
    # no column currency, or an identifier column: the letter stays a letter
    assert _typed(["C1854", "C1855", "C1856", "12"])[:3] == ["C1854", "C1855", "C1856"]
    assert _typed(["€12", "€15", "C12"], header="Ref")[2] == "C12"


def test_commas_read_as_points_on_a_blurred_page_among_comma_grouped_integers() -> None:
    # about as many "176.467"s as "37,600"s: the points are commas (no other number shows decimals)
    texts = [
        "176.467",
        "33.289",
        "37,600",
        "100,186",
        "122.967",
        "61,001",
        "7.922",
        "84.509",
        "5,416",
        "30.981",
    ]
    assert _typed(texts) == [176467, 33289, 37600, 100186, 122967, 61001, 7922, 84509, 5416, 30981]
    # bare wide integers vouch for grouping too
    assert _typed(["4.191", "4279", "45,973", "14997", "8.118"])[0] == 4191
    # a column of three-place measurements with one comma stays three-place
    assert _typed(["1.250", "2.500", "12.750", "1,250", "3.125"])[:3] == pytest.approx([1.25, 2.5, 12.75])


def test_the_typographic_minus_is_shown_as_printed() -> None:
    # U+2212 shown by the negative section's literal; OCR read one as "-": the column's look wins
    formats = _formats_in(["\u22122 925,81", "-5 196,66", "1 234,50"], ["fra"])
    assert formats == ['#,##0.00;"\u2212"#,##0.00', '#,##0.00;"\u2212"#,##0.00', "#,##0.00"]
    # a currency literal before the digits takes the minus inside its quotes
    assert (
        _formats_in(["\u2212\u20ac 12,00", "\u20ac 3,00"], ["deu"])[0] == '"\u20ac "0.00;"\u2212\u20ac "0.00'
    )
    # hyphens stay hyphens
    assert _formats_in(["-12,5", "3,5"], ["deu"])[0] == "0.0"


def test_a_table_prints_its_negatives_one_way_the_typographic_minus_read_in_a_third_is_enough() -> None:
    cells = [Cell(row=0, col=0, text="A", header=True), Cell(row=0, col=1, text="B", header=True)]
    texts = [
        ("-5 196,66", "\u22125 683,80 \u20ac"),
        ("-2 925,81", "\u22126 028,34 \u20ac"),
        ("12,00", "-3 359,34 \u20ac"),
    ]
    for r, (a, b) in enumerate(texts, start=1):
        cells += [Cell(row=r, col=0, text=a), Cell(row=r, col=1, text=b)]
    table = Table(n_rows=4, n_cols=2, cells=cells, n_header_rows=1)
    type_table(table, ["fra"])
    negatives = [c for c in table.cells if c.value and isinstance(c.value.value, float) and c.value.value < 0]
    assert len(negatives) == 5
    assert all(
        c.value and c.value.number_format.endswith('"\u2212"#,##0.00' + ('" \u20ac"' if c.col else ""))
        for c in negatives
    )


def test_a_dollar_read_as_five_where_the_column_shows_dollars_and_its_other_amounts_all_start_with_five() -> (
    None
):
    texts = ["5189.18", "5244.12", "$50.94", "$168.81", "$82.14", "5145.56", "$13.10"]
    assert _typed(texts) == pytest.approx([189.18, 244.12, 50.94, 168.81, 82.14, 145.56, 13.1])
    # a statement's "$" on its first and last rows: its other amounts start with every digit
    assert _typed(["$1,234", "567", "589", "512", "$2,390", "1,234"]) == [1234, 567, 589, 512, 2390, 1234]
    # no "$" anywhere: a column of amounts in the 5000s stays as read
    assert _typed(["5189.18", "5244.12", "5263.55", "5145.56"]) == pytest.approx(
        [5189.18, 5244.12, 5263.55, 5145.56]
    )


def test_a_dollar_read_as_another_digit_where_the_column_prints_a_dollar_on_each_amount() -> None:
    # "$14,113.44" read "814,113.44", "$326.40" read "6326.40": the "$"s between them show the column's look
    texts = ["$17,846.08", "$8,163.52", "814,113.44", "$3,828.30", "86,136.40", "6326.40", "$12,247.20"]
    assert _typed(texts) == pytest.approx([17846.08, 8163.52, 14113.44, 3828.3, 6136.4, 326.4, 12247.2])
    # one amount without its "$" may have lost it outright: it stays as read
    assert _typed(["$137,500", "65,000", "$25,000", "$124,000"]) == [137500, 65000, 25000, 124000]
    # a statement's "$" on its first and total rows only: the rows between keep their first digits
    assert _typed(["$1,234", "867", "589", "$2,690"]) == [1234, 867, 589, 2690]
    # the amounts without a "$" start with other digits too: nothing is read for a "$"
    texts = ["$1,846.08", "$8,163.52", "814.44", "$3,828.30", "26,136.40", "$2,247.20"]
    assert _typed(texts) == pytest.approx([1846.08, 8163.52, 814.44, 3828.3, 26136.4, 2247.2])


def test_every_dollar_of_a_column_read_as_five() -> None:
    # no "$" left at all, but every amount starts with a "5" and they span a hundredfold: "$34,108.20" ...
    texts = ["534,108.20", "530,970.60", "51,895.60", "513,921.83", "59,812.91"]
    assert _typed(texts) == pytest.approx([34108.2, 30970.6, 1895.6, 13921.83, 9812.91])
    # amounts of one narrow range, or without cents, keep their "5"
    assert _typed(["5189.18", "5244.12", "5263.55", "5145.56"]) == pytest.approx(
        [5189.18, 5244.12, 5263.55, 5145.56]
    )
    assert _typed(["534108", "530970", "51895", "513921"]) == [534108, 530970, 51895, 513921]


def test_the_three_places_of_the_one_wide_number_in_a_column_of_small_whole_numbers_are_a_group() -> None:
    # the total of counts too small to group had its comma read as a point
    assert _typed(["32", "644", "92", "26", "661", "336", "2.654"]) == [32, 644, 92, 26, 661, 336, 2654]
    # too few whole numbers, or decimals elsewhere in the column: three places stay decimals
    assert _typed(["1", "2", "1.125"]) == pytest.approx([1, 2, 1.125])
    assert _typed(["12", "3", "4", "5", "1.5", "2.125"]) == pytest.approx([12, 3, 4, 5, 1.5, 2.125])


def test_a_minus_read_as_zero_point_in_a_column_of_whole_numbers_with_negatives() -> None:
    texts = ["544", "-1,860", "0.93", "283", "743", "2,373", "0.627", "1,428", "-827", "13", "-18", "180"]
    assert _typed(texts) == [544, -1860, -93, 283, 743, 2373, -627, 1428, -827, 13, -18, 180]
    # whole percentages too ("0.4%" for "-4%"), and a wide number whose comma became a point stays whole
    texts = ["-21%", "3%", "0.4%", "-22%", "16%", "-17%", "-3%", "8%", "0.14%", "17%"]
    assert _typed(texts) == pytest.approx([-0.21, 0.03, -0.04, -0.22, 0.16, -0.17, -0.03, 0.08, -0.14, 0.17])
    texts = ["-217", "4776", "400", "-1,115", "0.306", "-968", "-381", "43", "-12.641"]
    assert _typed(texts) == [-217, 4776, 400, -1115, -306, -968, -381, 43, -12641]
    # no negatives in the column, or decimals elsewhere: a fraction below one stays one
    assert _typed(["2", "5", "0.5", "3", "4"]) == pytest.approx([2, 5, 0.5, 3, 4])
    assert _typed(["-2", "5", "0.5", "3.25", "4"]) == pytest.approx([-2, 5, 0.5, 3.25, 4])


def test_a_decimal_point_read_as_a_hyphen_in_a_column_showing_that_many_places() -> None:
    texts = ["€53-75", "€132.89", "€76.06", "€220.26", "€2,453-44"]
    assert _typed(texts) == pytest.approx([53.75, 132.89, 76.06, 220.26, 2453.44])
    assert _typed(["34-9", "12.5", "119.5", "135-3", "7.1"]) == pytest.approx([34.9, 12.5, 119.5, 135.3, 7.1])
    # a hyphen before more digits than the column's places is no decimal point
    assert _typed(["12-345", "12.5", "119.5", "7.1"])[0] == "12-345"
