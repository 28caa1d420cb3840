"""Rule styles that draw only part of a grid: column rules with or without a box, heavy rules between column
groups, a header rule heavier than the body's, tables stacked close together. Each must come back as one
table per drawn table with its own rows and columns."""

from __future__ import annotations

import numpy as np
import pytest
from img2xlsx.model import Table
from img2xlsx.ocr import Word
from img2xlsx.recognize import recognize_page
from img2xlsx.tables.cues import _without_glyph_edges
from img2xlsx.tables.grid import grid_structure
from img2xlsx.tables.lines import Band, HLine, Rulings, VLine
from img2xlsx.tables.region import Region
from img2xlsx.tables.segment import find_regions
from PIL import Image, ImageDraw, ImageFont

FONT_PX = 22
PAD_X, PAD_Y = 18, 9

ROWS = [
    ["Item", "Depot", "Units", "Price", "Total"],
    ["Bolts", "Leeds", "120", "4.50", "540.00"],
    ["Nuts", "Derby", "75", "12.00", "900.00"],
    ["Washers", "York", "310", "7.25", "2247.50"],
    ["Hinges", "Bath", "42", "19.99", "839.58"],
    ["Rivets", "Hull", "58", "3.10", "179.80"],
    ["Brackets", "Ripon", "96", "8.40", "806.40"],
]


def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=FONT_PX)


def draw_table(
    draw: ImageDraw.ImageDraw, rows: list[list[str]], style: str, x: int, y: int
) -> tuple[list[int], list[int]]:
    """Draw ``rows`` at (x, y) in ``style``; returns the column and row boundaries.

    Styles: vrules_box (rules between columns and a box), vrules (rules between columns only), colgroups
    (heavy rules before columns 2 and 4, nothing else), header_rule (heavy rules above, under the header and
    below, thin light rules between body rows), hrules (rules above, under the header and below), plain.
    """
    font = _font()
    line_h = int(FONT_PX * 1.3)
    n_cols = len(rows[0])
    widths = [max(int(font.getlength(r[c])) for r in rows) + 2 * PAD_X for c in range(n_cols)]
    xs = [x]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [y + r * (line_h + 2 * PAD_Y) for r in range(len(rows) + 1)]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((xs[c] + PAD_X, ys[r] + PAD_Y), text, fill=(30, 30, 30), font=font)
    ink = (60, 60, 60)
    if style in ("vrules", "vrules_box"):
        inner = xs if style == "vrules_box" else xs[1:-1]
        for xx in inner:
            draw.line([xx, ys[0], xx, ys[-1]], fill=ink, width=2)
        if style == "vrules_box":
            for yy in (ys[0], ys[-1]):
                draw.line([xs[0], yy, xs[-1], yy], fill=ink, width=2)
    elif style == "colgroups":
        for c in (2, 4):
            draw.line([xs[c], ys[0], xs[c], ys[-1]], fill=ink, width=4)
    elif style == "hrules":
        for yy in (ys[0], ys[1], ys[-1]):
            draw.line([xs[0], yy, xs[-1], yy], fill=ink, width=2)
    elif style == "header_rule":
        for yy in (ys[0], ys[1], ys[-1]):
            draw.line([xs[0], yy, xs[-1], yy], fill=(20, 20, 20), width=4)
        for yy in ys[2:-1]:
            draw.line([xs[0], yy, xs[-1], yy], fill=(175, 175, 175), width=1)
    return xs, ys


def render(styles: list[str], rows: list[list[str]] = ROWS, gap: int = 70) -> np.ndarray:
    img = Image.new("RGB", (1400, 2200), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    y = 50
    right = bottom = 0
    for style in styles:
        xs, ys = draw_table(draw, rows, style, 50, y)
        right, bottom = max(right, xs[-1]), ys[-1]
        y = ys[-1] + gap
    return np.asarray(img.crop((0, 0, right + 50, bottom + 50)))


def texts(table: Table) -> list[list[str]]:
    return [[(c.text if c is not None else "") for c in row] for row in table.grid()]


def assert_rows(table: Table, rows: list[list[str]]) -> None:
    got = texts(table)
    assert (table.n_rows, table.n_cols) == (len(rows), len(rows[0])), got
    wrong = [(r, c) for r, row in enumerate(rows) for c, t in enumerate(row) if got[r][c] != t]
    assert len(wrong) <= 1, (wrong, got)  # one OCR slip tolerated; the structure must be exact


@pytest.mark.parametrize("style", ["vrules_box", "vrules", "colgroups"])
def test_column_rules_without_row_rules_give_one_row_per_text_line(style: str) -> None:
    res = recognize_page(render([style]))
    assert len(res.tables) == 1
    assert_rows(res.tables[0], ROWS)


def test_row_label_centred_over_two_tight_rows_keeps_the_rows_apart() -> None:
    font = _font()
    img = Image.new("RGB", (900, 420), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    pitch = int(FONT_PX * 1.35)  # tightly set rows: no padding between them
    xs = [40, 220, 420, 600]
    body = ROWS[1:7]
    # row labels centred on their group of rows: on a row's line (odd groups) or between two rows' lines
    labels = {1: ("Inland", 0), 3: ("Coastal", pitch // 2), 5: ("Export", 0)}
    for r, row in enumerate(body):
        y = 40 + r * pitch
        for c, text in enumerate((row[0], row[2], row[3])):
            draw.text((xs[c + 1], y), text, fill=(30, 30, 30), font=font)
        if r in labels:
            draw.text((xs[0], y + labels[r][1]), labels[r][0], fill=(30, 30, 30), font=font)
    res = recognize_page(np.asarray(img.crop((0, 0, 800, 40 + 6 * pitch + 40))))
    assert len(res.tables) == 1
    table = res.tables[0]
    assert (table.n_rows, table.n_cols) == (6, 4), texts(table)
    assert [row[1] for row in texts(table)] == [row[0] for row in body]


def test_a_mark_in_the_margin_is_no_column() -> None:
    img = Image.fromarray(render(["plain"]))
    width = img.width
    page = Image.new("RGB", (width + 120, img.height), (255, 255, 255))
    page.paste(img, (120, 0))
    draw = ImageDraw.Draw(page)
    y = 50 + 4 * (int(FONT_PX * 1.3) + 2 * PAD_Y) + PAD_Y  # beside the fifth row, well left of the table
    draw.text((40, y), "v", fill=(40, 40, 160), font=_font())
    res = recognize_page(np.asarray(page))
    assert len(res.tables) == 1
    assert_rows(res.tables[0], ROWS)


def test_stacked_ruled_tables_of_different_widths_stay_apart() -> None:
    narrow = [row[:4] for row in ROWS[:5]]
    img = Image.new("RGB", (1000, 900), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    _, ys = draw_table(draw, narrow, "hrules", 50, 50)
    title_y = ys[-1] + 25  # a caption right under the first table, the second table right under it
    draw.text((50, title_y), "Stock by depot", fill=(20, 20, 20), font=_font())
    xs2, ys2 = draw_table(draw, ROWS, "hrules", 50, title_y + 45)
    res = recognize_page(np.asarray(img.crop((0, 0, xs2[-1] + 50, ys2[-1] + 50))))
    assert len(res.tables) == 2, [texts(t) for t in res.tables]
    assert_rows(res.tables[0], narrow)
    assert_rows(res.tables[1], ROWS)


def test_rules_inside_a_dark_band_are_the_fill_between_glyphs() -> None:
    gray = np.full((300, 800), 250, np.uint8)
    gray[40:80, 20:780] = 60  # a dark header band; light glyphs would sit on it
    band = Band(20, 40, 780, 80, 200.0)  # as flattening leaves it: lifted towards paper
    glyph_gaps = [VLine(44, 77, x, 3) for x in (120, 132, 300, 512)]
    glyph_edge = HLine(250, 400, 72, 9)
    header_rule = HLine(20, 780, 80, 2)  # under the band: a real rule
    column_rule = VLine(80, 280, 400, 2)  # below the band: a real rule
    mask = np.zeros_like(gray)
    mask[70:75, 250:400] = 255
    rulings = Rulings([glyph_edge, header_rule], [*glyph_gaps, column_rule], mask)
    kept = _without_glyph_edges(rulings, [band], gray, 20.0)
    assert kept.hlines == [header_rule] and kept.vlines == [column_rule]
    light = _without_glyph_edges(rulings, [band], np.full_like(gray, 230), 20.0)
    assert len(light.vlines) == 5  # on a light fill, dark runs are ink


def test_a_header_band_over_a_ruled_body_is_that_tables_header() -> None:
    img = Image.fromarray(render(["header_rule"]))
    draw = ImageDraw.Draw(img)
    font = _font()
    xs = [50]
    for c in range(5):
        xs.append(xs[-1] + max(int(font.getlength(r[c])) for r in ROWS) + 2 * PAD_X)
    row_h = int(FONT_PX * 1.3) + 2 * PAD_Y
    # the header row filled dark: the heavy top and header rules vanish into the fill
    draw.rectangle([xs[0] - 1, 48, xs[-1] + 1, 50 + row_h + 2], fill=(60, 60, 60))
    for c, text in enumerate(ROWS[0]):
        draw.text((xs[c] + PAD_X, 50 + PAD_Y), text, fill=(255, 255, 255), font=font)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1, [texts(t) for t in res.tables]
    assert (res.tables[0].n_rows, res.tables[0].n_cols) == (len(ROWS), 5), texts(res.tables[0])


def test_zebra_stripes_cut_short_by_a_row_spanning_column_are_one_table() -> None:
    font = _font()
    body = ROWS[1:7] * 2
    row_h = int(FONT_PX * 1.3) + 2 * PAD_Y
    xs = [50, 230, 400, 520, 640, 790]
    img = Image.new("RGB", (860, 80 + row_h * len(body)), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for r, row in enumerate(body):
        y = 40 + r * row_h
        if r % 2 == 1:  # stripes: a group of three rows shares one label cell, striped with its first row
            draw.rectangle([xs[0] if r % 3 == 0 else xs[1], y, xs[-1], y + row_h - 1], fill=(226, 232, 240))
        for c, text in enumerate(row[1:], start=1):
            draw.text((xs[c] + PAD_X, y + PAD_Y), text, fill=(30, 30, 30), font=font)
        if r % 3 == 1:
            draw.text((xs[0] + PAD_X, y + PAD_Y), f"Group {r // 3 + 1}", fill=(30, 30, 30), font=font)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1, [texts(t) for t in res.tables]
    assert (res.tables[0].n_rows, res.tables[0].n_cols) == (len(body), 5), texts(res.tables[0])


def test_thin_short_strokes_in_a_ruled_grid_make_no_columns() -> None:
    xs, ys = [100, 300, 500, 700], [100, 150, 200, 250, 300]
    words = [
        Word(f"r{r}c{c}", 0.9, (x + 20, y + 15, x + 90, y + 35), (r,))
        for r, y in enumerate(ys[:-1])
        for c, x in enumerate(xs[:-1])
    ]
    hlines = [HLine(xs[0], xs[-1], y, 5) for y in ys]
    vlines = [VLine(ys[0], ys[-1], x, 5) for x in xs]
    strokes = [VLine(103, 140, 180, 1), VLine(104, 146, 420, 1)]  # a glyph's stem, a moire streak
    region = Region("grid", xs[0], ys[0], xs[-1], ys[-1], hlines, vlines + strokes, words=words)
    table = grid_structure(region, 20.0)
    assert table is not None
    assert (table.n_rows, table.n_cols) == (4, 3)
    assert all(c.rowspan == c.colspan == 1 for c in table.cells)


def test_rows_read_as_runs_do_not_hide_the_column_gaps() -> None:
    cols = [100, 300, 450, 600]
    words = [
        Word(text, 0.9, (x, 100 + 40 * r, x + 80, 120 + 40 * r), (r,))
        for r in range(8)
        for x, text in zip(cols, ("North", "572", "608", "2329"), strict=True)
        if r not in (3, 6)
    ]
    # two rows whose cells were read run together, across different column gaps
    words += [
        Word("Wholesale 1390 1354", 0.5, (100, 220, 530, 240), (3,)),
        Word("6187", 0.9, (600, 220, 680, 240), (3,)),
        Word("Sum", 0.9, (100, 340, 180, 360), (6,)),
        Word("5639 5453 23569", 0.5, (300, 340, 680, 360), (6,)),
    ]
    empty = Rulings([], [], np.zeros((500, 800), np.uint8))
    regions = find_regions(words, empty, [], 20.0, 15.0)
    assert len(regions) == 1
    assert len(regions[0].words) == len(words)


def test_a_narrower_zebra_table_stacked_below_stays_apart() -> None:
    font = _font()
    row_h = int(FONT_PX * 1.3) + 2 * PAD_Y
    xs = [50, 230, 400, 520, 640, 790]
    narrow = [row[:4] for row in ROWS[:5]]
    img = Image.new("RGB", (860, 120 + row_h * (len(ROWS) + len(narrow) + 1)), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    y = 40
    for rows in (ROWS, narrow):
        right = xs[len(rows[0])]
        for r, row in enumerate(rows):
            if r % 2 == 1:
                draw.rectangle([xs[0], y, right, y + row_h - 1], fill=(226, 232, 240))
            for c, text in enumerate(row):
                draw.text((xs[c] + PAD_X, y + PAD_Y), text, fill=(30, 30, 30), font=font)
            y += row_h
        y += row_h  # one blank row between the tables
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 2, [texts(t) for t in res.tables]
    assert_rows(res.tables[0], ROWS)
    assert_rows(res.tables[1], narrow)


def test_column_rules_only_in_the_header_band_still_part_the_ruled_body_rows() -> None:
    xs, ys = [100, 300, 500, 700, 900], [100 + 50 * r for r in range(8)]
    words = [
        Word(f"r{r}c{c}", 0.9, (x + 20, y + 15, x + 90, y + 35), (r,))
        for r, y in enumerate(ys[:-1])
        for c, x in enumerate(xs[:-1])
        if r != 4
    ]
    # a section label running across the first three columns of row 4; the last column keeps its value
    words += [
        Word("Northern", 0.9, (120, 315, 260, 335), (4,)),
        Word("region", 0.9, (268, 315, 380, 335), (4,)),
        Word("subtotal", 0.9, (388, 315, 560, 335), (4,)),
        Word("r4c3", 0.9, (720, 315, 790, 335), (4,)),
    ]
    hlines = [HLine(xs[0], xs[-1], y, 3) for y in ys]
    frame = [VLine(ys[0], ys[-1], x, 3) for x in (xs[0], xs[-1])]
    header_ticks = [VLine(ys[0], ys[1], x, 3) for x in xs[1:-1]]  # separators drawn in the header band only
    region = Region("grid", xs[0], ys[0], xs[-1], ys[-1], hlines, frame + header_ticks, words=words)
    table = grid_structure(region, 20.0)
    assert table is not None
    assert (table.n_rows, table.n_cols) == (7, 4)
    spans = {(c.row, c.col, c.rowspan, c.colspan) for c in table.cells if c.colspan > 1 or c.rowspan > 1}
    assert spans == {(4, 0, 1, 3)}


def test_a_table_of_one_box_per_cell_has_no_rows_or_columns_in_the_gaps() -> None:
    """Each cell drawn as its own box, the boxes a text height apart: the facing edges of two boxes are one
    boundary, not an empty row or column between them (a sliver with no text in it)."""
    box_w, box_h, gap = 180, 44, 20
    xs = [100 + c * (box_w + gap) for c in range(3)]
    ys = [100 + r * (box_h + gap) for r in range(4)]
    words = [
        Word(f"r{r}c{c}", 0.9, (x + 20, y + 12, x + 90, y + 32), (r,))
        for r, y in enumerate(ys)
        for c, x in enumerate(xs)
    ]
    hlines = [HLine(x, x + box_w, yy, 2) for x in xs for y in ys for yy in (y, y + box_h)]
    vlines = [VLine(y, y + box_h, xx, 2) for y in ys for x in xs for xx in (x, x + box_w)]
    region = Region("grid", xs[0], ys[0], xs[-1] + box_w, ys[-1] + box_h, hlines, vlines, words=words)
    table = grid_structure(region, 20.0)
    assert table is not None
    assert (table.n_rows, table.n_cols) == (4, 3)
    assert all(c.rowspan == c.colspan == 1 and len(c.words) == 1 for c in table.cells)


def test_an_empty_spacer_column_wider_than_the_rule_tolerance_keeps_its_rules() -> None:
    """Two rules farther apart than the tolerance a rule is matched within: joined into one boundary
    midway, neither rule would draw it and the columns either side would run together."""
    xs, ys = [100, 300, 328, 500], [100 + 40 * r for r in range(5)]
    words = [
        Word(f"{r}{c}", 0.9, (x + 20, y + 10, x + 60, y + 30), (r,))
        for r, y in enumerate(ys[:-1])
        for c, x in ((0, 100), (2, 328))
    ]
    hlines = [HLine(xs[0], xs[-1], y, 2) for y in ys]
    vlines = [VLine(ys[0], ys[-1], x, 2) for x in xs]
    region = Region("grid", xs[0], ys[0], xs[-1], ys[-1], hlines, vlines, words=words)
    table = grid_structure(region, 20.0)
    assert table is not None
    assert all(len(c.words) <= 1 for c in table.cells), [[w.text for w in c.words] for c in table.cells]
