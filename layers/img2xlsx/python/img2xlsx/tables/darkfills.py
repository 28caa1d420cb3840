"""Dark fills (a header band in navy or black with light text on it) found whole.

The band finder closes the text away (a grey max then min filter) to see the background; that is right for
dark text on a shade, but on a dark fill the light glyphs are what the max filter spreads, so the fill comes
out in pieces between the words, or not at all where the text runs along its whole width (a header row of
a monospaced font). The pieces made a 2x2 "striped table" of a header band and cut the header off its body.
A dark fill is instead a place whose median is dark: its light glyphs cover well under half of it, while
dark text on paper covers well under half of its own place too, so the paper stays the median there.
"""

from __future__ import annotations

import cv2
import numpy as np

from .columns import _runs

# Mean grey under which a place is a dark fill (as lines.DARK_BAND and page.clean.DARK_FILL), and how much
# darker than the local paper it must be (a dim photo's paper itself may be grey).
DARK_LEVEL = 140
DARK_CONTRAST = 60
# Median window (pixels at ~8 px text height): a little over a text line, so a fill row of light text keeps
# a dark median, thin enough to fit inside a one-line header band.
WINDOW = 9
SOLID = 0.6  # share of its bounding box the dark place covers: a fill is a box, a photo's surround is not
DARK_ROW = 0.3  # share of dark pixels a row or column of the box must hold to be part of the fill
SEPARATOR = 0.3  # a row whose median is this far from the fill's level towards the paper separates fills
MIN_ROW = 12  # pixels (a text line and a half): a fill row shorter than this is no header row


def dark_fills(g: np.ndarray, paper: np.ndarray) -> list[tuple[int, int, int, int, float]]:
    """Boxes ``(x0, y0, x1, y1, level)`` of the solid dark fills of ``g`` (grey at ~8 px text height;
    ``paper``: its local paper level), in ``g``'s pixels."""
    med = cv2.medianBlur(g, WINDOW)
    mask = _dark(med, paper).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    dark = _dark(g, paper)
    out: list[tuple[int, int, int, int, float]] = []
    gh, gw = g.shape[:2]
    r = WINDOW // 2
    for x, y, w, h, area in stats[1:]:
        if h < 4 or w < 5 * 8 or area < SOLID * w * h:
            continue
        if w > 0.97 * gw and h > 0.5 * gh:
            continue  # the whole page is dark (a photo's background)
        # the median shrinks a fill by half its window at every edge: grow it back, as far as it is dark
        x0, y0, x1, y1 = max(0, x - r), max(0, y - r), min(gw, x + w + r), min(gh, y + h + r)
        box = dark[y0:y1, x0:x1]
        rows = np.flatnonzero(box.mean(axis=1) >= DARK_ROW)
        cols = np.flatnonzero(box.mean(axis=0) >= DARK_ROW)
        if rows.size == 0 or cols.size == 0:
            continue
        x0, x1 = x0 + int(cols[0]), x0 + int(cols[-1]) + 1
        y0, y1 = y0 + int(rows[0]), y0 + int(rows[-1]) + 1
        # a header of two rows is two fills with a light separator between them (the median bridges it,
        # and a thin one is only lighter, not light, at this scale): one band each, as the grid's rows
        # between them need that edge
        box_g = g[y0:y1, x0:x1].astype(np.float32)
        level = float(np.median(box_g))
        lift = level + SEPARATOR * (float(np.median(paper[y0:y1, x0:x1])) - level)
        runs = _runs(np.median(box_g, axis=1) < lift)
        if any(b - a < MIN_ROW for a, b in runs):  # a large light title's strokes, not a separator
            runs = [(runs[0][0], runs[-1][1])]
        for a, b in runs:
            out.append((x0, y0 + a, x1, y0 + b, float(np.median(box_g[a:b]))))
    return out


def _dark(g: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """Pixels dark enough for a fill, on their own and against the paper around them."""
    return (g < DARK_LEVEL) & (g.astype(np.int16) < paper.astype(np.int16) - DARK_CONTRAST)
