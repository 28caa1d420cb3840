"""Leaning columns: a horizontal shear that perspective leaves after the rows have been made level.

A phone held a little off-axis shows a table whose rows are level once the page is deskewed, but whose columns
lean: each column drifts sideways down the page, so no vertical white gap runs through it and the columns
merge. The lean is measured from where words start and end: in a table they line up column by column, and the
shear that lines them up best makes the vertical profile of word edges sharpest (the profile-sharpness skew
method, turned on its side). It is corrected only when the evidence is strong and consistent: a clear gain
over no shear, and the left and right halves of the page agreeing on it; small leans are left alone.
"""

from __future__ import annotations

import cv2
import numpy as np

SHEARS = np.round(np.arange(-0.16, 0.1601, 0.005), 3)  # dx/dy tried (±9°)
MIN_LEAN = 0.025  # below this (~1.4°) a resampling costs more than it gains
MIN_GAIN = 1.10  # the best shear's profile must be this much sharper than no shear's
HALF_AGREEMENT = 0.02  # each half's own best shear lies within this of the whole page's
MIN_EDGE_POINTS = 200  # fewer word-edge pixels are no evidence


def edge_points(glyphs: np.ndarray, text_h: float) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the pixels where words start or end: glyphs joined into words by a horizontal closing."""
    k = max(3, round(0.7 * text_h))
    words = cv2.morphologyEx(glyphs, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8)) > 0
    edges = np.zeros_like(words)
    edges[:, 1:] |= words[:, 1:] & ~words[:, :-1]
    edges[:, :-1] |= words[:, :-1] & ~words[:, 1:]
    ys, xs = np.nonzero(edges)
    return xs.astype(np.float64), ys.astype(np.float64)


def profile_sharpness(xs: np.ndarray, ys: np.ndarray, bin_w: float) -> np.ndarray:
    """Sum of squared vertical-profile counts of the points after each shear in ``SHEARS``."""
    yc = float(ys.mean())
    out = np.empty(len(SHEARS))
    for i, s in enumerate(SHEARS):
        xp = xs + s * (ys - yc)
        counts = np.bincount(((xp - xp.min()) / bin_w).astype(np.int64)).astype(np.float64)
        out[i] = float((counts * counts).sum())
    return out


def _sharpest(xs: np.ndarray, ys: np.ndarray, bin_w: float) -> tuple[float, float]:
    """The sharpest shear of the points and its sharpness over no shear's."""
    sharp = profile_sharpness(xs, ys, bin_w)
    best = int(np.argmax(sharp))
    return float(SHEARS[best]), float(sharp[best] / sharp[int(np.argmin(np.abs(SHEARS)))])


def estimate_lean(glyphs: np.ndarray, text_h: float | None) -> float:
    """The shear dx/dy that makes the columns of a level page upright (0.0: none, or not sure enough).

    ``glyphs``: glyph-sized ink (255) of the page with its rows already level; ``text_h``: glyph height in
    the same pixels. The halves are measured only for a page whose whole lean already passes (most pages
    stop at the first measurement: they run on every page).
    """
    if not text_h:
        return 0.0
    xs, ys = edge_points(glyphs, text_h)
    if len(xs) < MIN_EDGE_POINTS:
        return 0.0
    bin_w = max(1.5, text_h / 5)
    slant, gain = _sharpest(xs, ys, bin_w)
    if abs(slant) < MIN_LEAN or gain < MIN_GAIN:
        return 0.0
    middle = float(np.median(xs))
    for half in (xs < middle, xs >= middle):
        if half.sum() < MIN_EDGE_POINTS // 2:
            return 0.0  # one side shows too few word edges to agree or disagree
        own, _ = _sharpest(xs[half], ys[half], bin_w)
        if abs(own - slant) > HALF_AGREEMENT:
            return 0.0
    return slant


def shear_matrix(lean: float, size: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """3x3 matrix shifting each row by ``lean`` x its height, on a canvas holding all of the page."""
    w, h = size
    spread = abs(lean) * h
    matrix = np.array([[1.0, lean, spread / 2 - lean * h / 2], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    return matrix, (w + int(np.ceil(spread)), h)


def level_view(mask: np.ndarray, rotation: np.ndarray, scale: float, size: tuple[int, int]) -> np.ndarray:
    """``mask`` (a preview at ``scale`` of the working page) turned by ``rotation`` (working px) as well."""
    to_view = np.diag([scale, scale, 1.0])
    view_m = to_view @ rotation @ np.linalg.inv(to_view)
    view_size = (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
    return cv2.warpAffine(mask, view_m[:2], view_size, flags=cv2.INTER_NEAREST, borderValue=0)
