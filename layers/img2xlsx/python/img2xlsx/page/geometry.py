"""Where the page is and how it is turned: page outline (phone photos), small skew (scans), quarter turns.

All functions look at a small preview and return transforms; the caller warps the full image once.
"""

from __future__ import annotations

import cv2
import numpy as np

MAX_SKEW_DEG = 6.0
# A hand-held photo of a label or receipt is often tilted further than a scan or a framed shot: when the best
# tilt within MAX_SKEW_DEG lies on that bound, the search goes on out to WIDE_SKEW_DEG (bench photos: a
# nutrition panel tilted ~10 degrees was levelled to 6.5 and its rows merged; 36 train pages tilted a further
# 6.5-12 degrees: TEDS 0.63 -> 0.76). Pages inside the bound keep exactly the answer they had. Searching
# +-15 degrees on every page instead found false, sharper profiles (an upright nutrition panel lost its
# tables), so the wider search stays a continuation of a best found on the bound.
WIDE_SKEW_DEG = 15.0
MIN_PAGE_EDGE = 60.0  # Sobel magnitude a page side must reach along most of its length


def ink_mask(gray: np.ndarray, block: int | None = None, c: int = 12) -> np.ndarray:
    """255 where a pixel is clearly darker than its neighbourhood (text, rulings), robust to shading."""
    if block is None:
        block = max(15, (min(gray.shape[:2]) // 30) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block | 1, c)


Components = tuple[np.ndarray, np.ndarray]  # labels and stats of an ink mask's 8-connected components


def components(ink: np.ndarray) -> Components:
    """Labels and stats of ``ink``'s 8-connected components: worked out once per mask, since the page
    analysis asks three times about the same preview (quarter turn, skew, text height)."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return labels, stats


def glyph_mask(ink: np.ndarray, parts: Components | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """Glyph-sized components of ``ink`` only (no rulings, page edges, specks), their stats, median size.

    ``parts``: ``components(ink)`` if already known."""
    labels, stats = components(ink) if parts is None else parts
    w = stats[:, cv2.CC_STAT_WIDTH]
    h = stats[:, cv2.CC_STAT_HEIGHT]
    area = stats[:, cv2.CC_STAT_AREA]
    big = max(8, max(ink.shape[:2]) // 8)
    keep = (h >= 3) & (w >= 2) & (h <= big) & (w <= big) & (w <= 4 * h) & (h <= 4 * w) & (area >= 0.1 * w * h)
    keep[0] = False
    if not keep.any():
        return np.zeros_like(ink), stats[:0], 0.0
    mask = keep[labels].astype(np.uint8) * 255
    return mask, stats[keep], float(np.median(np.maximum(w[keep], h[keep])))


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
    if not _four_sided(quad):
        return None
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


# A page's shortest side is at least this share of its longest, even a long strip photographed at a slant
# (a wide two-table page: 0.19); a "quad" with a side shorter than that is a triangle whose outline came back
# with a corner twice (a crease's shade splitting the paper in two).
MIN_SIDE_SHARE = 0.05


def _four_sided(quad: np.ndarray) -> bool:
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    return min(sides) >= MIN_SIDE_SHARE * max(sides)


def _edge_support(grad: np.ndarray, quad: np.ndarray) -> float:
    """Weakest side of ``quad``: median gradient strength along its part inside the frame (a real page edge
    is strong all along; a side that is mostly outside the frame gives no support)."""
    h, w = grad.shape[:2]
    margin = 3
    weakest = np.inf
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        n = max(8, int(np.linalg.norm(b - a) // 3))
        t = np.linspace(0.02, 0.98, n)[:, None]
        pts = a + t * (b - a)
        inside = (
            (pts[:, 0] >= margin)
            & (pts[:, 0] < w - margin)
            & (pts[:, 1] >= margin)
            & (pts[:, 1] < h - margin)
        )
        if inside.mean() < 0.3:
            return 0.0
        pts = pts[inside]
        xs = pts[:, 0].round().astype(int)
        ys = pts[:, 1].round().astype(int)
        weakest = min(weakest, float(np.median(grad[ys, xs])))
    return weakest


def _line_intersection(l1: tuple[float, float], l2: tuple[float, float]) -> np.ndarray | None:
    (r1, t1), (r2, t2) = l1, l2
    a = np.array([[np.cos(t1), np.sin(t1)], [np.cos(t2), np.sin(t2)]])
    if abs(np.linalg.det(a)) < 1e-6:
        return None
    return np.linalg.solve(a, np.array([r1, r2]))


def _partial_page_quad(bright: np.ndarray) -> np.ndarray | None:
    """Page corners from the four strongest straight sides of the bright region, ignoring the frame border,
    so a page whose corner is cut off by the frame still gets its outline (corners may lie outside)."""
    h, w = bright.shape[:2]
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    if cv2.contourArea(contour) < 0.3 * w * h:
        return None
    outline = np.zeros((h, w), np.uint8)
    cv2.drawContours(outline, [contour], -1, 255, 2)
    border = 4
    outline[:border, :] = 0
    outline[-border:, :] = 0
    outline[:, :border] = 0
    outline[:, -border:] = 0
    lines = cv2.HoughLines(outline, 2, np.pi / 360, threshold=max(30, int(0.2 * min(w, h))))
    if lines is None:
        return None
    sides: dict[str, tuple[float, float]] = {}
    for rho, theta in lines[:, 0]:  # strongest first
        horizontal = abs(theta - np.pi / 2) < np.deg2rad(25)
        vertical = theta < np.deg2rad(25) or theta > np.pi - np.deg2rad(25)
        if horizontal:
            y_mid = (rho - (w / 2) * np.cos(theta)) / np.sin(theta)
            side = "top" if y_mid < h / 2 else "bottom"
        elif vertical:
            x_mid = (rho - (h / 2) * np.sin(theta)) / np.cos(theta)
            side = "left" if x_mid < w / 2 else "right"
        else:
            continue
        sides.setdefault(side, (float(rho), float(theta)))
        if len(sides) == 4:
            break
    if len(sides) < 4:
        return None
    corners = [
        _line_intersection(sides["top"], sides["left"]),
        _line_intersection(sides["top"], sides["right"]),
        _line_intersection(sides["bottom"], sides["right"]),
        _line_intersection(sides["bottom"], sides["left"]),
    ]
    if any(c is None for c in corners):
        return None
    quad = np.array(corners, dtype=np.float64)
    if not _four_sided(quad):
        return None
    # corners may leave the frame a little, not by much
    if (quad[:, 0] < -0.25 * w).any() or (quad[:, 0] > 1.25 * w).any():
        return None
    if (quad[:, 1] < -0.25 * h).any() or (quad[:, 1] > 1.25 * h).any():
        return None
    if not cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)):
        return None
    for i in range(4):
        u, v = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        if abs(float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))) > 0.5:
            return None
    return quad


# Paper counts as locally bright when it exceeds the mean of a window this fraction of the picture's long side
# by LOCAL_BRIGHT_MARGIN grey levels.
LOCAL_BRIGHT_WINDOW = 1 / 8
LOCAL_BRIGHT_MARGIN = 10


def _locally_bright(small: np.ndarray) -> np.ndarray:
    """Pixels brighter than their wide surroundings: the page's rim against the background next to it.

    For lighting that falls off across the frame (dev_0019: paper 160 at the top, background 157 at the
    bottom), where no global threshold separates page and background; the page's inside, darker than its
    mean where text lowers it, is filled by taking the outer contour.
    """
    block = max(3, round(max(small.shape[:2]) * LOCAL_BRIGHT_WINDOW) | 1)
    return cv2.adaptiveThreshold(
        small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, -LOCAL_BRIGHT_MARGIN
    )


def find_page_quad(gray: np.ndarray) -> np.ndarray | None:
    """Corners (TL, TR, BR, BL) of a bright page photographed on a darker background, or None.

    None when no such page is clearly visible: the page fills the frame, fewer than four of its sides are
    seen, or it is not clearly brighter than its surroundings. Shading can make part of the page darker than
    Otsu's threshold, so several thresholds are tried; the candidate whose four sides lie on the strongest
    brightness edges wins. A page with a corner cut off by the frame gets its corners from its four sides.
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
        # maybe the page runs off the frame: outline from its straight sides
        bright = cv2.morphologyEx((small > otsu).astype(np.uint8) * 255, cv2.MORPH_CLOSE, kernel)
        quad = _partial_page_quad(bright)
        if quad is not None and _edge_support(grad, quad) > MIN_PAGE_EDGE:
            best = quad
    if best is None:
        # lighting that falls off across the frame: no global threshold splits page and background
        quad = _page_candidate(gray, cv2.morphologyEx(_locally_bright(small), cv2.MORPH_CLOSE, kernel))
        if quad is not None and _edge_support(grad, quad) > MIN_PAGE_EDGE:
            best = quad
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


def estimate_skew(
    ink: np.ndarray,
    max_deg: float = MAX_SKEW_DEG,
    max_points: int = 80_000,
    refine_ink: np.ndarray | None = None,
    wide_deg: float = WIDE_SKEW_DEG,
) -> float:
    """Angle (degrees, counter-clockwise positive) by which text lines and rulings in ``ink`` are tilted.

    Projection-profile method: the tilt that makes the row histogram of ink pixels sharpest, searched coarse,
    then fine. ``refine_ink`` (e.g. all ink, rulings included, whose profile peaks are sharper than text's)
    is used for the fine search only, close to the coarse answer. An answer on the ``max_deg`` bound is
    searched on beyond it, out to ``wide_deg``. Returns 0.0 when there is too little ink.
    """
    ys, xs = _sample(ink, max_points)
    if xs.size < 200:
        return 0.0
    h, w = ink.shape[:2]
    offset = w * np.sin(np.deg2rad(max_deg)) + 2
    n_bins = int(h + 2 * offset + 4)
    # coarse step: the shift over the page width stays about one text line
    step = max(0.05, min(0.5, np.rad2deg(np.arctan2(6.0, w))))
    coarse = np.arange(-max_deg, max_deg + 1e-9, step)
    scores = _profile_score(xs, ys + offset, coarse, n_bins)
    best = float(coarse[int(np.argmax(scores))])
    if wide_deg > max_deg and abs(best) > max_deg - step:
        best = _wider_skew(xs, ys, w, h, best, step, wide_deg, float(scores.max()))
        if abs(best) + step > max_deg:  # the fine search's histogram must hold the wider tilts
            offset = w * np.sin(np.deg2rad(abs(best) + step)) + 2
            n_bins = int(h + 2 * offset + 4)
    if refine_ink is not None:
        ys_r, xs_r = _sample(refine_ink, max_points)
        if xs_r.size >= 200:
            xs, ys = xs_r, ys_r
    fine = np.arange(best - step, best + step + 1e-9, step / 10)
    scores = _profile_score(xs, ys + offset, fine, n_bins)
    return float(fine[int(np.argmax(scores))])


def _wider_skew(
    xs: np.ndarray, ys: np.ndarray, w: int, h: int, best: float, step: float, wide_deg: float, score: float
) -> float:
    """The best coarse tilt beyond ``best`` (on the inner bound, same side) out to ``wide_deg``, if its
    profile is sharper than ``score``; ``best`` otherwise. Same grid spacing, on a taller histogram."""
    side = 1.0 if best > 0 else -1.0
    outer = best + side * np.arange(step, wide_deg - abs(best) + 1e-9, step)
    if outer.size == 0:
        return best
    offset = w * np.sin(np.deg2rad(wide_deg)) + 2
    scores = _profile_score(xs, ys + offset, outer, int(h + 2 * offset + 4))
    k = int(np.argmax(scores))
    return float(outer[k]) if scores[k] > score else best


def _sample(ink: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.nonzero(ink)
    if xs.size > max_points:
        pick = np.random.default_rng(0).choice(xs.size, max_points, replace=False)
        xs, ys = xs[pick], ys[pick]
    return ys.astype(np.float64), xs.astype(np.float64)


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
