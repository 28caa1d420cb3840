"""Every eraser and lightener of the page, so OCR sees glyphs on white: rules painted out, dark fills
turned into black-on-white text.

Rule erasing is written once (:func:`paint_out`); the two callers differ only in which pixels are rules
(found here by morphology, or the rulings table detection accepted) and what they are painted with.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

RULE_MIN_LEN = 40  # px: strokes at least this long are rulings, not glyphs (body text is ~15 px tall)
# Median grey below which an area is a dark fill that may carry light text (bench pages: paper and zebra
# or header fills >= 175; only photos with a dark table top around the page go lower)
DARK_FILL = 140
FILL_CLOSE = 15  # px: a closing this wide covers the light glyph strokes inside a dark fill
FILL_SOLID = 0.6  # share of its bounding box a dark fill covers (bands, cells ~1; a photo's surround ~0.1)
BOX_MARGIN = 3  # px around a given fill box: its edges were found on a coarse grid
BACKGROUND_CLOSE = 15  # px: a grey closing wider than any rule gives the paper a rule was drawn on

Box = tuple[int, int, int, int]


def paint_out(gray: np.ndarray, mask: np.ndarray, *, background: bool = False) -> np.ndarray:
    """Copy of ``gray`` with the pixels of ``mask`` painted white, or (``background``) in the local paper
    grey, so a fill crossed by a rule keeps its tone. ``gray`` itself when the mask is empty."""
    if not mask.any():
        return gray
    out = gray.copy()
    sel = mask > 0
    if background:
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (BACKGROUND_CLOSE, BACKGROUND_CLOSE))
        bg = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, kernel)
        out[sel] = np.maximum(bg[sel], gray[sel])
    else:
        out[sel] = 255
    return out


def rule_mask(gray: np.ndarray, min_len: int = RULE_MIN_LEN) -> np.ndarray:
    """Long horizontal/vertical strokes (table rulings, underlines), slightly dilated."""
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    # a horizontal rule must be much longer than a word: the tops of blurred digits merge into runs of a
    # word's length, and erasing them cut numbers in half (lowres bench images)
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (3 * min_len, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_len)))
    return cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((3, 3), np.uint8))


def erase_rules(gray: np.ndarray, min_len: int = RULE_MIN_LEN) -> np.ndarray:
    """Copy of ``gray`` with long horizontal/vertical strokes painted white (for crops read alone).

    OCR layout analysis glues rulings to neighbouring glyphs ("|", "[", merged lines), which costs far more
    words on ruled tables than the rare glyph stroke that touches a ruling.
    """
    return paint_out(gray, rule_mask(gray, min_len))


def erase_rulings(gray: np.ndarray, rulings_mask: np.ndarray) -> np.ndarray:
    """The page with the detected rules (``rulings_mask``) painted over in the local background."""
    return paint_out(gray, rulings_mask, background=True)


def has_dark_fill(gray: np.ndarray) -> bool:
    """Some area of ``gray`` is dark under its text: a ~36 px window whose median is below DARK_FILL.

    Light-on-dark text can only sit on such a fill; a page without one never gains from re-reading every
    doubtful line inverted (Tesseract's ``tessedit_do_invert``, ~13 % of a page pass).
    """
    small = np.ascontiguousarray(gray[::4, ::4])
    if small.size == 0:
        return False
    return int(cv2.medianBlur(small, 9).min()) < DARK_FILL


def lighten_dark_fills(gray: np.ndarray, original: np.ndarray | None = None) -> np.ndarray:
    """``gray`` with its dark fills (header bands, shaded cells) inverted and their inverted fill stretched
    to white: light text on a dark band becomes black text on white, which OCR reads like the rest of
    the page. Tesseract's own inverted retry read "Reg" for "Region" and "Ma" for "Margin" in white on
    navy, and a bare inversion of a mid-grey fill binarises as one black box.

    ``original``: the same page before illumination flattening, if ``gray`` was flattened. Fills are found
    on ``gray`` (even light: a photo's dark corners are not fills) but their pixels are taken from
    ``original``, because flattening takes a band's light glyphs for paper and lifts the fill around them.
    """
    fill = dark_fill_pixels(gray, original)
    return gray if fill is None else _lighten(gray, fill, original)


def dark_fill_pixels(
    gray: np.ndarray, original: np.ndarray | None = None, boxes: Sequence[Box] = ()
) -> np.ndarray | None:
    """Where :func:`lighten_dark_fills` inverts ``gray``: the pixels of its solid dark fills with the light
    glyphs they surround (None: no fill).

    ``boxes``: dark fills found whole elsewhere (``(x0, y0, x1, y1)``, the band finder's). The windows here
    are judged after a closing, which spreads a band's light glyphs: a header band came out in pieces
    between its words, and only the bare fill between them was inverted, never the text."""
    if not has_dark_fill(gray):
        return None
    src = _source(gray, original)
    close = cv2.getStructuringElement(cv2.MORPH_RECT, (FILL_CLOSE, FILL_CLOSE))
    # windows are judged after a closing wider than glyph strokes: dense dark text is closed away (it could
    # make a window's median dark), a fill stays dark with its light glyphs
    small = np.ascontiguousarray(cv2.morphologyEx(gray, cv2.MORPH_CLOSE, close)[::4, ::4])
    _, _, stats, _ = cv2.connectedComponentsWithStats(
        (cv2.medianBlur(small, 9) < DARK_FILL).astype(np.uint8), connectivity=8
    )
    h, w = gray.shape[:2]
    region = np.zeros((h, w), np.uint8)
    for x, y, bw, bh, area in stats[1:]:
        if area < FILL_SOLID * bw * bh:
            continue  # a fill is a solid box; a frame or the dark table top around a photo's page is not
        # the box around the fill's windows, one window wider: the median shrinks a fill at its edges
        region[max(0, 4 * y - 8) : 4 * (y + bh) + 8, max(0, 4 * x - 8) : 4 * (x + bw) + 8] = 1
    for x0, y0, x1, y1 in boxes:
        region[max(0, y0 - BOX_MARGIN) : y1 + BOX_MARGIN, max(0, x0 - BOX_MARGIN) : x1 + BOX_MARGIN] = 1
    # the fill's own pixels: dark pixels closed over the glyphs they surround (paper beside the fill stays)
    dark = (src < DARK_FILL).astype(np.uint8)
    fill: np.ndarray = (cv2.morphologyEx(dark, cv2.MORPH_CLOSE, close) > 0) & (region > 0)
    return fill if fill.any() else None


def _source(gray: np.ndarray, original: np.ndarray | None) -> np.ndarray:
    return original if original is not None and original.shape == gray.shape else gray


def _lighten(gray: np.ndarray, fill: np.ndarray, original: np.ndarray | None) -> np.ndarray:
    src = _source(gray, original)
    close = cv2.getStructuringElement(cv2.MORPH_RECT, (FILL_CLOSE, FILL_CLOSE))
    inverted = 255.0 - src.astype(np.float32)
    paper = cv2.dilate(inverted, close)  # around each pixel, the inverted fill: the band's new paper
    out = gray.copy()
    out[fill] = np.clip(inverted[fill] * 255.0 / np.maximum(paper[fill], 1.0), 0, 255).astype(np.uint8)
    return out


def clean_for_ocr(
    gray: np.ndarray, rulings_mask: np.ndarray, original: np.ndarray | None = None, fills: Sequence[Box] = ()
) -> np.ndarray:
    """``gray`` with the detected rules painted out and its dark fills lightened, for the page pass.

    Inside a dark fill the rule mask holds no rule: the dark gaps between a light header's glyphs open into
    long "rules" there (dark runs kept in the mask so they are not read as letters). Painted in the local
    background, which the light glyphs make light, they left white blocks over the glyphs that the
    inversion turned into black ones ("Desoipih" for "Description"). The inversion turns them to paper.
    ``fills``: dark fill boxes found whole (see :func:`dark_fill_pixels`).
    """
    fill = dark_fill_pixels(gray, original, fills)
    if fill is None:
        return erase_rulings(gray, rulings_mask)
    return _lighten(
        erase_rulings(gray, np.where(fill, 0, rulings_mask).astype(rulings_mask.dtype)), fill, original
    )
