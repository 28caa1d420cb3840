"""CSV export: one file per table, showing what the picture showed (the recognised text).

A merged cell's text sits in its top-left position and the positions it covers stay empty. Files are UTF-8
with a BOM so Excel opens accents and currency symbols correctly. Text that a spreadsheet would run as a
formula is prefixed with an apostrophe (CSV injection); real negative numbers are left alone.
"""

from __future__ import annotations

import csv
from pathlib import Path

from img2xlsx.model import Cell, Document, Table
from img2xlsx.writers.common import clean_text, placed_cells

_NUMERIC_KINDS = {"number", "percent", "currency"}


def _safe(text: str, cell: Cell | None) -> str:
    text = clean_text(text).strip()
    if not text:
        return text
    numeric = cell is not None and cell.value is not None and cell.value.kind in _NUMERIC_KINDS
    if text[0] in "=@\t\r" or (text[0] in "+-" and not numeric):
        return "'" + text
    return text


def table_rows(table: Table) -> list[list[str]]:
    """The table as a list of rows of strings, spans flattened onto their top-left position."""
    rows = [[""] * table.n_cols for _ in range(table.n_rows)]
    for cell, _, _ in placed_cells(table):
        rows[cell.row][cell.col] = _safe(cell.text, cell)
    return rows


def write_csv(doc: Document, dest_dir: str | Path, stem: str) -> list[Path]:
    """Write ``stem.csv`` (one table, or the text lines when none) or ``stem_table1.csv``, ..."""
    out_dir = Path(dest_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if not doc.tables:
        path = out_dir / f"{stem}.csv"
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            for line in doc.lines:
                if line.text.strip():
                    writer.writerow([_safe(line.text, None)])
        return [path]
    for index, table in enumerate(doc.tables, start=1):
        name = f"{stem}.csv" if len(doc.tables) == 1 else f"{stem}_table{index}.csv"
        path = out_dir / name
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows(table_rows(table))
        written.append(path)
    return written
