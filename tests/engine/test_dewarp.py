"""Bent and curled pages: a ruled table is bent in the test by a known displacement, then flattened."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from img2xlsx.page import dewarp
from img2xlsx.page.normalize import normalize_page
from PIL import Image, ImageDraw, ImageFont

N_ROWS = 14
N_COLS = 5
FONT_PX = 20
ROW_H = 36


def render_grid() -> np.ndarray:
    """A ruled N_ROWS x N_COLS table of numbers, black on white, as RGB."""
    font = ImageFont.load_default(size=FONT_PX)
    col_w, margin = 170, 60
    width, height = N_COLS * col_w + 2 * margin, N_ROWS * ROW_H + 2 * margin
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    for r in range(N_ROWS):
        for c in range(N_COLS):
            text = f"{(r * 7919 + c * 104729) % 99991:,}.{(r + c) % 10}0"
            draw.text((margin + c * col_w + 14, margin + r * ROW_H + 8), text, fill="black", font=font)
    for r in range(N_ROWS + 1):
        y = margin + r * ROW_H
        draw.line([(margin, y), (margin + N_COLS * col_w, y)], fill="black", width=2)
    for c in range(N_COLS + 1):
        x = margin + c * col_w
        draw.line([(x, margin), (x, margin + N_ROWS * ROW_H)], fill="black", width=2)
    return np.asarray(img).copy()


def bend_profile(width: int, amount: float, curl: float) -> np.ndarray:
    """Downward displacement of each column (px): a gentle arch plus a curl rising towards the right edge."""
    t = np.linspace(0.0, 1.0, width)
    return amount * np.sin(np.pi * t) + curl * np.clip((t - 0.7) / 0.3, 0, None) ** 2


def bend(rgb: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """The page with column x moved down by ``profile[x]`` (a row becomes the curve y = row + profile(x))."""
    h, w = rgb.shape[:2]
    pad = int(np.ceil(np.abs(profile).max())) + 10
    canvas = np.full((h + 2 * pad, w, 3), 255, np.uint8)
    canvas[pad : pad + h] = rgb
    yy, xx = np.mgrid[0 : h + 2 * pad, 0:w].astype(np.float32)
    map_y = yy - profile[None, :].astype(np.float32)
    return cv2.remap(
        canvas, xx, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(255,) * 3
    )


def rule_rows(gray: np.ndarray, x0: int, x1: int) -> list[float]:
    """Heights of the horizontal rules seen in the strip of columns x0..x1: rows dark across most of it."""
    strip = gray[:, x0:x1] < 128
    on = strip.mean(axis=1) > 0.6
    rows, y = [], 0
    while y < len(on):
        if on[y]:
            start = y
            while y < len(on) and on[y]:
                y += 1
            rows.append((start + y - 1) / 2)
        y += 1
    return rows


def table_span(gray: np.ndarray) -> tuple[int, int]:
    """Left and right end of the table: its outer vertical rules (a little tilt allowed)."""
    dark = cv2.dilate((gray < 128).astype(np.uint8), np.ones((1, 9), np.uint8))
    cols = np.nonzero(dark.mean(axis=0) > 0.3)[0]
    return int(cols.min()), int(cols.max())


def rule_spread(gray: np.ndarray) -> tuple[int, float]:
    """(rules found in every strip, largest height difference of one rule between the left, middle and
    right strips of the table): straight rules give 0."""
    left, right = table_span(gray)
    col_w = (right - left) / N_COLS
    # in the blank right part of the first, middle and last column (text is left-aligned)
    strips = [
        (left + int((c + 0.72) * col_w), left + int((c + 0.92) * col_w)) for c in (0, N_COLS // 2, N_COLS - 1)
    ]
    found = [rule_rows(gray, a, b) for a, b in strips]
    n = min(len(r) for r in found)
    if n == 0 or any(len(r) != n for r in found):
        return min(len(r) for r in found), float("inf")
    spread = max(max(r[i] for r in found) - min(r[i] for r in found) for i in range(n))
    return n, float(spread)


@pytest.fixture(scope="module")
def grid() -> np.ndarray:
    return render_grid()


@pytest.fixture(scope="module")
def bent(grid: np.ndarray) -> np.ndarray:
    return bend(grid, bend_profile(grid.shape[1], amount=20.0, curl=60.0))


def test_bent_grid_comes_back_with_straight_rules(bent: np.ndarray) -> None:
    before = normalize_page(bent, detect_orientation=False, flatten_bends=False)
    n_before, spread_before = rule_spread(before.gray)
    # bent, a rule runs through several rows of the others: strips no longer agree on where the rows are
    assert spread_before > 2 * ROW_H / 3 or n_before != N_ROWS + 1
    page = normalize_page(bent, detect_orientation=False)
    assert page.dewarp is not None
    n, spread = rule_spread(page.gray)
    assert n == N_ROWS + 1
    assert spread < 0.2 * ROW_H  # every rule level again to within a fifth of a row


def test_flat_grid_is_left_alone(grid: np.ndarray) -> None:
    page = normalize_page(grid, detect_orientation=False)
    assert page.dewarp is None
    assert dewarp.estimate(page.gray, page.text_height) is None
    same = normalize_page(grid, detect_orientation=False, flatten_bends=False)
    assert np.array_equal(page.gray, same.gray)


def test_flattened_points_map_back_onto_the_bent_page(bent: np.ndarray) -> None:
    page = normalize_page(bent, detect_orientation=False)
    assert page.dewarp is not None
    gray_in = cv2.cvtColor(bent, cv2.COLOR_RGB2GRAY)
    # points on the flattened rules land on the bent rules
    left, right = table_span(page.gray)
    col_w = (right - left) / N_COLS
    on_rules = np.array(
        [
            (x, y)
            for y in rule_rows(page.gray, left + int(0.72 * col_w), left + int(0.92 * col_w))
            for x in np.linspace(left + 20, right - 20, 25)
            if page.gray[round(y) - 1 : round(y) + 2, round(x)].min() < 128
        ]
    )
    assert len(on_rules) >= 0.6 * 25 * (N_ROWS + 1)
    src = page.to_source(on_rules).round().astype(int)
    hits = sum(int(gray_in[y - 2 : y + 3, x].min() < 128) for x, y in src)
    assert hits >= 0.95 * len(src)
    # without the field the same points miss the rules near the curl
    flat = cv2.perspectiveTransform(on_rules.reshape(-1, 1, 2).astype(np.float64), np.linalg.inv(page.matrix))
    misses = sum(
        int(gray_in[y - 1 : y + 2, x].min() >= 128) for x, y in flat.reshape(-1, 2).round().astype(int)
    )
    assert misses >= 0.2 * len(src)
    # and the flattened box of a cell maps to a box on the bent page that holds the cell's ink
    x0, y0, x1, y1 = page.bbox_to_source((right - 150, 200, right - 10, 230))
    assert y1 - y0 < 3 * ROW_H and gray_in[y0:y1, x0:x1].min() < 80


def test_field_inverts_and_turns(bent: np.ndarray) -> None:
    page = normalize_page(bent, detect_orientation=False)
    field = page.dewarp
    assert field is not None
    w, h = field.size
    rng = np.random.default_rng(0)
    pts = rng.uniform([0, 0], [w - 1, h - 1], (50, 2))
    assert np.allclose(field.from_input(field.to_input(pts)), pts, atol=0.05)
    turned = page.turned_half()
    opposite = np.stack([w - 1 - pts[:, 0], h - 1 - pts[:, 1]], axis=1)
    assert np.allclose(turned.to_source(opposite), page.to_source(pts), atol=0.05)
