"""What every text reader returns: words with boxes and confidences, whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass

BBox = tuple[int, int, int, int]


@dataclass(frozen=True)
class Word:
    """One recognised word; ``bbox`` in pixels of the image that was read, x1/y1 exclusive."""

    text: str
    conf: float  # 0..1
    bbox: BBox
    line_id: tuple[int, ...]  # equal ids = same text line (Tesseract: block, paragraph, line)


class OcrUnavailableError(RuntimeError):
    """The OCR backend cannot run (library or language data missing): a deployment problem, not bad input."""
