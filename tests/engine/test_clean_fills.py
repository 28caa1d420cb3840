"""Dark header bands made black-on-white for OCR (page.clean.clean_for_ocr)."""

from __future__ import annotations

import numpy as np
from img2xlsx.page import clean


def _band_page() -> np.ndarray:
    """White page, a dark band (rows 50..90) whose middle holds dense light glyph strokes, as a header's
    words do; text elsewhere on the page is dark on white."""
    page = np.full((200, 500), 255, np.uint8)
    page[50:90, 20:480] = 70
    for x in range(100, 400, 5):
        page[58:82, x : x + 2] = 235  # light strokes 3 px apart: a closing spreads them over the band
    page[120:140:4, 40:460] = 20  # dark text lines below
    return page


def test_a_given_band_box_is_inverted_through_its_text() -> None:
    page = _band_page()
    between = page[60:80, 102:400].copy() == 70  # the fill between the light strokes
    # the windows alone lose the band where its strokes are dense: the fill between them stays dark
    assert (clean.lighten_dark_fills(page)[60:80, 102:400][between] < 128).any()
    out = clean.clean_for_ocr(page, np.zeros_like(page), None, [(20, 50, 480, 90)])
    assert out[60:80, 102:400][between].min() >= 200  # fill -> paper
    assert out[60:80, 100:400:5].max() <= 60  # light strokes -> dark glyphs
    assert np.array_equal(out[100:], page[100:])  # the dark text below is untouched


def test_rule_mask_inside_a_dark_fill_is_not_painted_over_the_glyphs() -> None:
    page = _band_page()
    mask = np.zeros_like(page)
    mask[54:86, 150:250] = 255  # the fill between the glyphs opened into "rules" kept in the mask
    mask[150, 40:460] = 255  # a real rule on the paper
    page[150, 40:460] = 0
    out = clean.clean_for_ocr(page, mask, None, [(20, 50, 480, 90)])
    assert out[60:80, 150:250:5].max() <= 60  # the strokes under the mask still read as glyphs
    assert out[150, 40:460].min() >= 200  # the real rule is erased


def test_only_bands_a_text_line_tall_are_dark_fills_for_the_page_pass() -> None:
    from img2xlsx.recognize import dark_fill_boxes
    from img2xlsx.tables.lines import Band

    header = Band(20, 50, 480, 90, 70.0)  # 40 px: holds a line of 18 px text
    heavy_rule = Band(20, 150, 480, 164, 60.0)  # 14 px: a nutrition panel's bar
    light = Band(20, 200, 480, 240, 200.0)  # a zebra stripe: dark text on it, nothing to invert
    assert dark_fill_boxes([header, heavy_rule, light], 18.0) == [(20, 50, 480, 90)]
    assert dark_fill_boxes([heavy_rule], 12.0) == [(20, 150, 480, 164)]
