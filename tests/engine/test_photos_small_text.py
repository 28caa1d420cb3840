"""Phone photos: pages under lighting that falls off across the frame, generated in the test."""

from __future__ import annotations

import cv2
import numpy as np
from img2xlsx.page import geometry
from PIL import Image, ImageDraw, ImageFont


def _page(width: int = 700, height: int = 820, font_px: int = 14) -> np.ndarray:
    """A white page with rows of small table text, as grey."""
    font = ImageFont.load_default(size=font_px)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    for r in range(28):
        y = 40 + r * 26
        for c, text in enumerate((f"AB-{4100 + 37 * r}-X", "Heavy Duty Drill", "On order", f"{12 * r + 1}")):
            draw.text((40 + c * 160, y), text, fill=0, font=font)
    return np.asarray(img).copy()


def _photo_with_falling_light() -> tuple[np.ndarray, np.ndarray]:
    """The page in perspective on a grey table, lit from below: the paper at the top ends up darker than the
    table at the bottom, so no single grey level separates page and table. Returns (photo, page corners)."""
    page = _page()
    h, w = page.shape
    corners = np.array([[60, 50], [w + 120, 30], [w + 90, h + 70], [90, h + 40]], dtype=np.float32)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners)
    frame = cv2.warpPerspective(page, matrix, (w + 180, h + 120), borderValue=150).astype(np.float32)
    # paper ~135 at the top, table 150 at the bottom
    light = np.linspace(0.5, 1.0, frame.shape[0], dtype=np.float32)[:, None]
    return np.clip(frame * light, 0, 255).astype(np.uint8), corners


def test_page_outline_found_when_light_falls_off_across_the_frame() -> None:
    photo, corners = _photo_with_falling_light()
    bright_top = np.percentile(photo[55:75, 200:600], 90)
    assert bright_top < photo[-10:, :].mean()  # the premise: no global threshold separates page and table
    quad = geometry.find_page_quad(photo)
    assert quad is not None
    assert np.abs(quad - corners).max() < 12
