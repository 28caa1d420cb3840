"""Pages of boxed cells (boxes are rules, not glyphs: for which way is up and text size); page outlines."""

from __future__ import annotations

import numpy as np
from img2xlsx.page import geometry, orientation
from img2xlsx.page.normalize import estimate_text_height
from PIL import Image, ImageDraw, ImageFont


def _boxed_page() -> np.ndarray:
    """A low-resolution table of boxed cells: small text a few pixels under each box's top side."""
    font = ImageFont.load_default(size=9)
    img = Image.new("L", (900, 330), 248)
    draw = ImageDraw.Draw(img)
    for r in range(9):
        for c in range(6):
            x, y = 40 + c * 80, 40 + r * 28
            draw.rounded_rectangle([x, y, x + 70, y + 18], radius=3, outline=120)
            draw.text((x + 12, y + 4), f"{(r + 3) * (c + 7) * 37:,}", fill=40, font=font)
    return np.asarray(img)


def test_boxed_cells_of_a_low_resolution_page_do_not_turn_it() -> None:
    page = _boxed_page()
    assert not orientation.is_sideways(geometry.ink_mask(page))
    assert orientation.is_sideways(geometry.ink_mask(np.ascontiguousarray(np.rot90(page))))


def test_a_quad_with_two_corners_on_one_point_is_no_page() -> None:
    # a crease's diagonal shade left a bright triangle, whose outline came back with a corner twice
    triangle = np.array([[50.0, 9.0], [281.0, 22.0], [263.0, 894.0], [263.0, 894.0]])
    slanted_page = np.array([[60.0, 10.0], [460.0, 60.0], [400.0, 900.0], [0.0, 840.0]])
    wide_strip = np.array([[64.0, 77.0], [885.0, 33.0], [882.0, 198.0], [34.0, 271.0]])  # 1 : 5
    assert not geometry._four_sided(triangle)
    assert geometry._four_sided(slanted_page)
    assert geometry._four_sided(wide_strip)


def test_boxed_cells_do_not_count_as_tall_glyphs() -> None:
    font = ImageFont.load_default(size=18)
    img = Image.new("L", (760, 620), 250)
    draw = ImageDraw.Draw(img)
    for r in range(14):
        for c in range(5):
            x, y = 30 + c * 140, 30 + r * 40
            draw.rectangle([x, y, x + 80, y + 32], outline=90, width=2)
            draw.text((x + 10, y + 7), f"{(r + 2) * (c + 3) % 97}", fill=30, font=font)
    est = estimate_text_height(np.asarray(img))
    assert est is not None and est < 20, (
        est
    )  # 18 px digits, one or two a box: ~13 px tall; the boxes are 33 px tall
