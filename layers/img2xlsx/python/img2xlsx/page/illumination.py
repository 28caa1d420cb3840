"""Even out shading: shadows and light falloff of phone photos, grey paper of scans.

The paper's brightness is estimated with a large max-filter on a small copy (ink is dark and thin, so the
brightest pixels nearby are paper), and the image is divided by it. Division keeps edges as sharp as they
were, so table rulings stay crisp, and light cell fills (header shading, zebra bands) keep their tone.
"""

from __future__ import annotations

import cv2
import numpy as np


def background(gray: np.ndarray, text_height: float | None) -> np.ndarray:
    """Smooth paper-brightness map, same size as ``gray``."""
    h, w = gray.shape[:2]
    th = text_height if text_height else max(h, w) / 60.0
    # work at a size where text is ~3 px tall: cheap, and noise is averaged away
    factor = min(1.0, 3.0 / max(th, 1.0))
    small = cv2.resize(
        gray, (max(8, round(w * factor)), max(8, round(h * factor))), interpolation=cv2.INTER_AREA
    )
    # the kernel spans a few text lines so that filled header rows / dark bands are bridged too
    k = max(3, round(4 * th * factor) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    bg = cv2.dilate(small, kernel)
    bg = cv2.erode(bg, kernel)  # closing: back to the paper's own extent, no halo around dark regions
    bg = cv2.GaussianBlur(bg, (0, 0), sigmaX=k / 2.0)
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)


def flatten(gray: np.ndarray, text_height: float | None) -> tuple[np.ndarray, float]:
    """``gray`` with paper brought to white everywhere, and how uneven the lighting was.

    Unevenness is the ratio of bright to dark paper (95th / 5th percentile of the background): ~1.0 for
    screenshots and flatbed scans, 1.14 and up for every phone photo of the bench. No contrast stretch
    afterwards: on low-contrast, noisy photos it amplifies noise into speckle that costs Tesseract more than
    the grey text does (bench photos: 0.46 vs 0.40 word recall).
    """
    bg = background(gray, text_height)
    sample = bg[:: max(1, bg.shape[0] // 200), :: max(1, bg.shape[1] // 200)]
    unevenness = float(np.percentile(sample, 95)) / max(1.0, float(np.percentile(sample, 5)))
    return cv2.divide(gray, np.maximum(bg, 1), scale=255), unevenness
