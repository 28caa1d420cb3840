"""Edit before download: a finished job's table replaced by the grid the user corrected in the preview.

The edit travels as the table's whole grid (texts, merges, header rows). It is checked to be a grid (every
position covered by exactly one cell, within the size limits), retyped with the column inference recognition
uses (which ends with the totals check: sums become formulas, totals that do not add up are flagged), and the
job's workbook and JSON preview are written again with the usual writers, so the job's links serve the edited
table from then on. Nothing is written unless the whole edit is valid.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ConflictError, NotFoundError, RequestError
from .model import Job

if TYPE_CHECKING:
    from ..model import Cell, Table
    from .service import JobService

MAX_SIDE = 500  # rows or columns of an edited table
MAX_CELLS = 10_000  # grid positions of an edited table
MAX_TEXT = 2_000  # characters of one cell's text
MAX_PREVIEW_BYTES = 64 * 1024 * 1024  # a stored preview larger than this is not read back
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # \t (09) and \n (0a) are allowed


@dataclass(frozen=True)
class CellEdit:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


@dataclass(frozen=True)
class TableEdit:
    """A table as the user left it: its size, how many leading rows are header, and the top-left cell of
    every range (a merge is a cell with a span > 1; the positions it covers have no cell of their own)."""

    n_rows: int
    n_cols: int
    n_header_rows: int
    cells: tuple[CellEdit, ...]


def check_size(n_rows: int, n_cols: int, n_header_rows: int, n_cells: int) -> None:
    """The limits that bound the work an edit can cause, checked before any cell is looked at."""
    if not (1 <= n_rows <= MAX_SIDE and 1 <= n_cols <= MAX_SIDE):
        raise RequestError(f"nRows and nCols must be between 1 and {MAX_SIDE}")
    if n_rows * n_cols > MAX_CELLS:
        raise RequestError(
            f"the table has {n_rows * n_cols} grid positions; at most {MAX_CELLS} can be edited"
        )
    if not 0 <= n_header_rows <= n_rows:
        raise RequestError("nHeaderRows must be between 0 and nRows")
    if n_cells > n_rows * n_cols:
        raise RequestError(f"{n_cells} cells cannot fit in a {n_rows} x {n_cols} grid")


def check_grid(edit: TableEdit) -> None:
    """``RequestError`` naming the first cell that is out of the grid, overlaps another or has unusable
    text, or the first grid position no cell covers."""
    check_size(edit.n_rows, edit.n_cols, edit.n_header_rows, len(edit.cells))
    owner: list[int] = [-1] * (edit.n_rows * edit.n_cols)
    for i, cell in enumerate(edit.cells):
        where = f"cell {i} (row {cell.row}, col {cell.col})"
        if cell.rowspan < 1 or cell.colspan < 1:
            raise RequestError(f"{where}: rowspan and colspan must be at least 1")
        if not (cell.row >= 0 and cell.row + cell.rowspan <= edit.n_rows):
            raise RequestError(
                f"{where}: rows {cell.row}..{cell.row + cell.rowspan - 1} are outside the table"
            )
        if not (cell.col >= 0 and cell.col + cell.colspan <= edit.n_cols):
            raise RequestError(
                f"{where}: columns {cell.col}..{cell.col + cell.colspan - 1} are outside the table"
            )
        if len(cell.text) > MAX_TEXT:
            raise RequestError(f"{where}: the text is longer than {MAX_TEXT} characters")
        if _CONTROL.search(cell.text):
            raise RequestError(
                f"{where}: the text holds control characters (only tab and newline are allowed)"
            )
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                other = owner[r * edit.n_cols + c]
                if other >= 0:
                    raise RequestError(f"{where} overlaps cell {other} at row {r}, col {c}")
                owner[r * edit.n_cols + c] = i
    if -1 in owner:
        r, c = divmod(owner.index(-1), edit.n_cols)
        raise RequestError(f"no cell covers row {r}, col {c}: every grid position needs exactly one cell")


def edited_table(old: Table, edit: TableEdit, langs: Sequence[str] = ("eng",)) -> Table:
    """The new table: the edit's grid and texts, typed like recognition types a table (in the document's
    languages), the old table's page, box and style kept. A cell whose text differs from the old cell
    anchored at the same position (or that was edited before) is ``edited``, with confidence 1.0: the user
    vouched for it."""
    from ..model import Cell, Table
    from ..values import type_table

    before = {(c.row, c.col): c for c in old.cells}
    cells: list[Cell] = []
    for e in edit.cells:
        prior = before.get((e.row, e.col))
        changed = e.text != (prior.text if prior else "") or bool(prior and prior.edited)
        cells.append(
            Cell(
                row=e.row,
                col=e.col,
                text=e.text,
                rowspan=e.rowspan,
                colspan=e.colspan,
                confidence=1.0 if changed else (prior.confidence if prior else None),
                bbox=prior.bbox if prior else None,
                header=e.row < edit.n_header_rows,
                edited=changed,  # formula and check: derived anew by type_table's totals check
            )
        )
    table = Table(
        n_rows=edit.n_rows,
        n_cols=edit.n_cols,
        cells=cells,
        bbox=old.bbox,
        style=old.style,
        bordered=old.bordered,
        n_header_rows=edit.n_header_rows,
        page=old.page,
    )
    type_table(table, langs)
    _keep_header_rows(table, edit.n_header_rows)
    return table


def _keep_header_rows(table: Table, n_header_rows: int) -> None:
    """The user's header rows stay header: the typing step may hand trailing header rows that hold amounts
    back to the body, which is right for recognition's guess but not for the user's explicit choice."""
    from ..model import TypedValue

    if table.n_header_rows == n_header_rows:
        return
    table.n_header_rows = n_header_rows
    for cell in table.cells:
        if cell.row < n_header_rows:
            text = cell.text.strip()
            cell.header, cell.formula, cell.check = True, None, None
            cell.value = TypedValue("text", text) if text else TypedValue("empty", None)


def edit_table(service: JobService, job_id: str, index: int, edit: TableEdit) -> Job:
    """Replace table ``index`` of a finished job's result with ``edit``; returns the job (``updated_at``
    moved on). ``NotFoundError`` for an unknown job or table, ``ConflictError`` for a job not done,
    ``RequestError`` for an edit that is no grid. The stored objects change only once all checks passed."""
    from ..writers.json import to_json
    from ..writers.json_read import from_json
    from ..writers.xlsx import write_xlsx

    job = service.get_job(job_id)
    if job is None:
        raise NotFoundError("no such job (it may have expired)")
    if job.status != "done" or job.result is None:
        raise ConflictError(
            f"the job is {job.status.replace('_', ' ')}; only a finished conversion can be edited"
        )
    if not 0 <= index < job.result.tables:
        raise NotFoundError(f"the job has no table {index} (it has {job.result.tables})")
    check_grid(edit)

    stored = service.results.get_bytes(job.result.json_key, max_bytes=MAX_PREVIEW_BYTES)
    doc = from_json(json.loads(stored))
    if index >= len(doc.tables):
        raise NotFoundError(f"the job has no table {index}")
    doc.tables[index] = edited_table(doc.tables[index], edit, doc.langs)

    workbook = io.BytesIO()
    write_xlsx(doc, workbook)
    preview = json.dumps(to_json(doc)).encode()
    service.results.put_bytes(job.result.xlsx_key, workbook.getvalue(), XLSX_TYPE)
    service.results.put_bytes(job.result.json_key, preview, "application/json")
    moved = service.jobs.transition(job_id, ("done",), "done", updated_at=service.now())
    return moved or service.get_job(job_id) or job
