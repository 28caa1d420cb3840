"""Excel workbook: one worksheet per table, in reading order, reproducing spans, types and formats.

Numbers and dates are stored as real values with the number format the picture showed; header rows are bold
and frozen; borders are drawn only when the source table had them; cells the OCR was unsure about carry a
comment with the confidence so a reviewer can find them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from img2xlsx.model import Cell, Document, Table
from img2xlsx.writers.common import clean_text, is_header, is_low_confidence, placed_cells

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

TEXT_SHEET_NAME = "Text"  # the sheet written when a picture holds no table
_MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH = 6.0, 60.0


def sheet_names(doc: Document) -> list[str]:
    """Unique, Excel-legal worksheet names in table order: "Table 1", "Page 2 Table 1" on multi-page pictures,
    and always by page for PDFs ("p2 Table 1"), whose pages a reader refers to."""
    if doc.kind == "pdf":
        return _pdf_sheet_names(doc)
    multi_page = len({t.page for t in doc.tables}) > 1
    per_page: dict[int, int] = {}
    names: list[str] = []
    taken: set[str] = set()
    for table in doc.tables:
        per_page[table.page] = per_page.get(table.page, 0) + 1
        index = per_page[table.page] if multi_page else len(names) + 1
        base = f"Page {table.page + 1} Table {index}" if multi_page else f"Table {index}"
        names.append(_unique(_BAD_SHEET_CHARS.sub(" ", base)[:_MAX_SHEET_NAME], taken))
    return names


def _pdf_sheet_names(doc: Document) -> list[str]:
    per_page: dict[int, int] = {}
    names: list[str] = []
    taken: set[str] = set()
    for table in doc.tables:
        per_page[table.page] = per_page.get(table.page, 0) + 1
        names.append(_unique(f"p{table.page + 1} Table {per_page[table.page]}", taken))
    return names


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate = name[: _MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


def _display_width(cell: Cell, header: bool) -> float:
    """Rough column width in Excel character units for what the cell shows (bold text is wider)."""
    longest = max((len(line) for line in cell.text.splitlines()), default=0)
    return longest * (1.15 if header else 1.05) + 2


def _number_text(value: float | int) -> str:
    """A cached formula result as SpreadsheetML writes numbers (shortest round-trip repr)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _write_value(target: object, cell: Cell) -> None:
    from openpyxl.cell.cell import Cell as XlCell

    assert isinstance(target, XlCell)
    typed = cell.value
    if (
        typed is None
        or typed.kind in ("text", "empty")
        or typed.value is None
        or isinstance(typed.value, str)
    ):
        text = clean_text(typed.value if typed is not None and isinstance(typed.value, str) else cell.text)
        text = text.strip()
        if text:
            target.value = text
            target.data_type = "s"  # never let "=..." text become a formula
        return
    target.value = (
        f"={cell.formula}" if cell.formula and isinstance(typed.value, int | float) else typed.value
    )
    target.number_format = typed.number_format


def _review_note(cell: Cell) -> str | None:
    """The comment a reviewer finds on a doubtful cell: low OCR confidence and/or a failed check."""
    notes = []
    if is_low_confidence(cell):
        assert cell.confidence is not None
        notes.append(f"Low OCR confidence: {cell.confidence:.0%}. Please check.")
    if cell.check:
        notes.append(cell.check)
    return " ".join(notes) or None


def _write_table(ws: Worksheet, table: Table) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin) if table.bordered else None
    bold = Font(bold=True)
    widths: dict[int, float] = {}
    n_header = table.n_header_rows
    placed = placed_cells(table)
    for cell, rowspan, colspan in placed:
        target = ws.cell(row=cell.row + 1, column=cell.col + 1)
        _write_value(target, cell)
        header = is_header(cell, n_header)
        if header:
            target.font = bold
            target.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        elif "\n" in cell.text:
            target.alignment = Alignment(vertical="top", wrap_text=True)
        elif rowspan > 1 or colspan > 1:
            target.alignment = Alignment(vertical="center")
        if border is not None:
            target.border = border
        note = _review_note(cell)
        if note:
            comment = Comment(note, "img2xlsx")
            comment.width, comment.height = 260, 80
            target.comment = comment
        if colspan == 1:
            widths[cell.col] = max(widths.get(cell.col, 0.0), _display_width(cell, header))
    for cell, rowspan, colspan in placed:
        if rowspan == 1 and colspan == 1:
            continue
        if border is not None:  # style every covered position so the merged outline is complete
            for r in range(cell.row, cell.row + rowspan):
                for c in range(cell.col, cell.col + colspan):
                    ws.cell(row=r + 1, column=c + 1).border = border
        ws.merge_cells(
            start_row=cell.row + 1,
            start_column=cell.col + 1,
            end_row=cell.row + rowspan,
            end_column=cell.col + colspan,
        )
    for col in range(table.n_cols):
        width = min(max(widths.get(col, _MIN_WIDTH), _MIN_WIDTH), _MAX_WIDTH)
        ws.column_dimensions[get_column_letter(col + 1)].width = round(width, 1)
    if 0 < n_header < table.n_rows:
        ws.freeze_panes = f"A{n_header + 1}"  # a coordinate: that cell may be inside a merge (a MergedCell)


def _write_text_sheet(ws: Worksheet, doc: Document) -> None:
    from openpyxl.styles import Font

    longest = 10
    row = 1
    for line in doc.lines:
        text = clean_text(line.text).strip()
        if not text:
            continue
        target = ws.cell(row=row, column=1, value=text)
        target.data_type = "s"
        longest = max(longest, len(text))
        row += 1
    if row == 1 and doc.warnings:
        ws.cell(row=1, column=1, value="; ".join(doc.warnings)).font = Font(italic=True)
    ws.column_dimensions["A"].width = min(longest + 2, 120)


def build_workbook(doc: Document) -> Workbook:
    """The openpyxl Workbook for a document (exposed for callers that want to post-process it)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = "img2xlsx"
    if doc.source:
        wb.properties.title = Path(doc.source).stem
    default = wb.active
    assert default is not None
    if not doc.tables:
        default.title = TEXT_SHEET_NAME
        _write_text_sheet(default, doc)
        return wb
    wb.remove(default)
    for name, table in zip(sheet_names(doc), doc.tables, strict=True):
        _write_table(wb.create_sheet(title=name), table)
    return wb


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*/>')


def _cache_formula_results(data: bytes, doc: Document) -> bytes:
    """Store each formula's recognised result as its cached value.

    openpyxl writes formulas without a result; Excel recomputes on open (fullCalcOnLoad), but readers that do
    not calculate (pandas, openpyxl data_only, previews, converters) would see an empty cell instead of the
    number the picture shows.
    """
    import zipfile

    from openpyxl.utils import get_column_letter

    cached: dict[int, dict[bytes, bytes]] = {}
    for index, table in enumerate(doc.tables):
        for cell in table.cells:
            typed = cell.value
            if cell.formula and typed is not None and isinstance(typed.value, int | float):
                ref = f"{get_column_letter(cell.col + 1)}{cell.row + 1}".encode()
                cached.setdefault(index + 1, {})[ref] = _number_text(typed.value).encode()
    if not cached:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            payload = src.read(item.filename)
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", item.filename)
            values = cached.get(int(match.group(1))) if match else None
            if values:

                def put(m: re.Match[bytes], values: dict[bytes, bytes] = values) -> bytes:
                    value = values.get(m.group(1))
                    if value is None:
                        return m.group(0)
                    return b'<c r="%s"%s><f>%s</f><v>%s</v>' % (m.group(1), m.group(2), m.group(3), value)

                payload = _FORMULA_CELL.sub(put, payload)
            dst.writestr(item, payload)
    return out.getvalue()


def write_xlsx(doc: Document, dest: str | Path | BinaryIO) -> None:
    """Write the workbook to a path or a binary file object."""
    buffer = io.BytesIO()
    build_workbook(doc).save(buffer)
    data = _cache_formula_results(buffer.getvalue(), doc)
    if isinstance(dest, str | Path):
        Path(dest).write_bytes(data)
    else:
        dest.write(data)
