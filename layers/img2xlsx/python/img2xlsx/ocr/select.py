"""Which text reader runs: ``$IMG2XLSX_OCR`` or the caller's choice, one cached reader per (name, langs)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

from .reader import TextReader

OCR_ENV = "IMG2XLSX_OCR"
BACKENDS = ("tesseract",)
DEFAULT_BACKEND = "tesseract"

_lock = threading.Lock()
_readers: dict[tuple[str, tuple[str, ...]], TextReader] = {}


def get_reader(name: str | None = None, langs: Sequence[str] = ("eng",)) -> TextReader:
    """The reader called ``name`` (None: ``$IMG2XLSX_OCR``, else the default) for ``langs``.

    Backends are imported here, on first use, so importing the engine does not load an OCR library.
    """
    chosen = (name or os.environ.get(OCR_ENV, "").strip() or DEFAULT_BACKEND).lower()
    if chosen not in BACKENDS:
        raise ValueError(f"unknown OCR backend {chosen!r}: choose one of {', '.join(BACKENDS)}")
    key = (chosen, tuple(langs) or ("eng",))
    with _lock:
        reader = _readers.get(key)
        if reader is None:
            from .tesseract import TesseractReader  # heavy: libtesseract

            reader = _readers[key] = TesseractReader(key[1])
        return reader
