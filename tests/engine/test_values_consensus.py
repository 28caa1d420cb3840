"""Column consensus on numbers OCR misread: a column writes its numbers one way, so the odd one out that a
known OCR slip explains is read back as the column writes it (typing owner: numeric-typing)."""

from __future__ import annotations

import pytest
from img2xlsx.model import Cell, Table
from img2xlsx.values import type_table


def _typed(texts: list[str], header: str = "Value") -> list[object]:
    cells = [Cell(row=0, col=0, text=header, header=True)]
    cells += [Cell(row=i + 1, col=0, text=t) for i, t in enumerate(texts)]
    table = Table(n_rows=len(texts) + 1, n_cols=1, cells=cells, n_header_rows=1)
    type_table(table)
    return [c.value.value if c.value else None for c in table.cells[1:]]


def test_a_minus_read_as_a_bare_point_in_a_column_of_whole_numbers_with_negatives() -> None:
    texts = ["11", "-5", ".168", "100", "-11", "24", "67", "36", "-35", "19"]
    assert _typed(texts) == [11, -5, -168, 100, -11, 24, 67, 36, -35, 19]
    texts = ["-21%", "3%", "4%", "-22%", "16%", "-17%", "-3%", "-12%", ".4%", "4%", "8%", "-18%", ".14%"]
    expected = [-0.21, 0.03, 0.04, -0.22, 0.16, -0.17, -0.03, -0.12, -0.04, 0.04, 0.08, -0.18, -0.14]
    assert _typed(texts) == pytest.approx(expected)
    # a column of fractions keeps its ".5"; one without negatives too
    assert _typed([".5", "1.25", "-0.75", "2.5"]) == pytest.approx([0.5, 1.25, -0.75, 2.5])
    assert _typed(["2", "5", ".5", "3", "4"]) == pytest.approx([2, 5, 0.5, 3, 4])


def test_a_percent_sign_read_as_any_digit_after_the_places_of_a_column_of_percentages() -> None:
    texts = ["17.5%", "-9.41", "7.0%", "29.51", "-26.2%", "29.3%", "21.8%", "9.9%", "-8.4%"]
    expected = [0.175, -0.094, 0.07, 0.295, -0.262, 0.293, 0.218, 0.099, -0.084]
    assert _typed(texts) == pytest.approx(expected)
    # too few percentages: the column may mix amounts and percentages, the numbers stay as read
    assert _typed(["17.5%", "9.41", "29.51", "3.12", "-26.2%"]) == pytest.approx(
        [0.175, 9.41, 29.51, 3.12, -0.262]
    )


def test_a_column_whose_every_percent_sign_was_read_as_one_same_digit() -> None:
    texts = ["2.18", "20.48", "-23.18", "1.28", "5.58", "14.68"]
    expected = [0.021, 0.204, -0.231, 0.012, 0.055, 0.146]
    assert _typed(texts, "Variance 8") == pytest.approx(expected)
    assert _typed(["-0.89", "21.39", "-16.49", "-3.79"], "Change") == pytest.approx(
        [-0.008, 0.213, -0.164, -0.037]
    )
    # a price list ending in ".99" (no negatives, no percent header), padded zeros, too few numbers: as read
    assert _typed(["9.99", "4.99", "19.99", "2.49"], "Price") == pytest.approx([9.99, 4.99, 19.99, 2.49])
    assert _typed(["-2.10", "20.40", "1.20", "5.50"], "Change") == pytest.approx([-2.1, 20.4, 1.2, 5.5])
    assert _typed(["-2.18", "20.48", "1.28"], "Change") == pytest.approx([-2.18, 20.48, 1.28])
    # quarter steps end in 5 with no "%" lost; one repeated amount ends in one digit by itself
    assert _typed(["-0.25", "0.75", "1.25", "-1.75"], "Change") == pytest.approx([-0.25, 0.75, 1.25, -1.75])
    assert _typed(["0.01", "0.01", "0.01", "-0.01"], "Fee") == pytest.approx([0.01, 0.01, 0.01, -0.01])


def test_commas_read_as_points_in_a_grouping_column_despite_one_garbled_number() -> None:
    texts = ["26.145", "-530", ".1.957", "-1,095", "14.676", "5.358", "4.965", "3,728", "2068", "1846"]
    texts += ["-1.806", "2.921", "16.2887", "30,476"]
    expected = [26145, -530, -1957, -1095, 14676, 5358, 4965, 3728, 2068, 1846, -1806, 2921, 16.2887, 30476]
    assert _typed(texts) == pytest.approx(expected)
    # as many decimals of other places as three-place numbers: the column holds decimals, kept as read
    texts = ["26.145", "1,095", "14.676", "3,728", "2068", "1.25", "2.5"]
    assert _typed(texts) == pytest.approx([26.145, 1095, 14.676, 3728, 2068, 1.25, 2.5])


def test_a_column_whose_neighbour_proves_commas_read_as_points_needs_less_evidence() -> None:
    first = ["1,439", "5.172", "5.589", "3.360", "4,793", "581", "6.294", "6,319"]
    second = ["1,833", "5.614", "4.273", "3.517", "4.590", "459", "4.737", "5,488"]
    cells = [Cell(row=0, col=0, text="Q1", header=True), Cell(row=0, col=1, text="Q2", header=True)]
    for col, texts in enumerate((first, second)):
        cells += [Cell(row=i + 1, col=col, text=t) for i, t in enumerate(texts)]
    table = Table(n_rows=len(first) + 1, n_cols=2, cells=cells, n_header_rows=1)
    type_table(table)
    got = [c.value.value for c in table.cells if c.col == 1 and c.row > 0 and c.value]
    assert got == [1833, 5614, 4273, 3517, 4590, 459, 4737, 5488]
    # alone, the second column does not prove it: its three-place numbers stay decimals
    assert _typed(second)[1] == pytest.approx(5.614)


def test_a_dollar_read_as_an_s_where_another_amount_of_the_column_prints_its_dollar() -> None:
    # one "$706.55" among "S"-led amounts: the "S"s are its "$", and so are the leading "5"s of the others
    texts = ["S1417.43", "52882.73", "51833.28", "$706.55", "S2427.70", "S4379.85", "-S2277.86"]
    expected = [1417.43, 2882.73, 1833.28, 706.55, 2427.7, 4379.85, -2277.86]
    assert _typed(texts) == pytest.approx(expected)
    # no "$" anywhere, or codes without cents: the letter stays what it was
    assert _typed(["S1417.43", "S2427.70", "1833.28", "706.55"]) == pytest.approx(
        [51417.43, 52427.7, 1833.28, 706.55]
    )
    assert _typed(["S1417", "S2427", "$1,833.50", "706.10", "1,200.00"])[:2] != [1417, 2427]


def test_a_percentage_that_lost_its_percent_sign_in_a_column_of_them() -> None:
    # "25,43" among "25,92 %"s (the "%" lost outright) and "28.03 5" (read as a digit after its space)
    texts = ["35.74 %", "25.43", "10.52 %", "27.14 %", "28.03 5", "7.89 %", "32.68", "30.46 %", "12.70 %"]
    expected = [0.3574, 0.2543, 0.1052, 0.2714, 0.2803, 0.0789, 0.3268, 0.3046, 0.127]
    assert _typed(texts) == pytest.approx(expected)
    # a column of amounts beside a few percentages, or whole numbers beside whole percents, keeps its numbers
    assert _typed(["12.50", "3.5%", "8.25", "14.00", "2.1%"]) == pytest.approx(
        [12.5, 0.035, 8.25, 14.0, 0.021]
    )
    assert _typed(["12%", "35%", "40", "8%", "15%"]) == pytest.approx([0.12, 0.35, 40, 0.08, 0.15])


def test_a_dollar_read_as_one_same_digit_on_most_amounts_without_one() -> None:
    # three of four amounts without a "$" start with an "8" (the fourth is garbled): the "8" is the "$", and
    # "$1054104" (a digit wider than the column once those are read right) lost its point
    texts = ["$37575.66", ".8695938", "8127527.12", "$5072.41", "$147509.78", "$1054104", "812994.03"]
    texts += ["$64364.65", "$3833.58", "851194.42", "$18807.23", "$13004.96"]
    expected = [37575.66, 0.8695938, 127527.12, 5072.41, 147509.78, 10541.04, 12994.03]
    expected += [64364.65, 3833.58, 51194.42, 18807.23, 13004.96]
    assert _typed(texts) == pytest.approx(expected)
    # amounts that lost their "$" outright start with several digits (two "8"s among them): they stay as read
    texts = [
        "$37575.66",
        "812,994.03",
        "$5072.41",
        "151,194.42",
        "$147509.78",
        "427,527.12",
        "$3.58",
        "8,210.00",
    ]
    expected = [37575.66, 812994.03, 5072.41, 151194.42, 147509.78, 427527.12, 3.58, 8210.0]
    assert _typed(texts) == pytest.approx(expected)


def test_an_amount_with_the_columns_cents_in_a_header_row_is_a_data_row_taken_in() -> None:
    # a garbled index ("N 1") kept a data row in the header: its "€314.53" is still an amount
    rows = [("N 1", "€314.53"), ("2", "€490.19"), ("3", "€3,754.60"), ("4", "€741.89")]
    cells = [
        Cell(row=r, col=c, text=t, header=r == 0) for r, row in enumerate(rows) for c, t in enumerate(row)
    ]
    table = Table(n_rows=4, n_cols=2, cells=cells, n_header_rows=1)
    type_table(table)
    assert (
        table.n_header_rows == 1 and table.cells[0].value is not None and table.cells[0].value.kind == "text"
    )
    assert table.cells[1].value is not None and table.cells[1].value.value == pytest.approx(314.53)
    # headings stay text: words, years, a period
    for header, body in (
        ("FY2024", ["1.50", "2.25"]),
        ("2024", ["1.50", "2.25"]),
        ("Q1 2024", ["1.50", "2.25"]),
    ):
        cells = [Cell(row=0, col=0, text=header, header=True)]
        cells += [Cell(row=i + 1, col=0, text=t) for i, t in enumerate([*body, "3.75"])]
        table = Table(n_rows=4, n_cols=1, cells=cells, n_header_rows=1)
        type_table(table)
        assert table.cells[0].value is not None and table.cells[0].value.kind == "text"
