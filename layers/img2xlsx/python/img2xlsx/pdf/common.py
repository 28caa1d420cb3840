"""What every part of PDF loading shares: the limits (each tunable from the environment), the PDF-specific
error, and the one-line messages for files PDFium cannot handle."""

from __future__ import annotations

import os
from dataclasses import dataclass

from img2xlsx.env import env_int
from img2xlsx.errors import InputError

DEFAULT_DPI = 200  # reading resolution: 10 pt text is ~20 px tall, what the recogniser normalises to anyway
DEFAULT_MAX_PDF_PAGES = env_int("IMG2XLSX_MAX_PDF_PAGES", 20)
# What the render child may spend on the whole file. Ordinary pages take ~0.1 s and ~50 MB each.
RENDER_CPU_SECONDS = env_int("IMG2XLSX_PDF_RENDER_SECONDS", 20)
RENDER_MEMORY_MB = env_int("IMG2XLSX_PDF_RENDER_MB", 1536)
# Off only for fuzzing (fuzz/fuzz_loader.py), where a PDFium crash or hang must surface as one.
ISOLATE = os.environ.get("IMG2XLSX_PDF_ISOLATE", "1") != "0"
LOW_DPI_WARNING = 72  # a page rendered below this (a huge page scaled into the pixel limit) gets a warning


class EncryptedPdfError(InputError):
    """The PDF needs a password to open."""

    code = "encrypted"


@dataclass(frozen=True)
class Limits:
    max_pixels: int
    min_side: int
    max_pages: int
    max_total_pixels: int
    dpi: float


def damaged_message(name: str) -> str:
    return f"{name}: the PDF is damaged and cannot be read"


def memory_message(name: str) -> str:
    return f"{name}: the PDF needs too much memory to render"
