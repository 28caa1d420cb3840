"""The one interface the engine reads text through; backends (``tesseract.py``, ...) implement it.

Callers get a reader from :func:`img2xlsx.ocr.select.get_reader` and never learn which backend it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .words import BBox, Word

if TYPE_CHECKING:  # numpy stays off the import path of the API Lambda, which only imports the pipeline
    import numpy as np

# the bound methods below, as the re-read passes take them (fakes in tests are plain functions)
ReadRegion = Callable[..., tuple[str, float]]
ReadWords = Callable[..., Sequence[Any]]


class TextReader(Protocol):
    name: str  # "tesseract" | "ppocr"
    langs: tuple[str, ...]  # Tesseract-style language codes
    # The page pass skips short isolated tokens (Tesseract's sparse mode drops lone digits and dashes), so
    # the engine looks again at ink no word covers. A reader that detects every text line says False.
    misses_isolated_text: bool

    def read_page(self, gray: np.ndarray, *, threads: int | None = None) -> list[Word]:
        """A whole normalised page (2-D uint8): words in page coordinates; rules are not erased here."""
        ...

    def read_words(self, gray: np.ndarray, *, mode: str = "sparse") -> list[Word]:
        """A crop or strip read as ``mode`` "sparse" | "block" | "line"; boxes relative to the crop."""
        ...

    def read_region(self, gray: np.ndarray, bbox: BBox, *, single_line: bool = False) -> tuple[str, float]:
        """One box of ``gray`` read alone: its text (lines joined by "\\n") and mean confidence 0..1."""
        ...
