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


def clip_box(bbox: BBox, shape: tuple[int, ...]) -> BBox | None:
    """``bbox`` clipped to an image of ``shape`` (rows, cols, ...); None when under 2 px is left either way
    (a box at or past the edge: nothing worth reading)."""
    h, w = shape[:2]
    x0, y0, x1, y1 = (int(v) for v in bbox)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return x0, y0, x1, y1


class OcrUnavailableError(RuntimeError):
    """The OCR backend cannot run (library or language data missing): a deployment problem, not bad input."""
