"""A table is found whole and alone: a dark header band full of light text is one band, a striped header's
text block joins the ruled body half a row below it, and a text block running from one table into the
next one's dark header band is cut above the band."""

from __future__ import annotations

import numpy as np
from img2xlsx.ocr import Word
from img2xlsx.tables.cues import band_regions
from img2xlsx.tables.joins import headers_joined
from img2xlsx.tables.lines import Band, HLine, Rulings, detect_bands, frame_dark_bands
from img2xlsx.tables.region import Region
from img2xlsx.tables.segment import find_regions
from PIL import Image, ImageDraw, ImageFont

H = 20.0  # text height of the hand-made word boxes


def _rulings() -> Rulings:
    return Rulings([], [], np.zeros((800, 800), np.uint8))


def _word(text: str, x: int, y: int, w: int | None = None) -> Word:
    return Word(text, 0.9, (x, y, x + (w or 14 * len(text)), y + 20), (0,))


def test_a_dark_band_full_of_light_text_is_one_band() -> None:
    """White monospaced text along the whole width of a navy header band: closing the text away whitens
    the band wherever there is text, so it came out in pieces or not at all."""
    size = 18
    font = ImageFont.load_default(size=size)
    img = Image.new("L", (900, 400), 245)
    draw = ImageDraw.Draw(img)
    draw.rectangle((50, 100, 750, 140), fill=50)
    draw.text((56, 110), "Area   Total Male Female Area km2 Density", fill=250, font=font)
    for i in range(4):
        draw.text((56, 160 + 40 * i), "Springfield  8285 3982   4303    15.3  541.5", fill=40, font=font)
    bands = detect_bands(np.asarray(img), float(size))
    dark = [b for b in bands if b.level < 140]
    assert len(dark) == 1
    b = dark[0]
    assert b.x0 <= 60 and b.x1 >= 740 and b.y0 <= 105 and b.y1 >= 135


def test_a_striped_header_block_joins_the_ruled_body_half_a_row_below() -> None:
    """The header band's text block (with the first rows it took along) ends at its last line's text; the
    body's first rule stands half a row's padding below, more than a text height when rows are ruled wide
    apart."""
    head = Region("plain", 100, 100, 700, 180, bands=[Band(100, 95, 700, 130, 200.0)])
    rules = [HLine(100, 700, 200 + 50 * i, 2) for i in range(5)]  # rows 50 px apart: padding 15 px
    body = Region("hrules", 100, 200, 700, 400, hlines=rules)
    joined = headers_joined([head, body], H)
    assert len(joined) == 1
    assert joined[0].y0 == 100 and joined[0].kind == "hrules"


def _line_words(y: int, texts: list[str], xs: list[int]) -> list[Word]:
    return [_word(t, x, y) for t, x in zip(texts, xs, strict=True)]


def test_a_text_block_running_into_a_dark_header_band_is_cut_above_it() -> None:
    """A borderless table, its source note, the next table's title, then that table's dark header band
    (a lone band: a seed that a text block joins) over the one row left at the foot of the page, set close
    enough to read as one text block: the band heads the table below it, so the lines above it are no
    rows of that table."""
    words: list[Word] = []
    for i in range(6):
        words += _line_words(100 + 36 * i, [f"Item{i}", f"{i}0.5", f"{i}1.25"], [100, 300, 500])
    words += _line_words(330, ["Source: records"], [100]) + _line_words(370, ["Event schedule"], [100])
    words += _line_words(415, ["Area", "Total", "Male", "Female"], [110, 300, 450, 600])
    words += _line_words(460, ["Springfield", "8285", "3982", "4303"], [110, 300, 450, 600])
    bands = [Band(100, 405, 700, 445, 50.0)]
    regions = find_regions(words, _rulings(), bands, H, 15.0)
    assert len(regions) == 2
    first, second = sorted(regions, key=lambda r: r.y0)
    assert first.y1 < 330 and second.y0 >= 400


def _dark_header_page(rows: int, width: int = 700, left: int = 50) -> Image.Image:
    size = 18
    font = ImageFont.load_default(size=size)
    img = Image.new("L", (1700, 400), 245)
    draw = ImageDraw.Draw(img)
    for r in range(rows):  # each header row its own fill, a thin light separator between them
        y = 100 + 45 * r
        draw.rectangle((left, y, left + width, y + 40), fill=50)
        draw.text((left + 6, y + 10), "Region   FY2024  Q1   Q2   Q3   Total", fill=250, font=font)
    return img


def test_a_two_row_dark_header_is_two_bands() -> None:
    """The median bridges the thin light separator between a dark header's two rows; the grid's row
    between them needs that edge, so each row is a band of its own."""
    dark = [b for b in detect_bands(np.asarray(_dark_header_page(2)), 18.0) if b.level < 140]
    assert len(dark) == 2
    assert dark[0].y1 <= 145 <= dark[1].y0 + 2


def test_dark_headers_of_tables_side_by_side_stay_apart() -> None:
    """Two tables side by side, their dark header bands a column gap apart: two heads, not one band."""
    img = _dark_header_page(1, 700, 50)
    img.paste(_dark_header_page(1, 700, 50).crop((0, 0, 800, 400)), (760, 0))
    dark = [b for b in detect_bands(np.asarray(img), 18.0) if b.level < 140]
    assert len(dark) == 2
    assert dark[0].x1 < 800 or dark[1].x1 < 800


def test_a_tall_dark_header_is_a_header_band() -> None:
    """A narrow table's dark header of two wrapped rows is as tall as a third of its width: moire blotches
    of that shape are not headers, but they are light."""
    regions = band_regions([Band(300, 300, 590, 400, 86.0)], 16.0)
    assert len(regions) == 1 and regions[0].seed


def test_the_top_rule_made_at_a_dark_header_spans_the_band() -> None:
    """The rule under a dark header stops short of the band's left end (the body's rules run on as far as
    the band): the rule made at the band's top spans the band, so it agrees with the body's rules."""
    under = HLine(191, 917, 316, 2)
    framed = frame_dark_bands(
        Rulings([under], [], np.zeros((800, 1000), np.uint8)), [Band(168, 276, 915, 317, 60.0)], 18.0
    )
    top = [s for s in framed.hlines if abs(s.y - 276) <= 2]
    assert len(top) == 1 and top[0].x0 <= 170 and top[0].x1 >= 915


def test_boxed_dark_header_cells_are_one_band() -> None:
    """Header cells boxed apart, a light separator under a text height wide between their dark fills: one
    header band (tables side by side stand a column gap apart)."""
    img = Image.new("L", (900, 300), 245)
    draw = ImageDraw.Draw(img)
    for x in (50, 256, 462):
        draw.rectangle((x, 100, x + 192, 140), fill=60)
    dark = [b for b in detect_bands(np.asarray(img), 18.0) if b.level < 140]
    assert len(dark) == 1
    assert dark[0].x0 <= 55 and dark[0].x1 >= 650
