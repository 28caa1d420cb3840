"""Borderless columns that whitespace alone does not show: monospace numbers right-aligned one space apart.
Numbers grouped with spaces stay one cell. (Row labels on lines of their own: test_plain_layouts.)"""

from __future__ import annotations

import numpy as np
from img2xlsx.model import Table
from img2xlsx.ocr import Word
from img2xlsx.recognize import recognize_page
from img2xlsx.tables.borderless import borderless_structure
from img2xlsx.tables.region import Region
from img2xlsx.tables.skeleton import words_text
from img2xlsx.tables.textlines import WordLike
from PIL import Image, ImageDraw, ImageFont

INK = (30, 30, 30)
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
ROWS = [
    ("North", 62918, 81629, 144547),
    ("South", 4674, 5333, 10007),
    ("East", 59665, 57330, 116995),
    ("West", 25621, 19459, 45080),
    ("Central", 60197, 57575, 117772),
    ("Wholesale", 11062, 10491, 21553),
    ("Online", 40190, 33128, 73318),
]


def texts(table: Table) -> list[list[str]]:
    return [[(c.text if c is not None else "") for c in row] for row in table.grid()]


def test_monospace_numbers_one_space_apart_are_columns() -> None:
    font = ImageFont.truetype(MONO, 20)
    img = Image.new("RGB", (560, 360), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.text((30, 30), f"{'Region':<9} {'Q1':>5} {'Q2':>5} {'Total':>6}", fill=INK, font=font)
    for r, (name, a, b, c) in enumerate(ROWS):
        draw.text((30, 70 + 36 * r), f"{name:<9} {a:>5} {b:>5} {c:>6}", fill=INK, font=font)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    got = texts(res.tables[0])
    assert got[0] == ["Region", "Q1", "Q2", "Total"], got
    assert got[1:] == [[n, str(a), str(b), str(c)] for n, a, b, c in ROWS], got


def _word(text: str, x: int, y: int) -> Word:
    return Word(text, 0.95, (x, y, x + 12 * len(text), y + 20), (0,))


def test_numbers_grouped_with_spaces_stay_one_cell() -> None:
    # "12 345": the groups line up one space apart in every row, but three-digit groups follow the space
    amounts = [("12", "345"), ("4", "200"), ("310", "075"), ("9", "999"), ("56", "120")]
    words: list[WordLike] = [_word("Item", 20, 20), _word("Amount", 260, 20)]
    for r, (hi, lo) in enumerate(amounts):
        y = 60 + 36 * r
        words += [_word(f"Part {r}", 20, y), _word(hi, 332 - 12 * len(hi), y), _word(lo, 344, y)]
    raw = borderless_structure(Region("plain", 0, 10, 420, 260, words=words), 20.0, 15.0)
    assert raw is not None
    assert raw.n_cols == 2
    body = sorted((c.row, words_text(c.words, 20.0)) for c in raw.cells if c.col == 1 and c.row > 0)
    assert [t for _, t in body] == [f"{hi} {lo}" for hi, lo in amounts]
