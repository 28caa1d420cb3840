"""``bench.structmiss`` names the structural error a sheet has against its GT table."""

from __future__ import annotations

from bench.grid import GridCell, GridTable
from bench.structmiss import table_errors


def _table(rows: list[list[str | tuple[str, int]]], header: int = 0) -> GridTable:
    """A table from rows of texts; ``(text, n)`` spans n columns."""
    cells: list[GridCell] = []
    n_cols = 0
    for r, row in enumerate(rows):
        c = 0
        for item in row:
            text, span = item if isinstance(item, tuple) else (item, 1)
            cells.append(GridCell(r, c, 1, span, text))
            c += span
        n_cols = max(n_cols, c)
    return GridTable(len(rows), n_cols, cells, n_header_rows=header)


GT = _table(
    [
        ["Item", "FY2024", "FY2023"],
        [("Operating", 3)],
        ["Revenue", "10", "12"],
        ["Cost", "4", "5"],
        ["Profit", "6", "7"],
    ],
    header=1,
)


def test_a_section_label_without_its_span() -> None:
    pred = _table([["Item", "FY2024", "FY2023"], ["Operating", "", ""], *_rows()])
    found = table_errors(pred, GT)
    assert {k for k, _ in found.errors} == {"section colspan missing"}
    assert abs(sum(found.shares().values()) - found.loss) < 1e-9 and found.loss > 0


def test_body_rows_run_together() -> None:
    pred = _table(
        [["Item", "FY2024", "FY2023"], [("Operating", 3)], ["Revenue Cost", "10 4", "12 5"], _rows()[2]]
    )
    assert {k for k, _ in table_errors(pred, GT).errors} == {"body rows merged"}


def test_header_row_lost_and_a_note_taken_in() -> None:
    pred = _table([[("Operating", 3)], *_rows(), ["Source: internal", "", ""]])
    kinds = {k for k, _ in table_errors(pred, GT).errors}
    assert kinds == {"header row dropped", "extra row"}


def test_a_right_sheet_has_no_error() -> None:
    assert table_errors(GT, GT).errors == []
    assert table_errors(None, GT).shares() == {"no sheet": 1.0}


def _rows() -> list[list[str | tuple[str, int]]]:
    return [["Revenue", "10", "12"], ["Cost", "4", "5"], ["Profit", "6", "7"]]
