"""Ruling detection and erasure on small blurred text upscaled to the working size (a low-res scan)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from img2xlsx.page.clean import erase_rules, erase_rulings
from img2xlsx.tables.lines import detect_rulings
from PIL import Image, ImageDraw, ImageFont

TEXT_PX = 18.0  # the normaliser's working text height
ROW = "2935296   -6916528   1366446   9771689"


def _lowres_page(size: int) -> tuple[np.ndarray, int, int]:
    """Rows of numbers drawn ``size`` px tall, blurred, upscaled to TEXT_PX, with one real rule below them.

    Returns the page, the last pixel row holding text and the rule's pixel row.
    """
    font = ImageFont.load_default(size=size)
    img = Image.new("L", (60 * size, 12 * size), 255)
    draw = ImageDraw.Draw(img)
    for i in range(4):
        draw.text((2 * size, 2 * size + i * 2 * size), ROW, fill=60, font=font)
    draw.line((size, 10 * size, 50 * size, 10 * size), fill=0, width=1)
    f = TEXT_PX / size
    blurred = cv2.GaussianBlur(np.asarray(img), (0, 0), 0.8)
    gray = cv2.resize(blurred, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    return gray, int(9 * size * f), int(10 * size * f)


@pytest.mark.parametrize("size", [6, 8, 9])
def test_blurred_digit_tops_are_not_taken_for_rules(size: int) -> None:
    """Merged tops of blurred digits form word-long horizontal runs; erasing them cut numbers in half."""
    gray, text_bottom, rule_y = _lowres_page(size)
    rulings = detect_rulings(gray, TEXT_PX)
    assert len(rulings.hlines) == 1
    assert abs(rulings.hlines[0].y - rule_y) <= 3
    assert not rulings.mask[:text_bottom].any()  # nothing over the text is erased
    assert rulings.mask[rule_y - 2 : rule_y + 3].any()
    erased = erase_rulings(gray, rulings.mask)
    assert np.array_equal(erased[:text_bottom], gray[:text_bottom])
    assert erased[rule_y - 2 : rule_y + 3].min() > 200  # the rule itself is gone


def test_erase_rules_keeps_word_long_strokes_and_removes_long_rules() -> None:
    gray = np.full((80, 400), 255, np.uint8)
    gray[20:23, 10:70] = 0  # a 60 px stroke: a dash or merged glyph tops, not a rule
    gray[50:52, 10:390] = 0  # a rule across the crop
    out = erase_rules(gray)
    assert out[20:23, 10:70].max() == 0
    assert out[50:52, 10:390].min() == 255
