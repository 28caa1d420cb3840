"""PDF pages in: each page rendered to RGB at reading resolution, with the PDF's own words where they are
usable (born-digital pages, or a scan's OCR layer that matches the ink).

PDFium (pypdfium2, which ships its own binary) does the parsing and rendering. A PDF can cost far more to
render than its size suggests (a 250 KB file can hold a 100 MB content stream: 30 s and 1.6 GB), so by default
the whole job runs in a forked child process with a CPU-time and an address-space limit, and the parent
stops waiting at a wall-clock deadline: a hostile file ends as a one-line error, never as a hang or an
out-of-memory kill of the converter. Page count, page size and pixel budget are checked before any page is
rendered.

Forms are flattened (a filled-in field's value becomes page content, in the picture and in the text
layer); JavaScript never runs (this PDFium build has no JavaScript engine, and no form actions are fired).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from img2xlsx.ocr import Word

from . import common
from .common import DEFAULT_DPI, DEFAULT_MAX_PDF_PAGES, EncryptedPdfError, Limits
from .isolate import run_isolated
from .render import render_document
from .words import TEXT_LAYER_NOTE

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DEFAULT_MAX_PDF_PAGES", "TEXT_LAYER_NOTE", "EncryptedPdfError", "PdfPage", "is_pdf", "load_pdf"]


@dataclass
class PdfPage:
    """One rendered page: its picture, and its own words when its text layer is usable."""

    rgb: np.ndarray  # HxWx3 uint8
    dpi: float  # pixels per inch the page was rendered at
    words: list[Word] | None = None  # in ``rgb`` pixels, x1/y1 exclusive; None: no usable text layer
    text_note: str = ""  # why the text layer was used or not, for logs and reports
    warnings: list[str] = field(default_factory=list)


def is_pdf(head: bytes) -> bool:
    """PDF by content, not by name: the header may follow up to 1 KB of junk (readers accept that)."""
    return b"%PDF-" in head[:1024]


def load_pdf(
    data: bytes,
    name: str,
    *,
    max_pixels: int,
    min_side: int,
    max_total_pixels: int,
    max_pages: int = DEFAULT_MAX_PDF_PAGES,
    dpi: float = DEFAULT_DPI,
    isolate: bool | None = None,
) -> list[PdfPage]:
    """Render every page (refusing too many pages before rendering any) and extract usable text layers.

    ``isolate`` (default: ``ISOLATE``, on) runs PDFium in a forked child with CPU, memory and wall-clock
    limits (where fork exists).
    Raises an :class:`~img2xlsx.errors.InputError` with a one-line message for every unusable file.
    """
    limits = Limits(max_pixels, min_side, max_pages, max_total_pixels, dpi)
    if (common.ISOLATE if isolate is None else isolate) and hasattr(os, "fork"):
        header, blobs = run_isolated(lambda: render_document(data, name, limits), name)
    else:
        header, blobs = render_document(data, name, limits)
    return _pages_from(header, blobs)


def _pages_from(header: dict[str, Any], blobs: list[np.ndarray]) -> list[PdfPage]:
    pages = []
    for facts, rgb in zip(header["pages"], blobs, strict=True):
        words = None
        if facts["words"] is not None:
            words = [
                Word(str(t), 1.0, (int(a), int(b), int(c), int(d)), (int(ln),))
                for t, a, b, c, d, ln in facts["words"]
            ]
        pages.append(PdfPage(rgb, float(facts["dpi"]), words, str(facts["note"]), list(facts["warnings"])))
    return pages
