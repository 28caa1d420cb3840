"""The totals check: sums become SUM formulas with cached results, totals that do not add up are flagged."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from img2xlsx.model import Cell, Document, Table
from img2xlsx.values import type_table
from img2xlsx.values.totals import check_totals
from img2xlsx.writers.html import to_html
from img2xlsx.writers.json import load_schema, to_json
from img2xlsx.writers.xlsx import write_xlsx
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

BENCH = Path(__file__).resolve().parents[3] / "shared" / "bench"


def _table(rows: list[list[str]], header_rows: int = 1) -> Table:
    cells = [
        Cell(r, c, text, header=r < header_rows) for r, row in enumerate(rows) for c, text in enumerate(row)
    ]
    table = Table(n_rows=len(rows), n_cols=len(rows[0]), cells=cells, n_header_rows=header_rows)
    type_table(table)
    return table


def _cell(table: Table, row: int, col: int) -> Cell:
    return next(c for c in table.cells if (c.row, c.col) == (row, col))


SALES = [
    ["Region", "Q1", "Q2"],
    ["North", "1,200", "310.50"],
    ["South", "800", "99.25"],
    ["West", "45", "1,000.00"],
    ["Total", "2,045", "1,409.75"],
]


def test_a_total_row_that_adds_up_becomes_a_sum_formula_with_its_value_cached() -> None:
    table = _table(SALES)
    checks = check_totals(table)
    assert [(c.row, c.col, c.adds_up) for c in checks] == [(4, 1, True), (4, 2, True)]
    assert _cell(table, 4, 1).formula == "SUM(B2:B4)"
    assert _cell(table, 4, 2).formula == "SUM(C2:C4)"
    assert not any(c.check for c in table.cells)
    buf = io.BytesIO()
    write_xlsx(Document(tables=[table]), buf)
    formulas = load_workbook(io.BytesIO(buf.getvalue()))["Table 1"]
    assert formulas["B5"].value == "=SUM(B2:B4)"
    assert formulas["B5"].number_format == _cell(table, 4, 1).value.number_format  # type: ignore[union-attr]
    cached = load_workbook(io.BytesIO(buf.getvalue()), data_only=True)["Table 1"]
    assert cached["B5"].value == 2045
    assert cached["C5"].value == pytest.approx(1409.75)


def test_a_misread_digit_flags_the_total_and_its_terms_without_changing_any_value() -> None:
    rows = [row[:] for row in SALES]
    rows[2][1] = "600"  # "800" misread: the Q1 total no longer adds up, Q2 still does
    table = _table(rows)
    check_totals(table)
    total = _cell(table, 4, 1)
    assert total.formula is None and total.value is not None and total.value.value == 2045
    assert total.check is not None and "2,045" in total.check and "1,845" in total.check
    assert all(_cell(table, r, 1).check for r in (1, 2, 3))
    assert _cell(table, 4, 2).formula == "SUM(C2:C4)" and not _cell(table, 2, 2).check
    doc = Document(tables=[table])
    payload = to_json(doc)
    Draft202012Validator(load_schema()).validate(payload)
    flagged = {(c["row"], c["col"]) for c in payload["tables"][0]["cells"] if "check" in c}
    assert flagged == {(1, 1), (2, 1), (3, 1), (4, 1)}
    assert 'class="num low-confidence"' in to_html(doc)
    buf = io.BytesIO()
    write_xlsx(doc, buf)
    ws = load_workbook(io.BytesIO(buf.getvalue()))["Table 1"]
    assert ws["B5"].value == 2045 and "does not match" in ws["B5"].comment.text


def test_subtotals_and_a_grand_total() -> None:
    table = _table(
        [
            ["Item", "Amount"],
            ["Rent", "1,000"],
            ["Power", "250"],
            ["Subtotal", "1,250"],
            ["Wages", "3,000"],
            ["Travel", "500"],
            ["Subtotal", "3,500"],
            ["Grand total", "4,750"],
        ]
    )
    check_totals(table)
    assert _cell(table, 3, 1).formula == "SUM(B2:B3)"
    assert _cell(table, 6, 1).formula == "SUM(B5:B6)"
    assert _cell(table, 7, 1).formula == "SUM(B4,B7)"
    assert not any(c.check for c in table.cells)


def test_a_total_column_sums_each_row() -> None:
    table = _table([["Name", "Jan", "Feb", "Total"], ["A", "10", "5", "15"], ["B", "7", "8", "15"]])
    check_totals(table)
    assert _cell(table, 1, 3).formula == "SUM(B2:C2)"
    assert _cell(table, 2, 3).formula == "SUM(B3:C3)"


def test_a_labelled_row_that_is_not_a_sum_is_left_alone() -> None:
    """Averages, rates and products under a 'Total' label: no formula and, above all, no flag."""
    table = _table(
        [
            ["Country", "Population", "Density", "Share"],
            ["A", "120", "35", "40"],
            ["B", "80", "25", "60"],
            ["C", "100", "30", "45"],
            ["Total", "300", "30", "50"],  # density and share are averages
        ]
    )
    check_totals(table)
    assert _cell(table, 4, 1).formula == "SUM(B2:B4)"
    assert not any(c.check for c in table.cells)
    value = _table([["Qty", "Price", "Total value"], ["1", "1.10", "1.10"], ["12", "2.00", "24.00"]])
    check_totals(value)
    assert not any(c.check or c.formula for c in value.cells)


def test_rounded_figures_that_miss_their_totals_by_a_unit_are_not_flagged() -> None:
    """Published tables of rounded figures: every total is a unit or two off. A lone total one unit off,
    in a table that shows no rounding elsewhere, is what a misread last digit looks like: it is flagged."""
    rows = [["Country", "Value", "Other"]] + [[f"C{i}", f"{v:.1f}", "12.3"] for i, v in enumerate([12.3] * 6)]
    rows.append(["Total", "73.9", "73.7"])  # the shown terms sum to 73.8 in both columns
    table = _table(rows)
    check_totals(table)
    assert not any(c.check for c in table.cells)
    assert _cell(table, 7, 1).formula is None
    lone = _table([["Item", "Value"], ["a", "12.3"], ["b", "12.3"], ["c", "12.3"], ["Total", "36.8"]])
    check_totals(lone)
    assert lone.cells[-1].check is not None  # 36.9 expected: one digit off


def test_a_receipt_with_one_amount_column_is_checked_under_a_bare_total_label() -> None:
    table = _table([["Item", "Price"], ["Tacos", "9.50"], ["Soda", "2.25"], ["Total:", "11.75"]])
    check_totals(table)
    assert _cell(table, 3, 1).formula == "SUM(B2:B3)"
    wrong = _table([["Item", "Price"], ["Tacos", "9.50"], ["Soda", "2.25"], ["Total:", "17.75"]])
    check_totals(wrong)
    assert wrong.cells[-1].check is not None


def test_an_unlabelled_last_row_that_sums_two_columns_becomes_formulas() -> None:
    table = _table([["A", "B", "C"], ["x", "1", "2"], ["y", "3", "4"], ["", "4", "6"]])
    check_totals(table)
    assert _cell(table, 3, 1).formula == "SUM(B2:B3)" and _cell(table, 3, 2).formula == "SUM(C2:C3)"
    one = _table([["A", "B", "C"], ["x", "1", "2"], ["y", "3", "4"], ["", "4", "9"]])
    check_totals(one)
    assert not any(c.formula or c.check for c in one.cells)  # one column adding up may be chance


def _bench_tables() -> list[dict]:
    tables = []
    for path in sorted(BENCH.glob("*/*.json")):
        if path.name != "manifest.json":
            tables.extend(json.loads(path.read_text(encoding="utf-8")).get("tables", []))
    return tables


def _from_gt(t: dict, texts: dict[tuple[int, int], str] | None = None) -> Table:
    cells = [
        Cell(
            c["row"], c["col"], (texts or {}).get((c["row"], c["col"]), c["text"]), c["rowspan"], c["colspan"]
        )
        for c in t["cells"]
    ]
    for cell in cells:
        cell.header = cell.row < t["n_header_rows"]
    table = Table(n_rows=t["n_rows"], n_cols=t["n_cols"], cells=cells, n_header_rows=t["n_header_rows"])
    type_table(table)
    return table


def _typed_right(table: Table, t: dict) -> bool:
    """The typing reproduced every ground-truth number (a typing slip would rightly be flagged)."""
    for g in t["cells"]:
        if g.get("numeric") and not g.get("percent"):
            cell = next(c for c in table.cells if (c.row, c.col) == (g["row"], g["col"]))
            typed = cell.value
            if typed is not None and typed.kind in ("number", "currency"):
                assert isinstance(typed.value, int | float)
                if abs(float(typed.value) - g["value"]) > 1e-6 * max(1.0, abs(g["value"])):
                    return False
    return True


@pytest.mark.skipif(not BENCH.is_dir(), reason="needs ../shared/bench")
def test_on_the_bench_no_correct_table_is_flagged_and_corrupted_digits_in_exact_sums_are() -> None:
    rng = random.Random(11)
    tables = _bench_tables()
    flagged_correct, corrupted, caught, formulas = 0, 0, 0, 0
    for t in tables:
        table = _from_gt(t)
        checks = check_totals(table)
        formulas += sum(1 for c in table.cells if c.formula)
        if any(c.check for c in table.cells) and _typed_right(table, t):
            flagged_correct += 1
        # corrupt one digit of each term of a labelled total that adds up exactly in a table whose every
        # labelled total adds up exactly (the evidence a reader of the table would have too)
        labelled = [c for c in checks if c.labelled]
        if not labelled or not all(c.adds_up for c in labelled):
            continue
        for check in labelled:
            for pos in rng.sample([*check.terms, (check.row, check.col)], min(4, len(check.terms) + 1)):
                text = next(c["text"] for c in t["cells"] if (c["row"], c["col"]) == pos)
                digits = [i for i, ch in enumerate(text) if ch.isdigit() and (i or ch != "0")]
                if not digits:
                    continue
                i = rng.choice(digits)
                new = rng.choice([d for d in "123456789" if d != text[i]])
                bad = _from_gt(t, {pos: text[:i] + new + text[i + 1 :]})
                check_totals(bad)
                corrupted += 1
                caught += bool(next(c for c in bad.cells if (c.row, c.col) == pos).check)
    assert len(tables) > 200 and formulas > 100
    assert flagged_correct == 0
    assert corrupted > 300 and caught == corrupted, (caught, corrupted)
