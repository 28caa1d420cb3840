"""Leaning columns (rows level, columns sheared by perspective) are made upright; upright pages untouched."""

from __future__ import annotations

import cv2
import numpy as np
from img2xlsx.page import lean
from img2xlsx.page.normalize import normalize_page
from PIL import Image, ImageDraw, ImageFont


def _table(lean_dx_dy: float = 0.0) -> tuple[np.ndarray, float]:
    """An unruled 16x3 table of words and numbers (RGB), its columns shifted by ``lean_dx_dy`` per row px."""
    font = ImageFont.load_default(size=20)
    img = Image.new("L", (700, 760), 250)
    draw = ImageDraw.Draw(img)
    for r in range(16):
        y = 40 + r * 42
        draw.text((40, y), f"Nutrient {r * 7 % 11} mg", fill=30, font=font)
        draw.text((360, y), f"{(r + 3) * 17 % 97}%", fill=30, font=font)
        draw.text((520, y), f"{(r + 5) * 29 % 89}.{r}", fill=30, font=font)
    gray = np.asarray(img)
    h, w = gray.shape
    spread = abs(lean_dx_dy) * h
    m = np.float32([[1, lean_dx_dy, spread / 2 - lean_dx_dy * h / 2], [0, 1, 0]])
    out = cv2.warpAffine(gray, m, (w + int(spread), h), borderValue=250)
    return np.repeat(out[:, :, None], 3, axis=2), spread / 2 - lean_dx_dy * h / 2


def _column_drift(matrix: np.ndarray, x: float, lean_dx_dy: float, offset: float) -> float:
    """How far one upright column of the rendered table ends up drifting from its top row to its bottom."""
    top = np.array([x + lean_dx_dy * 40 + offset, 40.0, 1.0])
    bottom = np.array([x + lean_dx_dy * 700 + offset, 700.0, 1.0])
    a, b = matrix @ top, matrix @ bottom
    return float(abs(a[0] / a[2] - b[0] / b[2]) / (abs(a[1] / a[2] - b[1] / b[2]) or 1.0))


def test_leaning_columns_are_made_upright() -> None:
    rgb, offset = _table(-0.07)
    norm = normalize_page(rgb, upside_down=False)
    assert _column_drift(norm.matrix, 360, -0.07, offset) < 0.015  # 0.07 without the correction


def test_an_upright_table_is_left_alone() -> None:
    rgb, _ = _table(0.0)
    norm = normalize_page(rgb, upside_down=False)
    assert np.allclose(norm.matrix[0, 1], 0.0)


def test_a_small_lean_is_left_alone() -> None:
    mask = np.zeros((400, 400), np.uint8)
    for r in range(10):
        for c in (20, 200):
            x = c + int(0.01 * 40 * r)
            cv2.rectangle(mask, (x, 20 + 38 * r), (x + 60, 32 + 38 * r), 255, -1)
    assert lean.estimate_lean(mask, 12.0) == 0.0


def test_shear_matrix_keeps_the_page_on_its_canvas() -> None:
    for slant in (0.08, -0.08):
        m, (w, h) = lean.shear_matrix(slant, (300, 500))
        corners = np.array([[0, 0, 1], [300, 0, 1], [0, 500, 1], [300, 500, 1]], float) @ m.T
        assert corners[:, 0].min() >= -1e-9 and corners[:, 0].max() <= w + 1e-9 and h == 500
