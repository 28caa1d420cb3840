"""Which way is up on a page of boxed cells: the boxes are rules, not glyphs."""

from __future__ import annotations

import numpy as np
from img2xlsx.page import geometry, orientation
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
