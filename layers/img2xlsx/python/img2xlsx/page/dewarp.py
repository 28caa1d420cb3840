"""Flatten a bent or curled page: text lines and rules that curve are made straight again.

A page held in a hand or curling off a desk keeps its columns roughly upright, but every row becomes a curve
``y = row + d(x)``; no homography can straighten that, and grid fitting, which models each rule as a straight
line with a slope, then merges or splits rows. The local slope of the rows is measured everywhere (a gradient
estimate on an ink image blurred along x, so glyphs become bands and vertical rules cancel out), smoothed, and
integrated along x into a vertical displacement field ``d(x, y)`` on a coarse grid; the page is then resampled
with ``out(x, y) = in(x, y + d(x, y))``. Pages whose rows are straight to within a fraction of a text height
are left alone, so flat pages do not change. A bend measured only a few times above noise (a curl at one edge
shows in few tiles) is kept only if the flattened page lines its ink up in rows better than the page did.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np

# Analysis runs on a copy where text is about this many px high (cheap; rows still clearly apart).
WORK_TEXT_PX = 10.0
# Slope-measurement tiles, in text heights: big enough to hold a few glyphs of a line or two, narrow enough
# to follow a curl that bends the last column only.
TILE_W_TEXT_H = 3.0
TILE_H_TEXT_H = 6.0
THICK_TEXT_H = 0.9  # ink thicker than this (text heights) both ways is a dark area, not text or a rule
VRULE_TEXT_H = 0.8  # vertical ink runs this tall go (rules, cell borders, glyph stems): rows are what is left
BLUR_TEXT_H = 0.5  # blur (text heights) that merges a word's glyphs into one blob
MAX_SLOPE = 0.6  # steeper local slopes are clutter (handwriting, stamps), not page rows
MIN_COHERENCE = 0.3  # tiles whose gradients agree less on one direction say nothing about the rows
FULL_WEIGHT = 0.25  # a tile with this share of the 75th-percentile tile's row gradient counts fully
# Column fits (see column_slopes)
PRIOR_WEIGHT = 0.5  # weight of "flat" in every column's fit (a well-inked tile weighs 1)
OUTLIER_SLOPE = 0.1  # a tile this far from its column's fit keeps half its weight
ROBUST_ROUNDS = 2
SMOOTH_COLUMNS = 0.7  # Gaussian sigma of the smoothing of the column fits across columns, in tiles
MIN_SUPPORT = 0.3  # smoothed tile weight where the page counts as showing rows
FINE = 4  # the displacement grid is this many times finer than the slope tiles
# A page is flattened only when its rows bend away from straight by at least MIN_BEND_TEXT_H text heights
# and SIGNIFICANCE times more than noise alone would make them. Curled train pages: 0.4-2.6 text heights at
# 3-20 x noise; flat train pages, icdar2013 and the bench photos reach 1.0 text heights and 4.6 x noise, and
# a first version that flattened from 3 x noise flattened enough flat pages to lose on val (0.851 -> 0.844).
MIN_BEND_TEXT_H = 0.5
SIGNIFICANCE = 5.0
# A curl at one edge shows in few tiles, so its noise estimate is high: curled train pages reach only 2.7-4.9
# x noise. Between WEAK_SIGNIFICANCE and SIGNIFICANCE a flattening is kept only when it visibly lines the ink
# up in rows: the row profiles of strips STRIP_TEXT_H text heights wide get sharper by at least MIN_GAIN
# (flattened borderline curls +0.036 to +0.10; flat pages in that band -0.005 to -0.2). Between 2.5 and 3.5 x
# noise the sampled flat train pages all lose (-0.009 to -0.09) and three edge curls gain (+0.036 to +0.058).
WEAK_SIGNIFICANCE = 2.5
STRIP_TEXT_H = 60.0
PROFILE_SIGMA_TEXT_H = 0.3
MIN_GAIN = 0.03
PASSES = 2  # measure again on the flattened page and correct what is left (curls are underestimated)
REMAP_BAND = 512  # output rows resampled per remap call (bounds the coordinate maps' memory)


@dataclass(frozen=True)
class Dewarp:
    """A vertical displacement field on a coarse grid: output pixel (x, y) shows input pixel (x, y + d).

    Node ``(j, i)`` sits at ``x = (j + 0.5) * width / nx - 0.5`` (likewise for y), the convention of
    ``cv2.resize``, so resizing ``dy`` to the page size interpolates it exactly as :meth:`offsets` does.
    """

    dy: np.ndarray  # float32, ny x nx
    size: tuple[int, int]  # (width, height) of the page it applies to
    # largest departure of a row from straight where the page shows rows, px (see ``_bend``)
    bend: float = 0.0

    def offsets(self, points: np.ndarray) -> np.ndarray:
        """d(x, y) at output points (N, 2), bilinear between nodes, constant beyond the outer ones."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        ny, nx = self.dy.shape
        w, h = self.size
        gx = np.clip((pts[:, 0] + 0.5) * nx / w - 0.5, 0, nx - 1)
        gy = np.clip((pts[:, 1] + 0.5) * ny / h - 0.5, 0, ny - 1)
        x0 = np.minimum(np.floor(gx).astype(int), max(0, nx - 2))
        y0 = np.minimum(np.floor(gy).astype(int), max(0, ny - 2))
        x1, y1 = np.minimum(x0 + 1, nx - 1), np.minimum(y0 + 1, ny - 1)
        fx, fy = gx - x0, gy - y0
        d = self.dy.astype(np.float64)
        top = d[y0, x0] * (1 - fx) + d[y0, x1] * fx
        bottom = d[y1, x0] * (1 - fx) + d[y1, x1] * fx
        return np.asarray(top * (1 - fy) + bottom * fy)

    def to_input(self, points: np.ndarray) -> np.ndarray:
        """Flattened-page points (N, 2) → the same points on the page before flattening."""
        pts = np.array(points, dtype=np.float64).reshape(-1, 2)
        pts[:, 1] += self.offsets(pts)
        return pts

    def from_input(self, points: np.ndarray) -> np.ndarray:
        """Points on the page before flattening → flattened-page points (the inverse of :meth:`to_input`,
        by fixed-point iteration: ``d`` changes slowly along y)."""
        src = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        out = src.copy()
        for _ in range(8):
            out[:, 1] = src[:, 1] - self.offsets(out)
        return out

    def apply(self, image: np.ndarray, fill: int = 255) -> np.ndarray:
        """``image`` (the page this field was measured on, or one of the same size) flattened."""
        h, w = image.shape[:2]
        if (w, h) != self.size:
            raise ValueError(f"field measured on a {self.size} page, applied to {(w, h)}")
        full = cv2.resize(self.dy, (w, h), interpolation=cv2.INTER_LINEAR)
        xs = np.arange(w, dtype=np.float32)
        out = np.empty_like(image)
        for y0 in range(0, h, REMAP_BAND):
            y1 = min(h, y0 + REMAP_BAND)
            map_y = full[y0:y1] + np.arange(y0, y1, dtype=np.float32)[:, None]
            map_x = np.broadcast_to(xs, map_y.shape)
            out[y0:y1] = cv2.remap(
                image,
                np.ascontiguousarray(map_x),
                map_y,
                cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=fill,
            )
        return out

    def turned_half(self) -> Dewarp:
        """The same field on the page turned by 180°."""
        return Dewarp(np.ascontiguousarray(-self.dy[::-1, ::-1]), self.size, self.bend)


def _bend(dy: np.ndarray, seen: np.ndarray) -> float:
    """Largest distance of a node of ``dy`` from its row's straight line (fitted to the row's ``seen`` nodes),
    over the ``seen`` nodes: how far the page's visible rows curve (a tilt is not a bend)."""
    ny, nx = dy.shape
    t = np.linspace(-1, 1, nx)
    worst = 0.0
    for i in range(ny):
        m = seen[i]
        if m.sum() < 3 or np.ptp(t[m]) <= 0:
            continue
        coef = np.polyfit(t[m], dy[i, m], 1)
        worst = max(worst, float(np.abs(dy[i, m] - np.polyval(coef, t[m])).max()))
    return worst


def slope_field(ink: np.ndarray, text_h: float, tile: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Local slope dy/dx of the rows of ``ink`` (work scale) per ``tile`` (w, h) cell, and its weight.

    Blurred, the glyphs of a word merge into one blob along the line; the gradients of a tile then mostly
    point across the rows. The slope comes from the dominant direction of the gradient structure tensor
    (total least squares: glyph ends and blob caps scatter gradients both ways, which a plain regression of
    gx on gy would mistake for flatter rows). Vertical rules are taken out first: their sides would be the
    dominant direction of a tile with little text.
    """
    k = max(3, round(VRULE_TEXT_H * text_h))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    img = cv2.subtract(ink, vertical).astype(np.float32) / 255.0
    sigma = max(0.7, BLUR_TEXT_H * text_h)
    blur = cv2.GaussianBlur(img, (0, 0), sigma)
    gx = cv2.Sobel(blur, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(blur, cv2.CV_32F, 0, 1, ksize=3)
    h, w = ink.shape[:2]
    ny, nx = max(1, round(h / tile[1])), max(1, round(w / tile[0]))

    def cells(a: np.ndarray) -> np.ndarray:
        return cv2.resize(a, (nx, ny), interpolation=cv2.INTER_AREA).astype(np.float64)

    jyy = cells(gy * gy)
    jxy = cells(gx * gy)
    jxx = cells(gx * gx)
    half_diff = 0.5 * (jxx - jyy)
    root = np.sqrt(half_diff * half_diff + jxy * jxy)
    big = 0.5 * (jxx + jyy) + root  # largest eigenvalue; its eigenvector (jxy, big - jxx) crosses the rows
    across = big - jxx
    slope = -jxy / np.maximum(across, 1e-12)
    coherence = 2 * root / np.maximum(jxx + jyy, 1e-12)  # 1 for clean parallel rows, 0 for no direction
    weight = across * coherence**2
    bad = (coherence < MIN_COHERENCE) | (np.abs(slope) > MAX_SLOPE) | (across <= 1e-12)
    weight[bad] = 0.0
    return np.clip(slope, -MAX_SLOPE, MAX_SLOPE), weight


def column_slopes(slope: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """A smooth slope field ``a(x) + b(x) * y`` fitted to the tiles' slopes.

    A bent or curled sheet is close to a cylinder whose axis runs down the page: how steep its rows are
    depends on x, and on y only through the camera's perspective (linearly). So each column of tiles gets a
    robust straight-line fit along y (tiles that disagree with their column, a rotated stamp or a handwritten
    note, lose their weight over a few rounds), held towards flat where the column shows little, and the
    fits are then smoothed across the columns.
    """
    ny = slope.shape[0]
    t = (np.linspace(-1.0, 1.0, ny) if ny > 1 else np.zeros(1))[:, None]
    w = weight.copy()
    for _ in range(ROBUST_ROUNDS + 1):
        # per column, weighted least squares with a ridge towards "flat": (X'WX + prior) c = X'Ws
        sw, st, stt = w.sum(0) + PRIOR_WEIGHT, (w * t).sum(0), (w * t * t).sum(0) + PRIOR_WEIGHT
        r0, r1 = (w * slope).sum(0), (w * t * slope).sum(0)
        det = sw * stt - st * st
        a, b = (stt * r0 - st * r1) / det, (sw * r1 - st * r0) / det
        r = (slope - a - b * t) / OUTLIER_SLOPE
        w = weight / (1.0 + r * r)
    coef = np.stack([a, b], axis=1)
    support = w.sum(0)
    sigma = SMOOTH_COLUMNS
    smooth = np.empty_like(coef)
    for k in range(2):
        num = cv2.GaussianBlur(
            (coef[:, k] * support)[None, :], (0, 0), sigma, borderType=cv2.BORDER_REPLICATE
        )
        den = cv2.GaussianBlur(support[None, :], (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
        smooth[:, k] = (num / np.maximum(den, 1e-12))[0]
    return np.asarray(smooth[None, :, 0] + smooth[None, :, 1] * t)


def integrate(slope: np.ndarray, support: np.ndarray, size: tuple[int, int], fine: int = FINE) -> np.ndarray:
    """Displacement ``d`` on a grid ``fine`` times finer than the slope field's, for a page of ``size``.

    Each node row is a row of the flattened page, followed from the page's centre of support along the
    slope (midpoint steps), and ``d`` = followed y - row. Beyond the outermost slope nodes the slope is held
    constant, so ``d`` continues straight to the page's edges.
    """
    ny, nx = slope.shape
    w, h = size
    slope = slope * (w / nx) / (h / ny)  # dy/dx in node units
    col_weight = support.sum(axis=0)
    centre = float(np.average(np.arange(nx), weights=col_weight)) if col_weight.sum() > 0 else (nx - 1) / 2

    nodes = np.arange(ny, dtype=np.float64)

    def at(gj: float, yy: np.ndarray) -> np.ndarray:
        """The slope at column position ``gj`` and rows ``yy`` (node units), bilinear, held at the edges."""
        gj = min(max(gj, 0.0), nx - 1.0)
        j0 = min(int(gj), max(0, nx - 2))
        fj = gj - j0
        col = slope[:, j0] * (1 - fj) + slope[:, min(j0 + 1, nx - 1)] * fj
        return np.interp(yy, nodes, col)

    nx2, ny2 = nx * fine, ny * fine
    gx = (np.arange(nx2) + 0.5) / fine - 0.5  # fine node positions in slope-node units
    rows = (np.arange(ny2) + 0.5) / fine - 0.5
    start = int(np.argmin(np.abs(gx - centre)))
    d = np.zeros((ny2, nx2))
    for step in (1, -1):
        yy = rows.copy()
        j = start
        while 0 <= j + step < nx2:
            dx = gx[j + step] - gx[j]
            mid = yy + 0.5 * dx * at(gx[j], yy)
            yy = yy + dx * at(0.5 * (gx[j] + gx[j + step]), mid)
            j += step
            d[:, j] = yy - rows
    return d * (h / ny)


def compose(first: Dewarp, second: Dewarp) -> Dewarp:
    """One field doing ``first`` then ``second`` (measured on the page ``first`` flattened)."""
    ny, nx = second.dy.shape
    w, h = second.size
    xs = (np.arange(nx) + 0.5) * w / nx - 0.5
    ys = (np.arange(ny) + 0.5) * h / ny - 0.5
    pts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    inner = second.to_input(pts)  # a point of the final page on the page ``first`` produced
    total = inner[:, 1] + first.offsets(inner) - pts[:, 1]
    return Dewarp(total.reshape(ny, nx).astype(np.float32), second.size, first.bend)


def work_ink(gray: np.ndarray, text_h: float) -> tuple[np.ndarray, float]:
    """Ink of ``gray`` on a copy where text is WORK_TEXT_PX high, without thick dark areas, and that text
    height. Thick dark areas are no rows: the desk beyond the page's edge, dark fills (their edges follow the
    page outline or a band, not the rows)."""
    h, w = gray.shape[:2]
    f = min(1.0, WORK_TEXT_PX / text_h)
    small = cv2.resize(gray, (max(8, round(w * f)), max(8, round(h * f))), interpolation=cv2.INTER_AREA)
    th = text_h * f
    block = max(7, round(3 * th) | 1)
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 10)
    k = max(3, round(THICK_TEXT_H * th))
    thick = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    return cv2.subtract(ink, cv2.dilate(thick, np.ones((3, 3), np.uint8), iterations=2)), th


def tile_slopes(gray: np.ndarray, text_h: float) -> tuple[np.ndarray, np.ndarray]:
    """The slope of the page's rows per tile (TILE_W_TEXT_H x TILE_H_TEXT_H text heights) and its weight
    (1 for a tile holding a fair share of what the page's well-inked tiles hold, 0 on empty paper)."""
    ink, th = work_ink(gray, text_h)
    tile = (max(3, round(TILE_W_TEXT_H * th)), max(4, round(TILE_H_TEXT_H * th)))
    slope, weight = slope_field(ink, th, tile)
    if not (weight > 0).any():
        return slope, np.zeros_like(weight)
    ref = float(np.percentile(weight[weight > 0], 75))
    return slope, np.minimum(weight / max(FULL_WEIGHT * ref, 1e-12), 1.0)


def measure(gray: np.ndarray, text_h: float, least_bend: float = 0.0) -> tuple[Dewarp | None, float]:
    """One measurement of the field that flattens ``gray`` (None when it shows no rows to follow), and the
    bend that noise alone would give; 0.0 for a field bending less than ``least_bend``, which the caller
    refuses on its bend alone (a flat page: two of the three integrations saved).

    The noise is read off two more measurements, each from every other row of tiles: a real bend shows in
    both halves alike, chance slopes (sparse tiles, stamps, handwriting) differ between them; half their
    difference bends about as much as the noise in the whole measurement does.
    """
    h, w = gray.shape[:2]
    slope, weight = tile_slopes(gray, text_h)
    ny, nx = slope.shape
    support = cv2.GaussianBlur(weight, (0, 0), 1.0, borderType=cv2.BORDER_REPLICATE)
    if nx < 4 or ny < 2 or not (support > MIN_SUPPORT).any():
        return None, 0.0
    d = integrate(column_slopes(slope, weight), support, (w, h))
    seen = cv2.resize(support, (d.shape[1], d.shape[0]), interpolation=cv2.INTER_LINEAR) > MIN_SUPPORT
    field = Dewarp(d.astype(np.float32), (w, h), _bend(d, seen))
    if field.bend < least_bend:
        return field, 0.0
    odd = (np.arange(ny) % 2 == 1)[:, None]
    halves = [
        integrate(column_slopes(slope, np.where(odd == k, weight, 0.0)), support, (w, h))
        for k in (False, True)
    ]
    return field, _bend(0.5 * (halves[0] - halves[1]), seen)


def row_sharpness(ink: np.ndarray, text_h: float) -> float:
    """How sharply the ink of ``ink`` (work scale) lines up in rows: the ink-weighted mean, over vertical
    strips about STRIP_TEXT_H text heights wide, of the strip's row profile (sum of squares over sum). Rows
    that curve across a strip smear its profile; straight ones stack up. The profiles are smoothed by
    PROFILE_SIGMA_TEXT_H first: resampling spreads a thin rule over two pixel rows, which is no smear."""
    w = ink.shape[1]
    n = max(1, round(w / max(2.0, STRIP_TEXT_H * text_h)))
    edges = np.linspace(0, w, n + 1).round().astype(int)
    sigma = max(0.5, PROFILE_SIGMA_TEXT_H * text_h)
    num = den = 0.0
    for x0, x1 in itertools.pairwise(edges):
        p = ink[:, x0:x1].sum(axis=1, dtype=np.float64)
        p = cv2.GaussianBlur(p[:, None], (1, 0), sigma, borderType=cv2.BORDER_CONSTANT)[:, 0]
        num += float((p * p).sum())
        den += float(p.sum())
    return num / den if den > 0 else 0.0


def alignment_gain(gray: np.ndarray, text_h: float, field: Dewarp) -> float:
    """Relative change of :func:`row_sharpness` when ``field`` flattens ``gray``: does the flattened page
    really show straighter rows? (A check independent of the slope tensor that measured the field.)"""
    ink, th = work_ink(gray, text_h)
    h, w = ink.shape[:2]
    small = Dewarp(np.ascontiguousarray(field.dy * (h / gray.shape[0])), (w, h))
    before = row_sharpness(ink, th)
    return row_sharpness(small.apply(ink, 0), th) / before - 1.0 if before > 0 else 0.0


def estimate(gray: np.ndarray, text_h: float | None) -> Dewarp | None:
    """The field that flattens ``gray`` (an upright, de-skewed page), or None when its rows are straight:
    when they bend less than MIN_BEND_TEXT_H, or not clearly more than noise would make them (between
    WEAK_SIGNIFICANCE and SIGNIFICANCE x noise: unless the flattened page lines its ink up in rows better)."""
    if not text_h:
        return None
    field, noise = measure(gray, text_h, MIN_BEND_TEXT_H * text_h)
    if field is None or field.bend < max(MIN_BEND_TEXT_H * text_h, WEAK_SIGNIFICANCE * noise):
        return None
    for _ in range(PASSES - 1):
        more, _ = measure(field.apply(gray), text_h, math.inf)  # its noise is not asked for
        if more is None:
            break
        field = compose(field, more)
    if field.bend < SIGNIFICANCE * noise and alignment_gain(gray, text_h, field) < MIN_GAIN:
        return None
    return field
