"""Text reading behind one interface: :class:`TextReader`, chosen with :func:`get_reader`.

Nothing outside this package imports an OCR library or knows which backend runs.
"""

from .reader import TextReader
from .select import BACKENDS, get_reader
from .words import BBox, OcrUnavailableError, Word

__all__ = ["BACKENDS", "BBox", "OcrUnavailableError", "TextReader", "Word", "get_reader"]
