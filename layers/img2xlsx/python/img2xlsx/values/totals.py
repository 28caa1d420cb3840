"""The table checks its own sums: totals become Excel SUM formulas, totals that do not add up are flagged.

A misread digit is invisible to the reader's confidence (Tesseract and PP-OCR are often sure of a wrong 8),
but a total row or column makes the table redundant: the recognised total must equal the sum of its terms.
Where it does, the workbook gets ``=SUM(...)`` with the recognised value cached, so the sheet stays live.
Where it does not, nothing is corrected: the total and its terms are marked doubtful with the reason.

A row or column is a total when it is labelled so (Total, Sum, Subtotal, Gesamt, Total général, Tổng, ...)
or, unlabelled, when its values equal the sums of at least two other columns or rows. Only labelled totals
are ever flagged, and only with evidence that the row really sums (another of its columns adds up, or the
difference is what one misread digit makes), so a table that is right is never flagged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from img2xlsx.model import Cell, Table

# Words that label a total, in the languages the engine reads (matched on whole words, case-insensitive).
TOTAL_LABEL = re.compile(
    r"(?<!\w)(?:grand[\s-]*total|sub[\s-]*total|totals?|sum|summe|gesamt(?:summe)?|insgesamt|zwischensumme|"
    r"total\s+g[ée]n[ée]ral|sous[\s-]*total|somme|suma|totale|totaal|subtotaal|t[ổô]ng(?:\s+c[ộo]ng)?|"
    r"итого|всего|合计|总计)(?!\w)",
    re.IGNORECASE,
)
AMOUNT_KINDS = frozenset({"number", "currency"})
# Cells inside a summed range that stand for "nothing": they neither stop nor change the sum.
_PLACEHOLDER = re.compile(r"^[\s\-\u2013\u2014.\u00b7/]*$|^(?:n/?a|nil|none|k\.?\s?a\.?)$", re.IGNORECASE)
_DECIMALS = re.compile(r"\.(0+)")
# Column headers of quantities that do not add up: their 'Total' row holds an average, a rate or a share.
NOT_ADDITIVE = re.compile(
    r"(?<!\w)(?:average|avg|mean|median|rate|ratio|per|density|share|index|%|"
    r"durchschnitt|mittel|anteil|moyenne|taux|part|promedio|media|tasa|"
    r"trung\s+b[iì]nh|t[ỷỉ]\s+l[eệ])(?!\w)",
    re.IGNORECASE,
)
MIN_TERMS = 2


@dataclass(frozen=True)
class TotalCheck:
    """One total cell and what its terms add up to."""

    row: int
    col: int
    terms: tuple[tuple[int, int], ...]  # (row, col) of each summed cell
    total: float
    summed: float
    places: int  # decimal places shown: the precision the sum is compared at
    labelled: bool

    @property
    def adds_up(self) -> bool:
        return abs(self.total - self.summed) < 0.5 * 10.0**-self.places

    @property
    def rounding(self) -> bool:
        """Off by what rounding each term makes: published totals of rounded figures differ from the sum of
        the shown terms by a unit or two of the last place (one unit per five terms, at least one)."""
        units = abs(self.total - self.summed) * 10**self.places
        return units <= max(1, len(self.terms) // 5) + 1e-6

    @property
    def like_an_average(self) -> bool:
        """The total is the terms' mean (to 2 %): an average under a 'Total' label, not a sum."""
        mean = self.summed / len(self.terms)
        return abs(self.total - mean) <= max(0.02 * abs(mean), 0.5 * 10.0**-self.places)

    @property
    def one_digit_slip(self) -> bool:
        """The difference is d x 10^k (d = 1..9): what one misread digit in a term or the total makes."""
        units = round(abs(self.total - self.summed) * 10**self.places)
        if units <= 0:
            return False
        while units % 10 == 0:
            units //= 10
        return units < 10


def _amount(cell: Cell | None) -> float | None:
    if cell is None or cell.value is None or cell.value.kind not in AMOUNT_KINDS:
        return None
    value = cell.value.value
    return float(value) if isinstance(value, int | float) and math.isfinite(float(value)) else None


def _places(cells: Iterable[Cell]) -> int:
    """Decimal places the column shows (from the number formats the typing chose)."""
    best = 0
    for cell in cells:
        if cell.value is not None:
            match = _DECIMALS.search(cell.value.number_format)
            best = max(best, len(match.group(1)) if match else 0)
    return best


def _is_blank(cell: Cell | None) -> bool:
    return cell is None or bool(_PLACEHOLDER.match(cell.text.strip()))


def _col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _ref(row: int, col: int) -> str:
    return f"{_col_letter(col)}{row + 1}"


def _sum_formula(terms: tuple[tuple[int, int], ...]) -> str:
    """SUM over the terms, contiguous runs written as ranges: SUM(B2:B5), SUM(B2:B4,B6:B8)."""
    parts: list[str] = []
    run: list[tuple[int, int]] = []
    for pos in terms:
        if (
            run
            and not (pos[1] == run[-1][1] and pos[0] == run[-1][0] + 1)
            and not (pos[0] == run[-1][0] and pos[1] == run[-1][1] + 1)
        ):
            parts.append(_ref(*run[0]) if len(run) == 1 else f"{_ref(*run[0])}:{_ref(*run[-1])}")
            run = []
        run.append(pos)
    if run:
        parts.append(_ref(*run[0]) if len(run) == 1 else f"{_ref(*run[0])}:{_ref(*run[-1])}")
    return f"SUM({','.join(parts)})"


class _Grid:
    """Read access to a typed table: which cell owns a position, which rows/columns are totals."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.owner = table.grid()
        self.first_body = min(table.n_header_rows, table.n_rows)

    def own(self, row: int, col: int) -> Cell | None:
        """The cell starting at (row, col) and covering only that position, else None."""
        cell = self.owner[row][col]
        if cell is None or cell.row != row or cell.col != col or cell.rowspan != 1 or cell.colspan != 1:
            return None
        return cell

    def row_label(self, row: int) -> bool:
        cells = {id(c): c for c in self.owner[row] if c is not None}.values()
        return any(_amount(c) is None and TOTAL_LABEL.search(c.text) for c in cells)

    def additive(self, col: int) -> bool:
        """The column's header does not name an average, rate, price or share."""
        heads = {id(self.owner[r][col]): self.owner[r][col] for r in range(self.first_body)}.values()
        return not any(c is not None and NOT_ADDITIVE.search(c.text) for c in heads)

    def col_label(self, col: int) -> bool:
        heads = {id(self.owner[r][col]): self.owner[r][col] for r in range(self.first_body)}.values()
        return any(c is not None and TOTAL_LABEL.search(c.text) for c in heads)


def _terms(grid: _Grid, positions: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...] | None:
    """The amount cells among ``positions`` (a stretch of a column or a row); None when a cell there is
    text (the stretch does not sum) or fewer than two amounts remain."""
    terms: list[tuple[int, int]] = []
    for r, c in positions:
        cell = grid.own(r, c)
        if _amount(cell) is not None:
            terms.append((r, c))
        elif not _is_blank(cell if cell is not None else grid.owner[r][c]):
            return None
    return tuple(terms) if len(terms) >= MIN_TERMS else None


def _column_terms(grid: _Grid, col: int, rows: Iterable[int]) -> tuple[tuple[int, int], ...] | None:
    return _terms(grid, ((r, col) for r in rows))


def _row_terms(grid: _Grid, row: int, cols: Iterable[int]) -> tuple[tuple[int, int], ...] | None:
    return _terms(grid, ((row, c) for c in cols))


def _check(
    grid: _Grid, pos: tuple[int, int], terms: tuple[tuple[int, int], ...], labelled: bool
) -> TotalCheck:
    total_cell = grid.own(*pos)
    assert total_cell is not None
    cells = [total_cell, *(c for c in (grid.own(*t) for t in terms) if c is not None)]
    total = _amount(total_cell)
    assert total is not None
    summed = sum(_amount(grid.own(*t)) or 0.0 for t in terms)
    return TotalCheck(pos[0], pos[1], terms, total, summed, _places(cells), labelled)


def _row_totals(grid: _Grid) -> list[TotalCheck]:
    """Totals at the foot of column stretches: labelled rows, or an unlabelled last row that adds up.

    A labelled row is checked against the rows since the previous total (its section); when that does not
    add up, a grand total may still sum the subtotals or every body row above, which then gives the formula.
    """
    table = grid.table
    checks: list[TotalCheck] = []
    labelled_rows = [r for r in range(grid.first_body, table.n_rows) if grid.row_label(r)]
    for col in range(table.n_cols):
        start = grid.first_body
        subtotals: list[tuple[int, int]] = []
        for r in labelled_rows:
            if _amount(grid.own(r, col)) is None:
                start = r + 1
                continue
            section = _column_terms(grid, col, [x for x in range(start, r) if x not in labelled_rows])
            body = _column_terms(grid, col, [x for x in range(grid.first_body, r) if x not in labelled_rows])
            others = [t for t in (tuple(subtotals) if len(subtotals) >= MIN_TERMS else None, body) if t]
            alternative = next(
                (c for c in (_check(grid, (r, col), t, False) for t in others) if c.adds_up), None
            )
            if section is not None:
                check = _check(grid, (r, col), section, True)
                checks.append(alternative if alternative is not None and not check.adds_up else check)
            elif alternative is not None:
                checks.append(alternative)
            subtotals.append((r, col))
            start = r + 1
    last = table.n_rows - 1
    if last > grid.first_body + MIN_TERMS - 1 and last not in labelled_rows:
        unlabelled = []
        for col in range(table.n_cols):
            if _amount(grid.own(last, col)) is None:
                continue
            terms = _column_terms(grid, col, range(grid.first_body, last))
            if terms:
                check = _check(grid, (last, col), terms, False)
                if check.adds_up and check.total != 0:
                    unlabelled.append(check)
        if len(unlabelled) >= MIN_TERMS:
            checks.extend(unlabelled)
    return checks


def _column_totals(grid: _Grid) -> list[TotalCheck]:
    """Totals at the right end of rows: a column labelled Total, or an unlabelled last column that adds up."""
    table = grid.table
    checks: list[TotalCheck] = []
    body = range(grid.first_body, table.n_rows)
    labelled_cols = [c for c in range(table.n_cols) if grid.col_label(c)]
    for col in labelled_cols:
        previous = max((c for c in labelled_cols if c < col), default=-1)
        for r in body:
            if _amount(grid.own(r, col)) is None or (grid.row_label(r) and col == 0):
                continue
            first = next((c for c in range(previous + 1, col) if _amount(grid.own(r, c)) is not None), None)
            if first is None:
                continue
            terms = _row_terms(grid, r, range(first, col))
            if terms:
                checks.append(_check(grid, (r, col), terms, True))
    last = table.n_cols - 1
    if last not in labelled_cols and table.n_cols > MIN_TERMS:
        unlabelled = []
        for r in body:
            if _amount(grid.own(r, last)) is None:
                continue
            first = next((c for c in range(last) if _amount(grid.own(r, c)) is not None), None)
            terms = _row_terms(grid, r, range(first, last)) if first is not None else None
            if terms:
                check = _check(grid, (r, last), terms, False)
                if check.adds_up and check.total != 0:
                    unlabelled.append(check)
        if len(unlabelled) >= MIN_TERMS and len(unlabelled) == sum(
            1 for r in body if _amount(grid.own(r, last)) is not None
        ):
            checks.extend(unlabelled)
    return checks


def _flaggable(check: TotalCheck, peers: list[TotalCheck], lone: bool, exact: bool) -> bool:
    """A labelled total that does not add up, with evidence that it is meant to.

    The difference must be what one misread digit makes; the total must not be the terms' mean (averages
    share 'Total' rows with sums); the table must show that this kind of total really sums: a peer (the same
    row's other columns for a total row, the same column's other rows for a total column) adds up (to
    rounding), or the row holds a single amount under its total label (a receipt). Rounding differences
    are forgiven when another total of the table (sharing no cell with this one) is off by rounding too.
    """
    if check.adds_up or not check.labelled or not check.one_digit_slip or (check.rounding and not exact):
        return False
    if check.like_an_average:
        return False
    return any((p.adds_up or p.rounding) and p.labelled for p in peers) or lone


def _fmt(value: float, places: int) -> str:
    return f"{value:,.{places}f}"


def _flag(grid: _Grid, check: TotalCheck) -> None:
    cell = grid.own(check.row, check.col)
    assert cell is not None
    where = f"{_ref(*check.terms[0])}:{_ref(*check.terms[-1])}"
    cell.check = (
        f"The total {_fmt(check.total, check.places)} does not match the sum of {where}, "
        f"{_fmt(check.summed, check.places)}: one of these numbers may be misread."
    )
    for pos in check.terms:
        term = grid.own(*pos)
        if term is not None and term.check is None:
            term.check = f"Part of the total in {_ref(check.row, check.col)}, which does not add up."


def check_totals(table: Table) -> list[TotalCheck]:
    """Find the table's totals; set ``formula`` on those that add up and ``check`` on those that do not.

    Runs on a typed table (the last step of :func:`img2xlsx.values.type_table`); returns every total
    examined.
    """
    for each in table.cells:  # a re-typed (edited) table is checked afresh
        each.formula = each.check = None
    if table.n_rows < MIN_TERMS + 1:
        return []
    grid = _Grid(table)
    by_rows, by_cols = _row_totals(grid), _column_totals(grid)
    for check in (*by_rows, *by_cols):
        cell = grid.own(check.row, check.col)
        assert cell is not None
        if check.adds_up:
            cell.formula = _sum_formula(check.terms)
    labelled = [c for c in (*by_rows, *by_cols) if c.labelled]
    for check in labelled:
        # rounding shows in the table's other totals; those sharing a cell with this one are off by the same
        # misread, so they do not count as evidence of rounding
        cells = {*check.terms, (check.row, check.col)}
        others = [c for c in labelled if c is not check and not cells & {*c.terms, (c.row, c.col)}]
        exact = all(c.adds_up or not c.rounding for c in others)
        if check in by_rows:
            peers = [c for c in by_rows if c is not check and c.row == check.row]
            flag = grid.additive(check.col) and _flaggable(check, peers, not peers, exact)
        else:
            peers = [c for c in by_cols if c is not check and c.col == check.col]
            summing = 2 * sum(p.adds_up or p.rounding for p in peers) >= len(peers)
            flag = summing and _flaggable(check, peers, False, exact)
        if flag:
            _flag(grid, check)
    return [*by_rows, *by_cols]
