"""JSON rendering of a Document: the preview the API serves and a machine-readable export.

The shape is specified by ``img2xlsx/schema/document.schema.json`` (documented in docs/output-schema.md);
bump :data:`SCHEMA_VERSION` on any incompatible change.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import IO, Any

from img2xlsx.model import BBox, Cell, Document, Table, TextLine, TypedValue
from img2xlsx.writers.common import placed_cells
from img2xlsx.writers.xlsx import sheet_names

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "document.schema.json"


def load_schema() -> dict[str, Any]:
    """The JSON Schema of :func:`to_json` output (shipped inside the package)."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _bbox(box: BBox | None) -> list[int] | None:
    return [int(v) for v in box] if box is not None else None


def _scalar(value: object) -> object:
    """Dates/times as ISO 8601 strings; non-finite floats (never expected) as null."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _typed(value: TypedValue | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"kind": value.kind, "value": _scalar(value.value), "number_format": value.number_format}


def _confidence(conf: float | None) -> float | None:
    return None if conf is None else round(min(max(float(conf), 0.0), 1.0), 4)


def _cell(cell: Cell, rowspan: int, colspan: int, n_header_rows: int) -> dict[str, Any]:
    out = {
        "row": cell.row,
        "col": cell.col,
        "rowspan": rowspan,
        "colspan": colspan,
        "text": cell.text,
        "header": bool(cell.header or cell.row < n_header_rows),
        "value": _typed(cell.value),
        "confidence": _confidence(cell.confidence),
        "bbox": _bbox(cell.bbox),
    }
    if cell.formula:
        out["formula"] = cell.formula
    if cell.check:
        out["check"] = cell.check
    if cell.edited:
        out["edited"] = True
    return out


def _table(index: int, table: Table, sheet: str) -> dict[str, Any]:
    return {
        "index": index,
        "sheet": sheet,
        "page": table.page,
        "n_rows": table.n_rows,
        "n_cols": table.n_cols,
        "n_header_rows": table.n_header_rows,
        "style": table.style,
        "bordered": table.bordered,
        "bbox": _bbox(table.bbox),
        "cells": [_cell(c, rs, cs, table.n_header_rows) for c, rs, cs in placed_cells(table)],
    }


def _line(line: TextLine) -> dict[str, Any]:
    return {
        "text": line.text,
        "page": line.page,
        "confidence": _confidence(line.confidence),
        "bbox": _bbox(line.bbox),
    }


def _page(doc: Document, index: int, width: int, height: int) -> dict[str, Any]:
    page: dict[str, Any] = {"index": index, "width": int(width), "height": int(height)}
    if index < len(doc.text_sources):
        page["text_source"] = doc.text_sources[index]
    return page


def to_json(doc: Document) -> dict[str, Any]:
    """A JSON-ready dict (only str/int/float/bool/None/list/dict) describing everything recognised."""
    return {
        "schema_version": SCHEMA_VERSION,
        "source": doc.source,
        "pages": [_page(doc, i, w, h) for i, (w, h) in enumerate(doc.pages)],
        "tables": [
            _table(i, t, name) for i, (t, name) in enumerate(zip(doc.tables, sheet_names(doc), strict=True))
        ],
        "lines": [_line(line) for line in doc.lines],
        "warnings": list(doc.warnings),
        "language": "+".join(doc.langs),
    }


def dumps(doc: Document, *, indent: int | None = 2) -> str:
    return json.dumps(to_json(doc), ensure_ascii=False, indent=indent, allow_nan=False)


def write_json(doc: Document, dest: str | Path | IO[str]) -> None:
    """Write UTF-8 JSON to a path or a text file object."""
    text = dumps(doc)
    if isinstance(dest, str | Path):
        Path(dest).write_text(text + "\n", encoding="utf-8")
    else:
        dest.write(text + "\n")
