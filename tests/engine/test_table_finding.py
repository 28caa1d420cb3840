"""What is a table on real pictures: halftone fills and glyph stems are no rules, highlighted cells are no
zebra table, a receipt's centred header lines and a label/value pair are no rows, a sparse column does not
split its table."""

from __future__ import annotations

import numpy as np
from img2xlsx.ocr import Word
from img2xlsx.recognize import recognize_page
from img2xlsx.tables.assemble import is_table
from img2xlsx.tables.cues import _without_fill_texture, _without_lone_strokes
from img2xlsx.tables.lines import Band, HLine, Rulings, VLine
from img2xlsx.tables.region import Region
from img2xlsx.tables.segment import find_regions
from img2xlsx.tables.skeleton import RawCell, RawTable
from PIL import Image, ImageDraw, ImageFont

H = 20.0  # text height of the hand-made word boxes


def _word(text: str, x: int, y: int, w: int | None = None) -> Word:
    return Word(text, 0.9, (x, y, x + (w or 14 * len(text)), y + 20), (0,))


def _empty(shape: tuple[int, int] = (900, 900)) -> Rulings:
    return Rulings([], [], np.zeros(shape, np.uint8))


def test_streaks_inside_a_shaded_row_are_no_column_rules() -> None:
    band = Band(0, 600, 900, 650, 226.0)  # a halftone-shaded total row
    streaks = [VLine(604, 646, x, 2) for x in range(40, 880, 30)]
    column = [VLine(100, 598, 300, 2), VLine(652, 800, 300, 2)]  # a column rule broken at the band's edges
    through = VLine(100, 800, 600, 2)  # a column rule running through the band
    crossing_piece = VLine(603, 647, 302, 2)  # the broken rule's piece inside the band
    mask = np.zeros((900, 900), np.uint8)
    for v in streaks:
        mask[v.y0 : v.y1, v.x - 1 : v.x + 2] = 255
    rulings = Rulings([HLine(0, 900, 600, 2)], [*streaks, *column, through, crossing_piece], mask)
    kept = _without_fill_texture(rulings, [band], H)
    assert kept.vlines == [*column, through, crossing_piece]
    assert not kept.mask[610:640, 39:42].any()  # the streaks are not painted out before OCR either
    assert _without_fill_texture(rulings, [], H) is rulings


def test_short_strokes_meeting_no_rule_are_glyph_stems() -> None:
    stems = [VLine(600, 640, x, 3) for x in (210, 240, 470)]  # a bold 'Total 128.27' on a receipt
    grid_side = VLine(100, 140, 700, 2)  # a short cell side meeting the rule above it
    broken = [VLine(100, 150, 50, 2), VLine(170, 215, 51, 2)]  # a column rule broken by a crease
    long_rule = VLine(100, 400, 800, 2)
    rulings = Rulings(
        [HLine(650, 900, 100, 2)], [*stems, grid_side, *broken, long_rule], np.zeros((900, 900), np.uint8)
    )
    kept = _without_lone_strokes(rulings, H)
    assert kept.vlines == [grid_side, *broken, long_rule]


def test_cells_highlighted_in_the_label_column_are_no_zebra_table() -> None:
    labels = ["MasterFund", "Commitment", "FundName", "Committed", "Investee"]
    words: list[Word] = []
    for r, label in enumerate(labels):
        y = 100 + 40 * r
        words += [_word(label, 20, y), _word("Atlantic", 300, y), _word(str(400 + r), 500, y)]
    # the first and third labels shaded up to just short of the value column
    bands = [Band(10, 95 + 40 * r, 290, 125 + 40 * r, 225.0) for r in (0, 2)]
    regions = find_regions(words, _empty(), bands, H, 15.0)
    assert len(regions) == 1
    assert regions[0].kind == "plain" and len(regions[0].words) == len(words)


def test_a_receipts_centred_header_lines_are_no_rows() -> None:
    words = [
        _word("KOREAN", 110, 20),
        _word("GRILL", 250, 20),  # a shop name spaced wide: two phrases
        _word("THANK", 90, 60),
        _word("YOU", 220, 60),
    ]
    items = [("BIBIM", "13.99"), ("DUMPLING", "8.99"), ("BEEF RIB", "17.99"), ("SUBTOTAL", "40.97")]
    for r, (item, price) in enumerate(items):
        words += [_word(item, 20, 100 + 30 * r), _word(price, 330, 100 + 30 * r)]
    regions = find_regions(words, _empty(), [], H, 15.0)
    assert len(regions) == 1
    assert sorted(w.text for w in regions[0].words) == sorted(t for pair in items for t in pair)


def test_a_column_filled_in_its_head_and_total_only_stays_in_the_table() -> None:
    words = [_word("Total", 620, 60), _word("Investor", 720, 60)]
    for r, label in enumerate(["MasterFund", "Commitment", "FundName", "Investee"]):
        words += [_word(label, 20, 100 + 35 * r), _word("Atlantic Fund", 300, 100 + 35 * r)]
    words += [_word("TotalInvested", 20, 260), _word("80", 650, 260), _word("2", 780, 260)]
    regions = find_regions(words, _empty(), [], H, 15.0)
    assert len(regions) == 1
    assert len(regions[0].words) == len(words)


def _raw(n_rows: int, n_cols: int) -> RawTable:
    cells = [
        RawCell(r, c, words=[_word(f"cell{r}{c}", 100 * c, 40 * r)])
        for r in range(n_rows)
        for c in range(n_cols)
    ]
    return RawTable(n_rows, n_cols, cells, "plain", False, (0, 0, 100 * n_cols, 40 * n_rows))


def test_two_label_value_lines_with_nothing_drawn_are_no_table() -> None:
    plain = Region("plain", 0, 0, 300, 80)
    assert not is_table(_raw(2, 2), plain)
    assert is_table(_raw(2, 3), plain)  # three columns side by side are a table
    assert is_table(_raw(3, 2), plain)
    ruled = Region("hrules", 0, 0, 300, 80, hlines=[HLine(0, 300, 0), HLine(0, 300, 80)])
    assert is_table(_raw(2, 2), ruled)  # drawn rules say it is one


def test_a_halftone_total_row_keeps_a_ruled_table_three_columns_wide() -> None:
    rows = [["Prize", "Odds", "Winners"], ["$3", "9.09", "282,447"], ["$5", "16.66", "154,097"]]
    rows += [["$7", "40.01", "64,169"], ["Total", "3.98", "645,397"]]
    font = ImageFont.load_default(size=22)
    xs, row_h = [30, 230, 430, 630], 44
    img = Image.new("L", (660, 30 + row_h * len(rows) + 30), 255)
    draw = ImageDraw.Draw(img)
    top = 30
    shade_y = top + row_h * (len(rows) - 1)
    rng = np.random.default_rng(0)
    pixels = np.asarray(img).copy()
    pixels[shade_y : shade_y + row_h, xs[0] : xs[-1]] = 215  # a grey fill whose grain prints as streaks
    for x in range(xs[0] + 6, xs[-1] - 6, 23):
        x += int(rng.integers(-5, 6))
        pixels[shade_y + 3 : shade_y + row_h - int(rng.integers(2, 5)), x : x + 2] = 90
    img = Image.fromarray(pixels)
    draw = ImageDraw.Draw(img)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((xs[c] + 12, top + r * row_h + 10), text, fill=0, font=font)
    for y in range(top, top + row_h * len(rows) + 1, row_h):
        draw.line([xs[0], y, xs[-1], y], fill=0, width=2)
    for x in xs:
        draw.line([x, top, x, top + row_h * len(rows)], fill=0, width=2)
    res = recognize_page(np.asarray(img.convert("RGB")))
    assert len(res.tables) == 1
    assert (res.tables[0].n_rows, res.tables[0].n_cols) == (len(rows), 3)


def _receipt_items() -> list[Word]:
    words: list[Word] = []
    for r, (item, price) in enumerate(
        [("Grande Meal", "9.90"), ("Bean Burrito", "3.50"), ("Med Drink", "43.94")]
    ):
        words += [_word(item, 40, 100 + 30 * r), _word(price, 400, 100 + 30 * r, 70)]
    return words


def test_totals_set_apart_under_a_receipts_items_are_its_last_rows() -> None:
    words = _receipt_items()
    for r, (label, amount) in enumerate([("SubTotal", "57.34"), ("Tax", "5.40"), ("Total", "62.74")]):
        words += [_word(label, 160, 230 + 30 * r), _word(amount, 403, 230 + 30 * r, 70)]
    regions = find_regions(words, _empty(), [], H, 15.0)
    assert len(regions) == 1
    assert len(regions[0].words) == len(words)


def test_a_table_stacked_below_with_its_own_header_stays_apart() -> None:
    words = _receipt_items()
    rows = [("Region", "Units"), ("North", "57.34"), ("South", "5.40"), ("East", "62.74")]
    for r, (label, amount) in enumerate(rows):
        words += [_word(label, 40, 230 + 30 * r), _word(amount, 403, 230 + 30 * r, 70)]
    regions = find_regions(words, _empty(), [], H, 15.0)
    assert len(regions) == 2


def test_a_group_header_beside_the_stub_header_heads_the_table() -> None:
    words = [_word("Statement", 20, 0), _word("of", 160, 0), _word("operations", 200, 0)]  # a title
    words += [_word("Year", 160, 55), _word("ended", 230, 55), _word("December", 310, 55)]  # over the years
    words += [_word("Account", 20, 82), _word("27", 700, 67)]  # the stub header; a mark in the margin
    words += [_word(y, 160 + 130 * k, 100) for k, y in enumerate(["FY2024", "FY2021", "FY2016"])]
    for r, label in enumerate(["Revenue", "Costs", "Profit", "Total"]):
        words += [_word(label, 20, 140 + 35 * r)] + [
            _word("1,234.56", 160 + 130 * k, 140 + 35 * r) for k in range(3)
        ]
    regions = find_regions(words, _empty(), [], H, 15.0)
    assert len(regions) == 1
    texts = {w.text for w in regions[0].words}
    assert {"Year", "December", "Account"} <= texts
    assert not texts & {"Statement", "27"}
