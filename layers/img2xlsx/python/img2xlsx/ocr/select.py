"""Which text reader runs: ``$IMG2XLSX_OCR`` or the caller's choice, one cached reader per (name, langs)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

from .reader import TextReader

OCR_ENV = "IMG2XLSX_OCR"
BACKENDS = ("tesseract", "ppocr")
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
            reader = _readers[key] = _make(chosen, key[1])
        return reader


def _make(name: str, langs: tuple[str, ...]) -> TextReader:
    if name == "ppocr":
        from .ppocr import PpocrReader  # heavy: onnxruntime (models load on the first read)

        return PpocrReader(langs)
    from .tesseract import TesseractReader  # heavy: libtesseract

    return TesseractReader(langs)
