"""Which way is up: quarter turns of a whole page (photos taken sideways, scans fed upside down).

Two cheap tests, so the common upright page costs one small OCR call at most:

* sideways or not: glyphs of a text line sit next to each other, so merging glyphs with a short *horizontal*
  smear joins far more of them than the same smear applied vertically; on a page turned by 90° it is the
  other way round;
* upright or upside down: the text reader reads a short strip of the densest text; only when it is unsure
  is the strip also read turned by 180° and the two confidences compared. Letter-shape heuristics
  (ascenders vs descenders) fail on tables, which are mostly digits and capitals.
"""

from __future__ import annotations

import cv2
import numpy as np

from img2xlsx.ocr import TextReader

from .clean import erase_rules
from .geometry import Components, glyph_mask

SIDEWAYS_RATIO = 1.3  # turn only when vertical smearing merges clearly more glyphs than horizontal
# A strip read this confidently is upright: 180°-turned strips score at most 0.37 on the bench, while
# 70% of upright strips score above 0.5 (the rest pay for a second, turned read).
UPRIGHT_CONF = 0.5
FLIP_MARGIN = 0.2  # the 180°-turned strip must read this much more confidently to flip the page
STRIP_WIDTH = 400  # px of the strip that is OCR-ed (text at the normaliser's target size)


RULE_GLYPHS = 3.0  # straight ink runs this many glyph sizes long are rules, in either direction


def without_rules(ink: np.ndarray, size: float) -> np.ndarray:
    """``ink`` without straight runs longer than RULE_GLYPHS glyph sizes. A cell's box is glyph-sized on a
    low-resolution page, and its top and bottom sides, a few pixels from the text, merged with it under
    the vertical smear only: a boxed table with a stamp beside it was turned by 90° and read as nothing."""
    k = max(9, round(RULE_GLYPHS * size))
    runs = cv2.bitwise_or(
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, k), np.uint8)),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((k, 1), np.uint8)),
    )
    return cv2.bitwise_and(ink, cv2.bitwise_not(runs))


def sideways_score(ink: np.ndarray, parts: Components | None = None) -> float:
    """> 1 when text lines run vertically (page turned by 90°), < 1 when they run horizontally.

    Rules are taken out first (see :func:`without_rules`); both directions alike, so a page turned by 90°
    still shows its text lines running vertically. ``parts``: ``components(ink)`` if already known."""
    _, stats, size = glyph_mask(ink, parts)
    if len(stats) < 20:
        return 1.0
    mask, stats, size = glyph_mask(without_rules(ink, size))
    if len(stats) < 20:
        return 1.0
    k = max(3, round(0.6 * size))
    n_h = cv2.connectedComponents(cv2.dilate(mask, np.ones((1, k), np.uint8)))[0]
    n_v = cv2.connectedComponents(cv2.dilate(mask, np.ones((k, 1), np.uint8)))[0]
    return float(n_h) / max(1.0, float(n_v))


def is_sideways(ink: np.ndarray, parts: Components | None = None) -> bool:
    return sideways_score(ink, parts) > SIDEWAYS_RATIO


def _widen(has_ink: np.ndarray, lo: int, hi: int, limit: int) -> tuple[int, int]:
    """Move ``lo``/``hi`` outwards (at most ``limit`` px) until they sit on ink-free rows/columns."""
    n = len(has_ink)
    for _ in range(limit):
        if lo <= 0 or not has_ink[lo]:
            break
        lo -= 1
    for _ in range(limit):
        if hi >= n or not has_ink[hi - 1]:
            break
        hi += 1
    return lo, hi


def text_strip(gray: np.ndarray, text_height: float, width: int = STRIP_WIDTH) -> np.ndarray | None:
    """About three whole text lines where glyphs are densest, about ``width`` px wide, cut between glyphs
    (a glyph sliced in half reads badly either way up, which blurs the upright/upside-down contrast)."""
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w = stats[:, cv2.CC_STAT_WIDTH]
    h = stats[:, cv2.CC_STAT_HEIGHT]
    keep = (h >= 0.4 * text_height) & (h <= 2.0 * text_height) & (w <= 3 * h)
    keep[0] = False
    if keep.sum() < 5:
        return None
    glyphs = keep[labels]
    cx = stats[keep, cv2.CC_STAT_LEFT] + w[keep] // 2
    cy = stats[keep, cv2.CC_STAT_TOP] + h[keep] // 2
    band = max(8, round(4 * text_height))
    rows = np.convolve(np.bincount(cy, minlength=gray.shape[0]).astype(np.float64), np.ones(band), "same")
    y_mid = int(np.argmax(rows))
    y0 = max(0, y_mid - band // 2)
    y1 = min(gray.shape[0], y0 + band)
    in_band = (cy >= y0) & (cy < y1)
    cols = np.convolve(
        np.bincount(cx[in_band], minlength=gray.shape[1]).astype(np.float64), np.ones(width), "same"
    )
    x_mid = int(np.argmax(cols))
    x0 = max(0, x_mid - width // 2)
    x1 = min(gray.shape[1], x0 + width)
    limit = max(2, round(2 * text_height))
    y0, y1 = _widen(glyphs[:, x0:x1].any(axis=1), y0, y1, limit)
    x0, x1 = _widen(glyphs[y0:y1].any(axis=0), x0, x1, 2 * limit)
    return np.ascontiguousarray(gray[y0:y1, x0:x1])


def _strip_confidence(strip: np.ndarray, reader: TextReader) -> float:
    """Character-weighted mean word confidence (0..1) of a strip read as a block of text, rules erased."""
    words = reader.read_words(erase_rules(strip), mode="block")
    chars = sum(len(w.text) for w in words)
    if chars == 0:
        return 0.0
    return sum(w.conf * len(w.text) for w in words) / chars


def is_upside_down(gray: np.ndarray, text_height: float | None, reader: TextReader) -> bool:
    """True when the page reads clearly better turned by 180°."""
    if not text_height:
        return False
    strip = text_strip(gray, text_height)
    if strip is None:
        return False
    upright = _strip_confidence(strip, reader)
    if upright >= UPRIGHT_CONF:
        return False
    flipped = _strip_confidence(np.ascontiguousarray(strip[::-1, ::-1]), reader)
    return flipped >= upright + FLIP_MARGIN and flipped >= 0.5
