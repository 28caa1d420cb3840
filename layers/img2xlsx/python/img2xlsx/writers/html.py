"""HTML rendering: every table with its rowspan/colspan, all text escaped; a page or a fragment."""

from __future__ import annotations

from html import escape

from img2xlsx.model import Cell, Document, Table
from img2xlsx.writers.common import clean_text, is_header, is_low_confidence, placed_cells

_NUMERIC_KINDS = {"number", "percent", "currency"}

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
table.img2xlsx{border-collapse:collapse;margin:0 0 1.5rem}
table.img2xlsx td,table.img2xlsx th{border:1px solid #ccc;padding:.2rem .5rem;vertical-align:top}
table.img2xlsx th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.low-confidence{background:#fff3cd}
ul.warnings{color:#8a5300}
""".strip()


def _cell_html(cell: Cell, rowspan: int, colspan: int, n_header_rows: int) -> str:
    tag = "th" if is_header(cell, n_header_rows) else "td"
    attrs: list[str] = []
    if rowspan > 1:
        attrs.append(f'rowspan="{rowspan}"')
    if colspan > 1:
        attrs.append(f'colspan="{colspan}"')
    classes: list[str] = []
    if tag == "td" and cell.value is not None and cell.value.kind in _NUMERIC_KINDS:
        classes.append("num")
    if is_low_confidence(cell):
        assert cell.confidence is not None
        classes.append("low-confidence")
        attrs.append(f'title="OCR confidence {cell.confidence:.0%}"')
    elif cell.check:
        classes.append("low-confidence")
        attrs.append(f'title="{escape(cell.check)}"')
    if classes:
        attrs.insert(0, f'class="{" ".join(classes)}"')
    text = escape(clean_text(cell.text).strip()).replace("\n", "<br>")
    opening = f"<{tag} {' '.join(attrs)}>" if attrs else f"<{tag}>"
    return f"{opening}{text}</{tag}>"


def table_html(table: Table, index: int = 0) -> str:
    """One ``<table>``: header rows in ``<thead>`` (as ``<th>``), the rest in ``<tbody>``."""
    by_row: dict[int, list[tuple[Cell, int, int]]] = {}
    for placed in placed_cells(table):
        by_row.setdefault(placed[0].row, []).append(placed)
    head_rows: list[str] = []
    body_rows: list[str] = []
    for r in range(table.n_rows):
        cells = by_row.get(r, [])  # already in column order
        row = "<tr>" + "".join(_cell_html(c, rs, cs, table.n_header_rows) for c, rs, cs in cells) + "</tr>"
        (head_rows if r < table.n_header_rows else body_rows).append(row)
    parts = [f'<table class="img2xlsx" data-table="{index}" data-page="{table.page}">']
    if head_rows:
        parts.append("<thead>" + "".join(head_rows) + "</thead>")
    parts.append("<tbody>" + "".join(body_rows) + "</tbody>")
    parts.append("</table>")
    return "".join(parts)


def to_html(doc: Document, *, full_page: bool = True) -> str:
    """Tables in reading order (or the text lines when there is none), plus warnings."""
    body: list[str] = []
    if doc.warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in doc.warnings)
        body.append(f'<ul class="warnings">{items}</ul>')
    for index, table in enumerate(doc.tables):
        body.append(table_html(table, index))
    if not doc.tables:
        body.extend(
            f'<p class="line">{escape(clean_text(line.text).strip())}</p>'
            for line in doc.lines
            if line.text.strip()
        )
    content = "\n".join(body)
    if not full_page:
        return content
    title = escape(doc.source or "img2xlsx")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{_STYLE}</style></head>\n'
        f"<body>\n{content}\n</body></html>\n"
    )
