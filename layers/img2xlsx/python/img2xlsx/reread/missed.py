"""Words the whole-page OCR pass skipped: glyph-sized ink that no word box covers, read again per line.

The page pass's sparse-text mode drops short isolated tokens (single digits in number columns, "-"
placeholders, small low-contrast text); the rest of the page is read fine. Only the left-over ink is
re-read, one strip per text line, so the cost stays proportional to what was missed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np

from img2xlsx.ocr.pool import MapReads, serial
from img2xlsx.ocr.reader import ReadWords
from img2xlsx.tables.lines import ink_mask
from img2xlsx.tables.textlines import WordLike

from .budget import MISSED_STRIPS


def find_missed_boxes(
    gray: np.ndarray, words: Sequence[WordLike], h: float, rulings_mask: np.ndarray | None = None
) -> list[tuple[int, int, int, int]]:
    """Boxes of glyph-like ink clusters outside every word box."""
    ink = ink_mask(gray, h)
    if rulings_mask is not None and rulings_mask.shape == ink.shape:
        ink[rulings_mask > 0] = 0
    pad = round(0.25 * h)
    hh, ww = ink.shape[:2]
    for w in words:
        x0, y0, x1, y1 = w.bbox
        ink[max(0, y0 - pad) : min(hh, y1 + pad), max(0, x0 - pad) : min(ww, x1 + pad)] = 0
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    x, y, w_, ht, area = (stats[1:, k] for k in range(5))
    keep = (0.35 * h <= ht) & (ht <= 1.6 * h) & (w_ <= 3 * h) & (area >= 0.04 * h * h)
    glyphs = sorted(
        zip(x[keep].tolist(), y[keep].tolist(), (x + w_)[keep].tolist(), (y + ht)[keep].tolist(), strict=True)
    )
    if not glyphs:
        return []
    # glyphs of one token: horizontally close, vertically overlapping. Glyphs come left to right, so a box
    # that ends 0.6 h before the current glyph can never grow again: only the others are compared (linear
    # on pages full of specks; same boxes, first match in creation order as before).
    boxes: list[list[int]] = []
    active: list[list[int]] = []
    for g in glyphs:
        active = [b for b in active if g[0] - b[2] < 0.6 * h]
        for b in active:
            v_overlap = min(b[3], g[3]) - max(b[1], g[1])
            if v_overlap > 0.3 * h:
                b[0], b[1] = min(b[0], g[0]), min(b[1], g[1])
                b[2], b[3] = max(b[2], g[2]), max(b[3], g[3])
                break
        else:
            boxes.append(list(g))
            active.append(boxes[-1])
    return [(b[0], b[1], b[2], b[3]) for b in boxes]


def read_missed(
    gray: np.ndarray,
    words: Sequence[WordLike],
    h: float,
    read_words: ReadWords,
    make_word: Callable[[str, float, tuple[int, int, int, int]], WordLike],
    rulings_mask: np.ndarray | None = None,
    map_reads: MapReads | None = None,
) -> list[WordLike]:
    """New words read from the strips of the page that hold missed ink (``gray``: rules already erased).

    ``map_reads(read, strips)`` runs the strip reads, in parallel if it likes; default: one after another.
    """
    boxes = find_missed_boxes(gray, words, h, rulings_mask)
    if not boxes:
        return []
    # one strip per text line
    boxes.sort(key=lambda b: (b[1] + b[3]) / 2)
    strips: list[list[tuple[int, int, int, int]]] = []
    for b in boxes:
        cy = (b[1] + b[3]) / 2
        if strips and abs(cy - np.mean([(s[1] + s[3]) / 2 for s in strips[-1]])) < 0.5 * h:
            strips[-1].append(b)
        else:
            strips.append([b])
    strips.sort(key=lambda s: -sum((b[2] - b[0]) * (b[3] - b[1]) for b in s))
    hh, ww = gray.shape[:2]
    pad = round(0.3 * h)
    found: list[WordLike] = []
    # recovered tokens must sit on a text line that the page pass did read (a table row whose label or
    # other cells were found): ink elsewhere is mostly texture or the edges of fills
    centres = np.sort(np.array([(w.bbox[1] + w.bbox[3]) / 2 for w in words], dtype=np.float64))

    def on_a_line(cy: float) -> bool:
        if centres.size == 0:
            return False
        i = int(np.searchsorted(centres, cy))
        return min(abs(centres[j] - cy) for j in (i - 1, i) if 0 <= j < centres.size) < 0.35 * h

    crops: list[tuple[np.ndarray, int, int]] = []
    for strip in strips[:MISSED_STRIPS]:
        x0 = max(0, min(b[0] for b in strip) - pad)
        x1 = min(ww, max(b[2] for b in strip) + pad)
        y0 = max(0, min(b[1] for b in strip) - pad)
        y1 = min(hh, max(b[3] for b in strip) + pad)
        crop = np.full((y1 - y0, x1 - x0), 255, np.uint8)
        for b in strip:  # only the missed ink: already-read words stay out of the strip
            bx0, by0 = max(x0, b[0] - pad // 2), max(y0, b[1] - pad // 2)
            bx1, by1 = min(x1, b[2] + pad // 2), min(y1, b[3] + pad // 2)
            crop[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0] = gray[by0:by1, bx0:bx1]
        crops.append((np.pad(crop, 8, constant_values=255), x0, y0))
    # the caller's page has its rules erased already
    read_all = map_reads or serial
    results = read_all(lambda c: read_words(c[0], mode="line"), crops)
    for (_, x0, y0), strip_words in zip(crops, results, strict=True):
        for w in strip_words:
            if w.conf < 0.3 or not any(ch.isalnum() for ch in w.text):
                continue
            if not on_a_line(y0 + (w.bbox[1] + w.bbox[3]) / 2 - 8):
                continue
            a0, b0, a1, b1 = w.bbox
            bbox = (a0 - 8 + x0, b0 - 8 + y0, a1 - 8 + x0, b1 - 8 + y0)
            found.append(make_word(w.text, w.conf, bbox))
    return found
