"""Read a converter's workbook back into grid tables: one table per non-empty worksheet, merges as spans.

The scorer only ever sees what a user would see in Excel: the shown text of every cell (number formats
applied, see ``numfmt``) and whether the cell stores a number.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

from bench.grid import GridCell, GridTable, norm_text
from bench.numfmt import general, render_datetime, render_number


def display_text(value: Any, number_format: str) -> str:
    """The text Excel shows for a stored value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return render_number(value, number_format or "General")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return render_datetime(value, number_format or "General")
    if isinstance(value, dt.timedelta):
        return general(value.total_seconds() / 86400)
    return str(value)


# (decimal mark, thousands separator) Excel uses for a workbook opened in that language's locale
LOCALE_SEPARATORS: dict[str, tuple[str, str]] = {
    "deu": (",", "."),
    "spa": (",", "."),
    "ita": (",", "."),
    "nld": (",", "."),
    "por": (",", "."),
    "vie": (",", "."),
    "ind": (",", "."),
    "fra": (",", "\u202f"),
}


def localize(text: str, lang: str | None) -> str:
    """A number's shown text as Excel shows it in ``lang``'s locale (``1,234.5`` → ``1.234,5`` in German):
    the format's ``,`` and ``.`` are placeholders Excel fills with the locale's separators."""
    seps = LOCALE_SEPARATORS.get(lang or "")
    if not seps:
        return text
    return text.translate(str.maketrans({".": seps[0], ",": seps[1]}))


_MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]  # C locale: English


def localize_months(text: str, lang: str | None) -> str:
    """A date's shown text with full month names in ``lang`` (Excel shows ``mmmm`` in the user's language)."""
    if not lang or lang == "eng":
        return text
    from bench.gen.locales import LOCALES

    loc = LOCALES.get(lang)
    if loc is None:
        return text
    for en, local in zip(_MONTHS, loc.months, strict=True):
        text = text.replace(en, local)
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def sheet_to_table(ws: Any, lang: str | None = None) -> GridTable | None:
    """Grid of the used area of a worksheet (bounding box of values and merges); None when it is empty.
    ``lang``: show numbers with that locale's separators (see ``localize``)."""
    merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    filled: dict[tuple[int, int], Any] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None and not (isinstance(cell.value, str) and not cell.value.strip()):
                filled[(cell.row, cell.column)] = cell
    if not filled:
        return None
    rows = [r for r, _ in filled] + [m[0] for m in merges] + [m[2] for m in merges]
    cols = [c for _, c in filled] + [m[1] for m in merges] + [m[3] for m in merges]
    r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
    covered: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for mr in merges:
        for r in range(mr[0], mr[2] + 1):
            for c in range(mr[1], mr[3] + 1):
                covered[(r, c)] = mr
    cells: list[GridCell] = []
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            m = covered.get((r, c))
            if m is not None and (m[0], m[1]) != (r, c):
                continue  # inside a merged range, owned by its top-left cell
            src = filled.get((r, c))
            value = src.value if src is not None else None
            number = _is_number(value)
            shown = display_text(value, src.number_format if src is not None else "")
            if number:
                shown = localize(shown, lang)
            elif isinstance(value, dt.date | dt.datetime):
                shown = localize_months(shown, lang)
            cells.append(
                GridCell(
                    row=r - r0,
                    col=c - c0,
                    rowspan=(m[2] - m[0] + 1) if m else 1,
                    colspan=(m[3] - m[1] + 1) if m else 1,
                    text=norm_text(shown),
                    numeric=number,
                    value=float(value) if number and value is not None else None,
                )
            )
    return GridTable(n_rows=r1 - r0 + 1, n_cols=c1 - c0 + 1, cells=cells, name=str(ws.title))


NON_TABLE_SHEETS = frozenset({"Text"})  # img2xlsx's sheet of loose text lines, written when it found no table


def read_workbook(path: str | Path, lang: str | None = None) -> list[GridTable]:
    """All tables of a workbook, in sheet order (empty sheets and ``NON_TABLE_SHEETS`` are not tables);
    numbers shown as in ``lang``'s locale (default: English)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        sheets = [ws for ws in wb.worksheets if ws.title not in NON_TABLE_SHEETS]
        return [t for ws in sheets if (t := sheet_to_table(ws, lang)) is not None]
    finally:
        wb.close()
