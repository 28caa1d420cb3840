"""A minus sign the page pass dropped, found on the pixels: a short level stroke just before a number.

Scanned and low-resolution minus signs are pale and small; the ink threshold is set per cell between its
paper and its digits' darkest strokes (:func:`ink_level`), which the other pixel checks of
:mod:`.numbers` share.
"""

from __future__ import annotations

import cv2
import numpy as np

from img2xlsx.tables.skeleton import RawCell

# Minus-stroke shape, in units of the first word's height (bench minus signs, lowres to scan: 0.3-0.45 wide,
# 0.15-0.25 thick, centred 0.4-0.6 down the word box, which includes comma tails)
MINUS_MIN_WIDTH = 0.15
MINUS_MAX_THICK = 0.35
MINUS_SQUARE_WIDTH = 0.25  # a stroke no wider than 1.5x its thickness must be this wide
MINUS_LEVEL = (0.3, 0.75)
INK_SHARE = 0.35  # a pixel is ink when this share of the way from the paper grey to the digits' grey


def ink_level(gray: np.ndarray, cell: RawCell, word: np.ndarray) -> float | None:
    """Grey below which a pixel of ``word`` (a crop of ``gray``) is ink, set between the cell's paper and the
    word's darkest strokes: scanned and lowres prints are pale, a fixed level misses them. None when the
    cell shows no clear ink."""
    cx0, cy0, cx1, cy1 = (max(0, int(v)) for v in cell.bbox)
    paper = float(np.median(gray[cy0:cy1, cx0:cx1]))
    ink = float(np.percentile(word, 2))
    if paper - ink < 40:
        return None
    return paper - INK_SHARE * (paper - ink)


def minus_stroke(cell: RawCell, gray: np.ndarray, text: str) -> bool:
    """A short level stroke just before the first full-height glyph of the cell: a minus the page pass
    dropped, whether its word box covers the stroke or not. The threshold is relative to the cell's own
    paper and digits, since scanned and low-resolution minus signs are a pale grey."""
    found = _first_glyph_mask(cell, gray)
    if found is None:
        return False
    mask, height = found
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    blobs = sorted((i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= 3), key=lambda i: stats[i, 0])
    if not blobs:
        return False
    first = labels == blobs[0]
    run = _level_run(first, height)
    if run < max(3.0, MINUS_MIN_WIDTH * height):
        return False
    x0 = int(stats[blobs[0], cv2.CC_STAT_LEFT])
    if run >= stats[blobs[0], cv2.CC_STAT_WIDTH]:  # the stroke stands alone: the number must follow it
        if _under_glyph(stats, blobs, x0 + run):
            return False  # the detached base of a glyph above it (an old-style "2"), not a minus
        rest = np.flatnonzero(np.isin(labels, blobs[1:]).any(axis=1))  # a blurred digit may come in pieces
        return rest.size > 0 and rest[-1] - rest[0] + 1 >= 0.6 * height
    # the stroke touches the first glyph (blur, tight print): that glyph must rise right after it, and a
    # leading 4 or symbol is left alone (a 4's crossbar and a £'s bar are level strokes on their left)
    if not text[:1].isdigit() or text.startswith("4"):
        return False
    after = first[:, x0 + run : x0 + run + 3]
    rows = np.flatnonzero(after.any(axis=1))
    return rows.size > 0 and rows[-1] - rows[0] + 1 >= 0.6 * height


# A minus stands left of the digits; a level stroke whose right part lies under or over the next blob (more
# than this share of the stroke's width) is a piece of that glyph: an old-style "2" whose faint diagonal
# leaves its base bar apart (EB Garamond "25413" read "-25413" on screen photos)
UNDER_GLYPH_SHARE = 0.4


def _under_glyph(stats: np.ndarray, blobs: list[int], stroke_right: int) -> bool:
    """The next blob reaches back over more than UNDER_GLYPH_SHARE of the stroke ``blobs[0]``."""
    x0 = int(stats[blobs[0], cv2.CC_STAT_LEFT])
    width = stroke_right - x0
    for i in blobs[1:]:
        left = int(stats[i, cv2.CC_STAT_LEFT])
        if left < stroke_right and stroke_right - max(left, x0) > UNDER_GLYPH_SHARE * width:
            return True
    return False


def _first_glyph_mask(cell: RawCell, gray: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Ink mask (uint8) of the strip from the cell's left edge to two word-heights into the first word, rows
    of that word, and the word's height; None when the cell shows no clear ink."""
    if not cell.words:
        return None
    wx0, wy0, wx1, wy1 = (max(0, int(v)) for v in min(cell.words, key=lambda w: w.bbox[0]).bbox)
    cx0 = max(0, int(cell.bbox[0]))
    height = wy1 - wy0
    word = gray[wy0:wy1, wx0:wx1]
    if height < 6 or word.size == 0:
        return None
    level = ink_level(gray, cell, word)
    if level is None:
        return None
    crop = gray[wy0:wy1, max(cx0 + 2, wx0 - 2 * height) : min(wx1, wx0 + 2 * height)]
    if crop.size == 0:
        return None
    return (crop < level).astype(np.uint8), height


def _level_run(blob: np.ndarray, height: int) -> int:
    """Width of the run of columns, from the blob's left end, that hold a thin stroke at mid height; 0 when
    the blob does not start so, or the run is a dot rather than a stroke."""
    cols = np.flatnonzero(blob.any(axis=0))
    run = 0
    tops: list[int] = []
    bottoms: list[int] = []
    for x in range(int(cols[0]), int(cols[-1]) + 1):
        rows = np.flatnonzero(blob[:, x])
        if rows.size == 0:
            break
        top, bottom = int(rows[0]), int(rows[-1])
        thin = bottom - top + 1 <= MINUS_MAX_THICK * height
        level = MINUS_LEVEL[0] * height <= (top + bottom) / 2 <= MINUS_LEVEL[1] * height
        if not (thin and level):
            break
        tops.append(top)
        bottoms.append(bottom)
        run += 1
    if not run:
        return 0
    thick = max(bottoms) - min(tops) + 1
    # blurred lowres minus signs can come out as square as 5x5 px at an 18 px word; a speck is smaller
    return run if run >= 1.5 * thick or run >= MINUS_SQUARE_WIDTH * height else 0
