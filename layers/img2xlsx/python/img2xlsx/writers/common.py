"""Small helpers shared by the writers."""

from __future__ import annotations

import re

from img2xlsx.model import Cell

LOW_CONFIDENCE = 0.6  # below this a cell is flagged for review (comment in xlsx, class in html)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(text: str) -> str:
    """Drop control characters that xlsx/xml cannot store (OCR sometimes produces them)."""
    return _CONTROL.sub("", text)


def is_low_confidence(cell: Cell) -> bool:
    return cell.confidence is not None and cell.confidence < LOW_CONFIDENCE and bool(cell.text.strip())


def is_header(cell: Cell, n_header_rows: int) -> bool:
    return cell.header or cell.row < n_header_rows
