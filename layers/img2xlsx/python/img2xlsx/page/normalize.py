"""Turn a loaded page into the upright, flat, well-scaled grey image that line detection and OCR read.

Every geometric step (rescale, rotation, perspective) is folded into one 3x3 homography ``matrix`` that maps
loaded-page pixels to normalised pixels; a bent or curled page is then flattened by a vertical displacement
field (``NormalizedPage.dewarp``, see :mod:`.dewarp`), so :meth:`NormalizedPage.to_source` can report boxes
on the upload.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from img2xlsx.ocr import TextReader, get_reader

from . import dewarp as bends
from . import geometry, illumination, lean, orientation

# Body-text height (75th percentile of glyph box heights, ~cap height, ~0.76 x CSS font size) to rescale to.
# End to end on all 158 bench images (mean TEDS): 15 px worse on lowres (-0.05), 18 px 0.885, 22 px 0.885
# (scans +0.02, photos -0.03), 26 px worse on lowres/photos/scans; 18 keeps the images smaller.
TARGET_TEXT_PX = 18.0
# Don't touch images whose text is already within this factor of the target: resampling costs accuracy too.
SCALE_TOLERANCE = 1.25
MAX_UPSCALE = 4.0
MAX_SIDE = 5000  # never produce more pixels than this per side (memory/time bound)
PREVIEW_SIDE = 1600  # analysis (outline, skew, text size) runs on at most this many px per side
QUAD_SIDE = 900  # the page outline is looked for on an even smaller copy
# Camera captures (recognised by uneven lighting) with soft edges are blurry: OCR reads an unsharp-masked copy
# (``NormalizedPage.ocr_gray``). End to end on the 37 bench photos (TEDS / cell text): none 0.74 / 0.73,
# amount 0.7 0.79 / 0.79, 1.0 0.78 / 0.77, 1.5 0.76 / 0.74 (stronger masks add grain that reads as words).
# Screenshots and flatbed scans are sharp already; sharpening them only adds ringing.
CAMERA_UNEVENNESS = 1.10
SHARP_EDGES = 0.47  # edge_sharpness: crisp renders ~0.5+, bench photos 0.27-0.445
SHARPEN_AMOUNT = 0.7
SHARPEN_SIGMA = 2.0
UPSCALE_INTERP = cv2.INTER_CUBIC
MIN_SKEW_DEG = 0.15  # below this a rotation costs more sharpness than it gains


@dataclass
class NormalizedPage:
    """The normalised page and how to get back to the loaded page's coordinates."""

    gray: np.ndarray  # uint8, HxW
    matrix: np.ndarray  # 3x3 float: loaded-page px → normalised px (before ``dewarp``)
    source_size: tuple[int, int]  # (width, height) of the loaded page
    text_height: float | None = None  # estimated body text height in normalised px (None: no text found)
    rotation: int = 0  # quarter turn applied (0, 90, 180, 270; clockwise)
    skew_deg: float = 0.0  # small-angle rotation removed
    warnings: list[str] = field(default_factory=list)
    blurry_capture: bool = False  # a blurry camera capture: OCR reads a sharpened copy (see ocr_gray)
    # ``gray`` before illumination flattening (same geometry), for detectors that want the original tones
    unflattened: np.ndarray | None = field(default=None, repr=False)
    # a bent page's flattening, applied after ``matrix`` (None: the homography alone gives ``gray``)
    dewarp: bends.Dewarp | None = field(default=None, repr=False)
    _binary: np.ndarray | None = field(default=None, repr=False)

    @property
    def ocr_gray(self) -> np.ndarray:
        """What Tesseract should read: ``gray``, unsharp-masked for blurry camera captures.

        Kept apart from ``gray`` because sharpening amplifies grain, which upsets ruling and band detection
        (bench photos, TEDS-struct 0.90 -> 0.78 when the structure saw the sharpened image).
        """
        return sharpen(self.gray, SHARPEN_AMOUNT, SHARPEN_SIGMA) if self.blurry_capture else self.gray

    @property
    def scale(self) -> float:
        """Approximate normalised/source length ratio."""
        return float(np.sqrt(abs(np.linalg.det(self.matrix[:2, :2]))))

    @property
    def binary(self) -> np.ndarray:
        """Ink = 255 on background 0, computed on first use (line detection wants it, OCR doesn't)."""
        if self._binary is None:
            self._binary = binarize(self.gray, self.text_height)
        return self._binary

    def turned_half(self) -> NormalizedPage:
        """The same page turned by 180°: for a page found upside down after normalisation."""
        half, _ = geometry.quarter_turn_matrix(2, (self.gray.shape[1], self.gray.shape[0]))
        rotation = (self.rotation + 180) % 360
        warnings = [x for x in self.warnings if not x.startswith(TURN_WARNING)]
        if rotation:
            warnings.append(f"{TURN_WARNING} {rotation} degrees")
        return replace(
            self,
            gray=np.ascontiguousarray(self.gray[::-1, ::-1]),
            matrix=half @ self.matrix,
            rotation=rotation,
            warnings=warnings,
            unflattened=None if self.unflattened is None else self.unflattened[::-1, ::-1].copy(),
            dewarp=None if self.dewarp is None else self.dewarp.turned_half(),
            _binary=None,
        )

    def to_source(self, points: np.ndarray) -> np.ndarray:
        """Normalised (x, y) points, shape (N, 2) → loaded-page points, clipped to the page."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
        if pts.size == 0:
            return np.zeros((0, 2), dtype=np.float64)
        if self.dewarp is not None:
            pts = self.dewarp.to_input(pts).reshape(-1, 1, 2)
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


def unflattened(rgb: np.ndarray, norm: NormalizedPage) -> np.ndarray:
    """The loaded page brought into normalised coordinates without illumination flattening: flattening
    lightens cell fills next to text, and faint zebra stripes are exactly what band detection looks for."""
    h, w = norm.gray.shape[:2]
    out = cv2.warpPerspective(
        to_gray(rgb), norm.matrix, (w, h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )
    return out if norm.dewarp is None else norm.dewarp.apply(out, int(np.median(out[::8, ::8])))


def edge_sharpness(gray: np.ndarray) -> float:
    """Median steepness of the strongest edges relative to their local contrast (~0.5 crisp, ~0.3 blurry).

    Measured on a central window of at most 1000x1000 px: enough edges, a fraction of the cost.
    """
    h, w = gray.shape[:2]
    y0, x0 = max(0, (h - 1000) // 2), max(0, (w - 1000) // 2)
    gray = gray[y0 : y0 + 1000, x0 : x0 + 1000]
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    mag = cv2.magnitude(gx, gy)
    kernel = np.ones((7, 7), np.uint8)
    contrast = cv2.subtract(cv2.dilate(gray, kernel), cv2.erode(gray, kernel))
    threshold = float(np.percentile(mag[::3, ::3], 99))
    strong = (mag >= threshold) & (contrast > 40)
    if not strong.any():
        return 1.0
    return float(np.median(mag[strong] / contrast[strong])) / 8.0  # Sobel gain 8 -> grey levels per pixel


NOISE_TEXTURE = 30.0  # median 3x3 local std (grey levels): bench pictures <= 6.3, uniform random noise ~46
NOISE_WARNING = "the picture looks like noise: no text found"
TURN_WARNING = "page was turned by"


def looks_like_noise(gray: np.ndarray) -> bool:
    """True when the picture is grain everywhere, with no calm background for text to stand out from.

    Every document, screenshot or photo of one is mostly even paper or screen (the median pixel's 3x3
    neighbourhood varies by a few grey levels, even in noisy photos); on random noise it varies by tens, and
    Tesseract would spend many seconds reading thousands of junk "words" from it. Measured at full resolution
    (shrinking averages grain away) on a central window of at most 2000x2000 px.
    """
    h, w = gray.shape[:2]
    if h < 3 or w < 3:
        return False
    y0, x0 = max(0, (h - 2000) // 2), max(0, (w - 2000) // 2)
    window = gray[y0 : y0 + 2000, x0 : x0 + 2000].astype(np.float32)
    mean = cv2.blur(window, (3, 3))
    var = cv2.blur(window * window, (3, 3)) - mean * mean
    # the median of every third position is the same statistic at a ninth of the cost (~10 ms per page)
    return float(np.sqrt(max(0.0, float(np.median(var[::3, ::3]))))) > NOISE_TEXTURE


def sharpen(gray: np.ndarray, amount: float, sigma: float) -> np.ndarray:
    """Unsharp mask: ``gray + amount * (gray - blur(gray))``, saturating at 0/255."""
    blurred = cv2.GaussianBlur(gray, (0, 0), sigma)
    return cv2.addWeighted(gray, 1.0 + amount, blurred, -amount, 0)


def noise_sigma(gray: np.ndarray) -> float:
    """Standard deviation of pixel noise (robust: median absolute deviation of a 3x3 high-pass)."""
    step = max(1, max(gray.shape[:2]) // 800)
    sample = gray[::step, ::step]
    high = sample.astype(np.int16) - cv2.blur(sample, (3, 3)).astype(np.int16)
    return float(1.4826 * np.median(np.abs(high)) * 1.5)  # x1.5: a 3x3 mean removes part of the noise


def binarize(gray: np.ndarray, text_height: float | None = None) -> np.ndarray:
    """Ink mask (255 = ink): darker than the local mean by clearly more than the noise.

    A light blur first, and a margin scaled by the measured noise, keep scanner/photo grain in light cell
    fills from turning into speckle, while 1-px rulings (which differ from paper by far more) survive.
    """
    block = max(15, round(2.5 * text_height) | 1) if text_height else max(15, (min(gray.shape[:2]) // 40) | 1)
    margin = max(8.0, 3.0 * noise_sigma(gray))
    smooth = cv2.GaussianBlur(gray, (3, 3), 0) if margin > 8.0 else gray
    return cv2.adaptiveThreshold(
        smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, margin
    )


def estimate_text_height(
    gray: np.ndarray, ink: np.ndarray | None = None, stats: np.ndarray | None = None
) -> float | None:
    """Typical glyph height (≈ cap height) in px, or None when the page shows no text.

    The 75th percentile of glyph-sized connected components: glyph boxes mix x-height letters with capitals,
    digits and ascenders, and the upper quartile lands near cap height (~0.75 x CSS font size on the bench).
    ``stats``: the component stats of ``ink`` (:func:`geometry.components`) if already known.
    """
    if stats is None:
        if ink is None:
            ink = binarize(gray)
        stats = geometry.components(ink)[1]
    n = len(stats)
    if n <= 1:
        return None
    w = stats[1:, cv2.CC_STAT_WIDTH]
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    area = stats[1:, cv2.CC_STAT_AREA]
    page_h = gray.shape[0]
    keep = (h >= 4) & (h <= max(8, page_h // 8)) & (w <= 3 * h) & (area >= 0.15 * w * h)
    outlines = _enclosing(stats[1:], keep) & keep
    if outlines.sum() >= OUTLINE_SHARE * keep.sum():  # a table of boxed cells, not a stray frame or two
        keep &= ~outlines
    heights = h[keep]
    if heights.size < 8:
        return None
    return float(np.percentile(heights, 75))


OUTLINE_FILL = 0.3  # an outline covers less than this share of its box (a boxed cell's ~0.1-0.2)
OUTLINE_SHARE = 0.1  # outlines are left out when they are at least this share of the glyph-sized marks


def _enclosing(stats: np.ndarray, glyphs: np.ndarray) -> np.ndarray:
    """Thin outlines whose box holds the centres of at least two others: a boxed cell's outline around its
    text, a frame. Glyph-sized on a table of boxed cells, they made the text look twice its height (the
    page was then shrunk until its text could not be read). Only ``glyphs`` (glyph-sized components)
    count as held: a glyph's hole never holds other glyphs, a dot-matrix glyph's ring only its dots."""
    if len(stats) == 0:
        return np.zeros(0, bool)
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    cx, cy = x + w // 2, y + h // 2
    shape = (int((y + h).max()) + 1, int((x + w).max()) + 1)
    centres = np.zeros(shape, np.int32)
    np.add.at(centres, (cy[glyphs], cx[glyphs]), 1)
    acc = _summed_area(centres)
    inside = acc[y + h, x + w] - acc[y, x + w] - acc[y + h, x] + acc[y, x]
    thin = stats[:, cv2.CC_STAT_AREA] < OUTLINE_FILL * w * h
    return np.asarray((inside - glyphs >= 2) & thin)


def _summed_area(counts: np.ndarray) -> np.ndarray:
    """``counts`` (non-negative int32) summed over every top-left rectangle, with a zero first row and column:
    OpenCV's integral image (a tenth of numpy's two cumsums on a preview) when the counts fit in a byte, as
    glyph centres sharing one pixel always do; numpy's otherwise. The same integers either way."""
    if counts.size and int(counts.max()) <= 255:
        return np.asarray(cv2.integral(counts.astype(np.uint8), sdepth=cv2.CV_32S))
    return np.pad(counts.cumsum(0).cumsum(1), ((1, 0), (1, 0)))


def _scale_factor(text_h: float | None, longest_side: float) -> float:
    if text_h is None:
        return 1.0
    factor = TARGET_TEXT_PX / text_h
    if 1 / SCALE_TOLERANCE <= factor <= SCALE_TOLERANCE:
        factor = 1.0
    factor = min(factor, MAX_UPSCALE)
    if longest_side * factor > MAX_SIDE:
        factor = MAX_SIDE / longest_side
    return factor


def _preview(gray: np.ndarray, side: int = 0) -> tuple[np.ndarray, float]:
    h, w = gray.shape[:2]
    f = min(1.0, (side or PREVIEW_SIDE) / max(h, w))
    if f == 1.0:
        return gray, 1.0
    return cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA), f


def _warp(gray: np.ndarray, matrix: np.ndarray, size: tuple[int, int], fill: int) -> np.ndarray:
    """Apply ``matrix`` (source → output px) in one resampling; big reductions pre-shrink with INTER_AREA."""
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:2, :2]))))
    pure_scale = np.allclose(matrix[[0, 1, 2, 2], [1, 0, 0, 1]], 0) and np.allclose(matrix[:2, 2], 0)
    if pure_scale:
        if size == (gray.shape[1], gray.shape[0]):
            return gray
        interp = UPSCALE_INTERP if scale > 1 else cv2.INTER_AREA
        return cv2.resize(gray, size, interpolation=interp)
    if scale < 0.7:
        # pre-shrink with area averaging (warpPerspective has no anti-aliasing), then warp the rest
        pre = cv2.resize(
            gray,
            (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale))),
            interpolation=cv2.INTER_AREA,
        )
        sx, sy = pre.shape[1] / gray.shape[1], pre.shape[0] / gray.shape[0]
        matrix = matrix @ np.linalg.inv(np.diag([sx, sy, 1.0]))
        gray, scale = pre, 1.0
    interp = UPSCALE_INTERP if scale > 1.05 else cv2.INTER_LINEAR
    return cv2.warpPerspective(
        gray, matrix, size, flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )


def normalize_page(
    rgb: np.ndarray,
    *,
    detect_orientation: bool = True,
    upside_down: bool = True,
    reader: TextReader | None = None,
    flatten_bends: bool = True,
) -> NormalizedPage:
    """Grey, upright, flat, text at the size Tesseract reads best; see module docstring.

    ``upside_down=False`` leaves out the 180° test: a caller that reads the whole page anyway can run it
    only when that reading is doubtful (``NormalizedPage.turned_half``), saving an OCR pass on most pages.
    ``reader`` reads the strip of that test (default: :func:`img2xlsx.ocr.get_reader`).
    ``flatten_bends=False`` leaves curved rows as they are (a page whose words come from a text layer is flat
    by construction, and those words are placed through ``matrix`` alone).

    Analysis (page outline, quarter turns, skew, text size) runs on a preview of at most PREVIEW_SIDE px; the
    full-size grey image is resampled exactly once with the composed transform.
    """
    gray = to_gray(rgb)
    src_h, src_w = gray.shape[:2]
    warnings: list[str] = []
    preview, pf = _preview(gray)
    fill = int(
        np.percentile(preview[:: max(1, preview.shape[0] // 200), :: max(1, preview.shape[1] // 200)], 90)
    )
    # 1. perspective: a page photographed on a darker background
    matrix = np.eye(3)  # source px → working px (source scale)
    size = (src_w, src_h)
    view = preview  # the preview seen through ``matrix``
    quad_view, qf = _preview(preview, QUAD_SIDE)  # the outline needs few pixels
    quad = geometry.find_page_quad(quad_view)
    if quad is not None:
        matrix, size = geometry.rectify_matrix(quad / (pf * qf))
        to_preview = np.diag([pf, pf, 1.0])
        view_m = to_preview @ matrix @ np.linalg.inv(to_preview)
        view_size = (max(1, round(size[0] * pf)), max(1, round(size[1] * pf)))
        view = cv2.warpPerspective(preview, view_m, view_size, flags=cv2.INTER_LINEAR, borderValue=fill)
    ink = geometry.ink_mask(view)
    parts = geometry.components(ink)  # shared by the three questions below
    # 2. sideways pages: turn clockwise now; the upside-down test below turns 90 into 270 when needed
    turns = 0
    if detect_orientation and orientation.is_sideways(ink, parts):
        quarter, size = geometry.quarter_turn_matrix(1, size)
        matrix = quarter @ matrix
        view = np.ascontiguousarray(np.rot90(view, -1))
        ink = np.ascontiguousarray(np.rot90(ink, -1))
        parts = geometry.components(ink)
        turns = 1
    # 3. small skew, from the text alone: page edges and photo clutter tilt differently from the text,
    # and rulings run along the text anyway (a table with hardly any text falls back to all ink)
    glyphs, glyph_stats, _ = geometry.glyph_mask(ink, parts)
    skew = geometry.estimate_skew(glyphs if len(glyph_stats) >= 30 else ink, refine_ink=ink)
    rot = np.eye(3)
    if abs(skew) >= MIN_SKEW_DEG:
        rot, size = geometry.rotation_matrix(-skew, size)
        matrix = rot @ matrix
    else:
        skew = 0.0
    text_h_view = estimate_text_height(view, ink, parts[1])
    # 3b. columns that still lean once the rows are level (perspective): a horizontal shear
    slant = lean.estimate_lean(lean.level_view(glyphs, rot, pf, size), text_h_view)
    del glyphs
    if slant:
        shear, size = lean.shear_matrix(slant, size)
        matrix = shear @ matrix
    # 4. scale, from the text height measured on the (unrotated) view, in source px
    del parts
    text_h = None if text_h_view is None else text_h_view / pf
    factor = _scale_factor(text_h, max(size))
    matrix = np.diag([factor, factor, 1.0]) @ matrix
    out_size = (max(1, round(size[0] * factor)), max(1, round(size[1] * factor)))
    del view, ink, preview
    out = _warp(gray, matrix, out_size, fill)
    del gray
    text_h_out = None if text_h is None else text_h * factor
    # 5. illumination
    shaded = out
    out, unevenness = illumination.flatten(out, text_h_out)
    # 6. bent or curled paper: rows that curve are made straight (flat pages are left as they are); measured
    # on the evened page, where shadows and creases no longer pass for ink
    field = bends.estimate(out, text_h_out) if flatten_bends else None
    if field is not None:
        out = field.apply(out, 255)
        shaded = field.apply(shaded, fill)
    blurry = unevenness > CAMERA_UNEVENNESS and SHARPEN_AMOUNT > 0 and edge_sharpness(out) < SHARP_EDGES
    # 7. upside down (or turned the wrong way in step 2)
    if (
        detect_orientation
        and upside_down
        and orientation.is_upside_down(out, text_h_out, reader or get_reader())
    ):
        half, _ = geometry.quarter_turn_matrix(2, (out.shape[1], out.shape[0]))
        matrix = half @ matrix
        out = np.ascontiguousarray(out[::-1, ::-1])
        shaded = np.ascontiguousarray(shaded[::-1, ::-1])
        field = None if field is None else field.turned_half()
        turns += 2
    if text_h is None:
        warnings.append("no text-sized marks found; image left at its original size")
    if turns:
        warnings.append(f"{TURN_WARNING} {90 * turns} degrees")
    return NormalizedPage(
        gray=out,
        matrix=matrix,
        source_size=(src_w, src_h),
        text_height=text_h_out,
        rotation=90 * turns,
        skew_deg=skew,
        warnings=warnings,
        blurry_capture=blurry,
        unflattened=shaded,
        dewarp=field,
    )
