"""Where the page is and how it is turned: page outline (phone photos), small skew (scans), quarter turns.

All functions look at a small preview and return transforms; the caller warps the full image once.
"""

from __future__ import annotations

import cv2
import numpy as np

MAX_SKEW_DEG = 6.0
MIN_PAGE_EDGE = 60.0  # Sobel magnitude a page side must reach along most of its length


def ink_mask(gray: np.ndarray, block: int | None = None, c: int = 12) -> np.ndarray:
    """255 where a pixel is clearly darker than its neighbourhood (text, rulings), robust to shading."""
    if block is None:
        block = max(15, (min(gray.shape[:2]) // 30) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block | 1, c)


# ---------------------------------------------------------------- page outline


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Four points → top-left, top-right, bottom-right, bottom-left."""
    pts = np.asarray(pts, dtype=np.float64).reshape(4, 2)
    s = pts.sum(axis=1)
    d = pts[:, 1] - pts[:, 0]
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def _quad_from_contour(contour: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float64)
        if len(approx) < 4:
            return None
    return None


def _page_candidate(gray: np.ndarray, bright: np.ndarray) -> np.ndarray | None:
    h, w = gray.shape[:2]
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    if not 0.15 * w * h <= area <= 0.97 * w * h:
        return None
    quad = _quad_from_contour(contour)
    if quad is None or not cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)):
        return None
    quad = order_corners(quad)
    # the bright region must really be a quadrilateral, not a blob that a quad merely encloses
    if area < 0.93 * cv2.contourArea(quad.astype(np.float32)):
        return None
    for i in range(4):  # no extreme corners: a photographed page stays roughly rectangular
        u, v = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
        if abs(cos) > 0.5:
            return None
    # a page edge lying on the frame border is the frame, not the page
    tol = max(3.0, 0.004 * max(w, h))
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        for axis, limit in ((0, 0.0), (0, w - 1.0), (1, 0.0), (1, h - 1.0)):
            if abs(a[axis] - limit) < tol and abs(b[axis] - limit) < tol:
                return None
    return quad


def _edge_support(grad: np.ndarray, quad: np.ndarray) -> float:
    """Weakest side of ``quad``: median gradient strength along it (a real page edge is strong all along)."""
    h, w = grad.shape[:2]
    weakest = np.inf
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        n = max(8, int(np.linalg.norm(b - a) // 3))
        t = np.linspace(0.05, 0.95, n)[:, None]
        pts = a + t * (b - a)
        xs = np.clip(pts[:, 0].round().astype(int), 0, w - 1)
        ys = np.clip(pts[:, 1].round().astype(int), 0, h - 1)
        weakest = min(weakest, float(np.median(grad[ys, xs])))
    return weakest


def find_page_quad(gray: np.ndarray) -> np.ndarray | None:
    """Corners (TL, TR, BR, BL) of a bright page photographed on a darker background, or None.

    None when no such page is clearly visible: the page fills the frame, touches its border (a cut-off page
    has no trustworthy outline), or is not clearly brighter than its surroundings. Shading can make part of
    the page darker than Otsu's threshold, so several thresholds are tried; the candidate whose four sides lie
    on the strongest brightness edges wins.
    """
    h, w = gray.shape[:2]
    small = cv2.GaussianBlur(gray, (5, 5), 0)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    grad = cv2.dilate(cv2.magnitude(gx, gy), np.ones((5, 5), np.uint8))
    otsu, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    best: np.ndarray | None = None
    best_score = MIN_PAGE_EDGE
    kernel = np.ones((9, 9), np.uint8)
    for t in (otsu + 20, otsu, otsu - 20, otsu - 40):
        if not 10 < t < 245:
            continue
        bright = cv2.morphologyEx((small > t).astype(np.uint8) * 255, cv2.MORPH_CLOSE, kernel)
        quad = _page_candidate(gray, bright)
        if quad is None:
            continue
        score = _edge_support(grad, quad)
        if score > best_score:
            best, best_score = quad, score
    if best is None:
        return None
    mask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(mask, best.round().astype(np.int32), 255)
    inside = float(cv2.mean(gray, mask=mask)[0])
    outside = float(cv2.mean(gray, mask=cv2.bitwise_not(mask))[0])
    return best if inside - outside >= 25 else None


def rectify_matrix(quad: np.ndarray, inset: float = 0.004) -> tuple[np.ndarray, tuple[int, int]]:
    """Homography mapping ``quad`` (TL, TR, BR, BL) onto an upright rectangle of the page's own size.

    The rectangle is inset a little so the page edge (a dark line against the background) is cut off and can't
    be mistaken for a table ruling.
    """
    tl, tr, br, bl = quad
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    dx, dy = inset * width, inset * height
    out_w, out_h = max(1, round(width - 2 * dx)), max(1, round(height - 2 * dy))
    dst = np.array([[-dx, -dy], [width - dx, -dy], [width - dx, height - dy], [-dx, height - dy]])
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), dst.astype(np.float32))
    return matrix.astype(np.float64), (out_w, out_h)


# ---------------------------------------------------------------- skew


def _profile_score(xs: np.ndarray, ys: np.ndarray, angles_deg: np.ndarray, n_bins: int) -> np.ndarray:
    """Sharpness of the horizontal projection profile after removing each candidate skew angle."""
    scores = np.empty(len(angles_deg))
    for i, angle in enumerate(np.deg2rad(angles_deg)):
        proj = ys * np.cos(angle) + xs * np.sin(angle)
        hist = np.bincount(proj.astype(np.int32), minlength=n_bins)
        scores[i] = float(np.dot(hist.astype(np.float64), hist))
    return scores


def estimate_skew(ink: np.ndarray, max_deg: float = MAX_SKEW_DEG, max_points: int = 80_000) -> float:
    """Angle (degrees, counter-clockwise positive) by which text lines and rulings in ``ink`` are tilted.

    Projection-profile method: the tilt that makes the row histogram of ink pixels sharpest, searched coarse,
    fine. Works for text and for ruled tables alike; returns 0.0 when there is too little ink to tell.
    """
    ys, xs = np.nonzero(ink)
    if xs.size < 200:
        return 0.0
    if xs.size > max_points:
        pick = np.random.default_rng(0).choice(xs.size, max_points, replace=False)
        xs, ys = xs[pick], ys[pick]
    h, w = ink.shape[:2]
    offset = w * np.sin(np.deg2rad(max_deg)) + 2
    xs_f = xs.astype(np.float64)
    ys_f = ys.astype(np.float64) + offset
    n_bins = int(h + 2 * offset + 4)
    # coarse step: the shift over the page width stays about one text line
    step = max(0.05, min(0.5, np.rad2deg(np.arctan2(6.0, w))))
    coarse = np.arange(-max_deg, max_deg + 1e-9, step)
    scores = _profile_score(xs_f, ys_f, coarse, n_bins)
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - step, best + step + 1e-9, step / 10)
    scores = _profile_score(xs_f, ys_f, fine, n_bins)
    return float(fine[int(np.argmax(scores))])


def rotation_matrix(angle_deg: float, size: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """3x3 matrix rotating a ``size`` (w, h) image by ``angle_deg`` CCW onto a canvas holding all of it."""
    w, h = size
    rot = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle_deg, 1.0)
    cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
    new_w = int(np.ceil(w * cos + h * sin))
    new_h = int(np.ceil(w * sin + h * cos))
    rot[0, 2] += new_w / 2.0 - w / 2.0
    rot[1, 2] += new_h / 2.0 - h / 2.0
    return np.vstack([rot, [0.0, 0.0, 1.0]]), (new_w, new_h)


def quarter_turn_matrix(turns: int, size: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """3x3 matrix turning an image of ``size`` (w, h) clockwise by ``turns`` quarter turns, and the new size.

    Pixel-centre convention, so it matches ``np.rot90(image, -turns)`` exactly.
    """
    w, h = size
    turns %= 4
    if turns == 0:
        return np.eye(3), (w, h)
    if turns == 1:  # (x, y) -> (h - 1 - y, x)
        return np.array([[0.0, -1.0, h - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), (h, w)
    if turns == 2:
        return np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]]), (w, h)
    return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, w - 1.0], [0.0, 0.0, 1.0]]), (h, w)
