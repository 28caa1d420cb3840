"""Helpers for the bench tests: build grid tables and write them as workbooks the way a converter would."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bench.dataset import bench_dir
from bench.grid import GridCell, GridTable

BENCH = bench_dir()
needs_bench = pytest.mark.skipif(not (BENCH / "synthetic").is_dir(), reason=f"no bench data at {BENCH}")


def table(
    rows: list[list[str | None]], spans: dict[tuple[int, int], tuple[int, int]] | None = None
) -> GridTable:
    """A grid table from row texts; ``spans`` maps (row, col) → (rowspan, colspan); ``None`` texts skipped."""
    spans = spans or {}
    cells = [
        GridCell(r, c, *spans.get((r, c), (1, 1)), text=text)
        for r, row in enumerate(rows)
        for c, text in enumerate(row)
        if text is not None
    ]
    return GridTable(n_rows=len(rows), n_cols=max(len(r) for r in rows), cells=cells)


def number_format_for(text: str) -> str | None:
    """An Excel format that shows ``text`` back for the plain shapes of number the tests use, else None."""
    if re.fullmatch(r"-?\d+", text):
        return "General"
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text):
        return "#,##0"
    if m := re.fullmatch(r"-?\d+\.(\d+)", text):
        return "0." + "0" * len(m.group(1))
    if m := re.fullmatch(r"-?\d+(?:\.(\d+))?%", text):
        return "0" + ("." + "0" * len(m.group(1)) if m.group(1) else "") + "%"
    return None


def write_gt_workbook(
    doc: dict[str, Any], dest: Path, *, origin: tuple[int, int] = (1, 1), numbers: str = "typed"
) -> Path:
    """Write GT tables one per sheet (merges kept). ``numbers``: "typed" (value + format when the format
    shows the GT text back, else text), "all" (every numeric cell as its value), "text" (all as text)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i, t in enumerate(doc["tables"]):
        ws = wb.create_sheet(f"Table {i + 1}")
        r0, c0 = origin
        for cell in t["cells"]:
            r, c = r0 + cell["row"], c0 + cell["col"]
            target = ws.cell(row=r, column=c)
            fmt = number_format_for(cell["text"]) if cell.get("numeric") else None
            if cell.get("numeric") and (numbers == "all" or (numbers == "typed" and fmt)):
                target.value = cell["value"]
                target.number_format = fmt or "General"
            elif cell["text"]:
                target.value = cell["text"]
            if cell.get("rowspan", 1) > 1 or cell.get("colspan", 1) > 1:
                ws.merge_cells(
                    start_row=r,
                    start_column=c,
                    end_row=r + cell.get("rowspan", 1) - 1,
                    end_column=c + cell.get("colspan", 1) - 1,
                )
    wb.save(dest)
    return dest
