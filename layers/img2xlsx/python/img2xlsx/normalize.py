"""Turn a loaded page into the upright, flat, well-scaled grey image that line detection and OCR read.

Every geometric step (rescale, rotation, perspective) is folded into one 3x3 homography ``matrix`` that maps
loaded-page pixels to normalised pixels, so :meth:`NormalizedPage.to_source` can report boxes on the upload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

# Body-text height (median glyph box height, i.e. between x-height and cap height) that Tesseract reads best.
TARGET_TEXT_PX = 26.0
# Don't touch images whose text is already within this factor of the target: resampling costs accuracy too.
SCALE_TOLERANCE = 1.25
MAX_UPSCALE = 4.0
MAX_SIDE = 5000  # never produce more pixels than this per side (memory/time bound)


@dataclass
class NormalizedPage:
    """The normalised page and how to get back to the loaded page's coordinates."""

    gray: np.ndarray  # uint8, HxW
    matrix: np.ndarray  # 3x3 float: loaded-page px → normalised px
    source_size: tuple[int, int]  # (width, height) of the loaded page
    text_height: float | None = None  # estimated body text height in normalised px (None: no text found)
    rotation: int = 0  # quarter turn applied (0, 90, 180, 270; clockwise)
    skew_deg: float = 0.0  # small-angle rotation removed
    warnings: list[str] = field(default_factory=list)
    _binary: np.ndarray | None = field(default=None, repr=False)

    @property
    def scale(self) -> float:
        """Approximate normalised/source length ratio."""
        return float(np.sqrt(abs(np.linalg.det(self.matrix[:2, :2]))))

    @property
    def binary(self) -> np.ndarray:
        """Ink = 255 on background 0, computed on first use (line detection wants it, OCR doesn't)."""
        if self._binary is None:
            self._binary = binarize(self.gray)
        return self._binary

    def to_source(self, points: np.ndarray) -> np.ndarray:
        """Normalised (x, y) points, shape (N, 2) → loaded-page points, clipped to the page."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
        if pts.size == 0:
            return np.zeros((0, 2), dtype=np.float64)
        out = cv2.perspectiveTransform(pts, np.linalg.inv(self.matrix)).reshape(-1, 2)
        w, h = self.source_size
        out[:, 0] = np.clip(out[:, 0], 0, w)
        out[:, 1] = np.clip(out[:, 1], 0, h)
        return out

    def bbox_to_source(self, bbox: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
        """A normalised box → the axis-aligned box around its four mapped corners on the loaded page."""
        x0, y0, x1, y1 = bbox
        corners = self.to_source(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64))
        lo = np.floor(corners.min(axis=0)).astype(int)
        hi = np.ceil(corners.max(axis=0)).astype(int)
        return int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1])


def to_gray(image: np.ndarray) -> np.ndarray:
    """RGB/RGBA/grey uint8 → grey uint8 (luma)."""
    if image.ndim == 2:
        return image if image.dtype == np.uint8 else np.clip(image, 0, 255).astype(np.uint8)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink mask (255 = ink) robust to uneven background: local mean threshold with an Otsu sanity floor."""
    block = max(15, (min(gray.shape[:2]) // 40) | 1)
    adaptive = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 10)
    return adaptive


def estimate_text_height(gray: np.ndarray) -> float | None:
    """Median height of glyph-sized connected components, or None when the page shows no text."""
    ink = binarize(gray)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return None
    w = stats[1:, cv2.CC_STAT_WIDTH]
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    area = stats[1:, cv2.CC_STAT_AREA]
    page_h = gray.shape[0]
    keep = (h >= 4) & (h <= max(8, page_h // 8)) & (w <= 3 * h) & (w >= 1) & (area >= 0.15 * w * h)
    heights = h[keep]
    if heights.size < 8:
        return None
    # Glyph boxes mix x-height letters, caps/ascenders and digits; the upper half is cap-height-like.
    return float(np.percentile(heights, 75))


def _scale_factor(text_h: float | None, shape: tuple[int, int]) -> float:
    if text_h is None:
        return 1.0
    factor = TARGET_TEXT_PX / text_h
    if 1 / SCALE_TOLERANCE <= factor <= SCALE_TOLERANCE:
        return 1.0
    factor = min(factor, MAX_UPSCALE)
    longest = max(shape)
    if longest * factor > MAX_SIDE:
        factor = MAX_SIDE / longest
    return factor


def normalize_page(rgb: np.ndarray) -> NormalizedPage:
    """Grey, upright, flat, text at the size Tesseract reads best; see module docstring."""
    gray = to_gray(rgb)
    h, w = gray.shape[:2]
    matrix = np.eye(3, dtype=np.float64)
    warnings: list[str] = []
    text_h = estimate_text_height(gray)
    factor = _scale_factor(text_h, (h, w))
    if factor != 1.0:
        interp = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
        gray = cv2.resize(gray, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=interp)
        matrix = np.diag([gray.shape[1] / w, gray.shape[0] / h, 1.0]) @ matrix
    if text_h is None:
        warnings.append("no text-sized marks found; image left at its original size")
    return NormalizedPage(
        gray=gray,
        matrix=matrix,
        source_size=(w, h),
        text_height=None if text_h is None else text_h * factor,
        warnings=warnings,
    )
