"""Tables ruled only between columns, with no rule across them: no outer box, so the rules form no network
of crossing rules. Set tight against the rules, cells leave too little whitespace for the columns to be read
from it; the rules themselves must give the columns (:mod:`img2xlsx.tables.colrules`)."""

from __future__ import annotations

import numpy as np
from img2xlsx.recognize import recognize_page
from img2xlsx.tables.colrules import column_rule_regions
from img2xlsx.tables.lines import VLine
from img2xlsx.tables.textlines import WordLike
from PIL import Image, ImageDraw, ImageFont

from tests.engine.test_rule_styles import ROWS, assert_rows, texts

FONT_PX = 22
PAD_X = 2  # cells set tight against their rules
ROW_H = int(FONT_PX * 1.6)


def _draw(draw: ImageDraw.ImageDraw, rows: list[list[str]], x: int, y: int) -> int:
    """Rows with a vertical rule left and right of every cell and none across; returns the right edge."""
    font = ImageFont.load_default(size=FONT_PX)
    n_cols = len(rows[0])
    widths = [max(int(font.getlength(r[c])) for r in rows) + 2 * PAD_X for c in range(n_cols)]
    xs = [x]
    for w in widths:
        xs.append(xs[-1] + w)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((xs[c] + PAD_X, y + r * ROW_H + 4), text, fill=(30, 30, 30), font=font)
    for xx in xs:
        draw.line([xx, y, xx, y + len(rows) * ROW_H], fill=(60, 60, 60), width=2)
    return xs[-1]


def test_tight_cells_between_column_rules_keep_their_columns() -> None:
    img = Image.new("RGB", (900, 420), (255, 255, 255))
    right = _draw(ImageDraw.Draw(img), ROWS, 40, 40)
    res = recognize_page(np.asarray(img.crop((0, 0, right + 40, 40 + len(ROWS) * ROW_H + 40))))
    assert len(res.tables) == 1, [texts(t) for t in res.tables]
    assert_rows(res.tables[0], ROWS)


class _W:
    def __init__(self, text: str, bbox: tuple[int, int, int, int]) -> None:
        self.text, self.conf, self.bbox = text, 0.9, bbox


def _rules_and_words(left_text: bool) -> tuple[list[VLine], list[WordLike]]:
    rules = [VLine(100, 400, x, 2) for x in (100, 250, 400, 550)]
    words: list[WordLike] = []
    for r in range(8):
        y = 110 + 35 * r
        words += [_W("cell", (x + 10, y, x + 80, y + 20)) for x in (100, 250, 400)]
        if left_text:  # a column of the same rows left of the first rule: rules between column groups
            words.append(_W("label", (20, y, 90, y + 20)))
    return rules, words


def test_column_rules_outline_a_region_closed_by_their_ends() -> None:
    rules, words = _rules_and_words(False)
    regions = column_rule_regions(rules, [], [], words, 20.0, 8.0)
    assert [(r.kind, r.x0, r.y0, r.x1, r.y1) for r in regions] == [("grid", 100, 100, 550, 400)]
    assert sorted(s.y for s in regions[0].hlines) == [100, 400]


def test_rows_running_on_past_the_outer_rule_are_left_to_the_text() -> None:
    rules, words = _rules_and_words(True)
    assert column_rule_regions(rules, [], [], words, 20.0, 8.0) == []
