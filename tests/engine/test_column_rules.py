"""Tables ruled only between columns, with no rule across them: no outer box, so the rules form no network
of crossing rules. Set tight against the rules, cells leave too little whitespace for the columns to be read
from it; the rules themselves must give the columns (:mod:`img2xlsx.tables.colrules`)."""

from __future__ import annotations

import numpy as np
from img2xlsx.recognize import recognize_page
from img2xlsx.tables.colrules import _bridged, column_rule_regions
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


def _broken_rules(gap: tuple[int, int]) -> list[VLine]:
    """Four column rules 100..400; the two right ones lost over ``gap`` (a highlight's fill or a crease hid
    them there), the two left ones run on through it."""
    rules = [VLine(100, 400, x, 2) for x in (100, 250)]
    for x in (400, 550):
        rules += [VLine(100, gap[0], x, 2), VLine(gap[1], 400, x, 2)]
    return rules


def test_rule_pieces_are_bridged_where_neighbouring_rules_run_on() -> None:
    _, words = _rules_and_words(False)
    regions = column_rule_regions(_broken_rules((200, 290)), [], [], words, 20.0, 8.0)
    assert [(r.kind, r.x0, r.y0, r.x1, r.y1) for r in regions] == [("grid", 100, 100, 550, 400)]
    # the gap is ruled too, so the grid parts the rows it crosses
    bridges = [v for v in regions[0].vlines if (v.y0, v.y1) == (200, 290)]
    assert sorted(v.x for v in bridges) == [400, 550]


def test_stacked_tables_on_one_column_layout_are_not_bridged() -> None:
    rules = [VLine(y0, y1, x, 2) for x in (100, 250, 400, 550) for y0, y1 in ((100, 240), (320, 460))]
    words = [
        _W("cell", (x + 10, y, x + 80, y + 20))
        for y0 in (110, 330)
        for y in range(y0, y0 + 120, 35)
        for x in (100, 250, 400)
    ]
    regions = column_rule_regions(rules, [], [], words, 20.0, 8.0)
    assert sorted((r.y0, r.y1) for r in regions) == [(100, 240), (320, 460)]


def test_column_rules_lost_over_a_few_rows_keep_one_table() -> None:
    """A page whose two right-hand rules are missing over three rows (a fill or a crease hid them): the
    table keeps its columns and its rows."""
    img = Image.new("RGB", (900, 420), (255, 255, 255))
    right = _draw(ImageDraw.Draw(img), ROWS, 40, 40)
    page = np.asarray(img.crop((0, 0, right + 40, 40 + len(ROWS) * ROW_H + 40))).copy()
    xs = sorted({x for x in range(page.shape[1]) if (page[45:50, x] < 128).all()})
    y0, y1 = 40 + 2 * ROW_H, 40 + 5 * ROW_H
    for x in xs[-4:]:  # the last two rules, two pixels wide each
        page[y0:y1, x] = 255
    res = recognize_page(page)
    assert len(res.tables) == 1, [texts(t) for t in res.tables]
    assert_rows(res.tables[0], ROWS)


def test_every_rule_broken_at_another_height_is_bridged() -> None:
    """A crease running aslant across the table breaks every rule, each at another height: the pieces of
    each neighbour, taken together, run the table's height."""
    _, words = _rules_and_words(False)
    rules = [
        piece
        for x, (g0, g1) in zip(
            (100, 250, 400, 550), ((150, 200), (190, 240), (230, 280), (270, 320)), strict=True
        )
        for piece in (VLine(100, g0, x, 2), VLine(g1, 400, x, 2))
    ]
    regions = column_rule_regions(rules, [], [], words, 20.0, 8.0)
    assert [(r.kind, r.x0, r.y0, r.x1, r.y1) for r in regions] == [("grid", 100, 100, 550, 400)]


def test_rules_stopping_at_a_section_label_are_not_bridged() -> None:
    """The inner rules stop at a section label ("Financing", left, alone on its line) and only the outer
    ones run on (a row of cells lies in the gap too): the label spans its row, and no rule is drawn
    through it."""
    rules = [VLine(100, 400, x, 2) for x in (100, 550)]
    rules += [VLine(y0, y1, x, 2) for x in (250, 400) for y0, y1 in ((100, 165), (240, 400))]
    words: list[WordLike] = [_W("Financing", (110, 215, 200, 232))]
    for y in (110, 145, 180, 250, 285, 320, 355):
        words += [_W("cell", (x + 10, y, x + 80, y + 20)) for x in (100, 250, 400)]
    regions = column_rule_regions(rules, [], [], words, 20.0, 8.0)
    assert not any(v.y0 <= 210 and v.y1 >= 235 and v.x in (250, 400) for r in regions for v in r.vlines)


def test_streaks_beside_a_table_are_not_bridged() -> None:
    """A photo's grainy desk left of the table opens into vertical streaks, one broken and one whole beside
    it: no text lies between them, so they are no column of the table, and the broken one stays broken. So
    do a tick box's edges (too short to be pieces of a rule)."""
    _, words = _rules_and_words(False)
    table = [[VLine(100, 400, x, 2)] for x in (100, 250, 400, 550)]
    streaks = [[VLine(100, 200, 20, 2)], [VLine(290, 400, 20, 2)], [VLine(100, 400, 40, 2)]]
    ticks = [[VLine(y, y + 25, 70, 2)] for y in (110, 180, 250, 320)]
    out = _bridged(table + streaks + ticks, words, 20.0, 8.0)
    assert sorted((v.x, v.y0, v.y1) for r in out for v in r if v.x in (20, 70)) == [
        (20, 100, 200),
        (20, 290, 400),
        *((70, y, y + 25) for y in (110, 180, 250, 320)),
    ]


def test_pieces_far_apart_are_not_bridged() -> None:
    """A rule missing over half the table's height is no rule hidden by a fill or a crease (a photographed
    page's edge beside the background's runs so): its pieces stay apart."""
    table = [[VLine(100, 900, x, 2)] for x in (100, 250, 550)]
    broken = [[VLine(100, 300, 400, 2)], [VLine(700, 900, 400, 2)]]
    words = [_W("cell", (x + 10, y, x + 80, y + 20)) for y in range(110, 880, 35) for x in (100, 250, 400)]
    out = _bridged(table + broken, list(words), 20.0, 8.0)
    assert sorted((v.y0, v.y1) for r in out for v in r if v.x == 400) == [(100, 300), (700, 900)]


def _group_rules_and_words(
    label_widths: list[int], right_x: int | None
) -> tuple[list[VLine], list[WordLike]]:
    """Three rules 300..500 around two ruled columns, 8 rows; left of them a column of left-aligned row labels
    of ``label_widths`` (from x=20), right of them (from ``right_x``) a column of amounts on every row."""
    rules = [VLine(100, 400, x, 2) for x in (300, 400, 500)]
    words: list[WordLike] = []
    for r, width in enumerate(label_widths):
        y = 110 + 35 * r
        words += [_W("cell", (x + 10, y, x + 80, y + 20)) for x in (300, 400)]
        words.append(_W("label", (20, y, 20 + width, y + 20)))
        if right_x is not None:
            words.append(_W("12.5", (right_x, y, right_x + 60, y + 20)))
    return rules, words


def test_label_column_reaching_the_rule_on_its_longest_label_leaves_the_rules_to_the_text() -> None:
    # rules between column groups only: the labels end far from the first rule but for the longest one, the
    # next group's amounts stand a little further off than a cell from its rule; the rules outline no table
    rules, words = _group_rules_and_words([60, 120, 270, 90, 150, 180, 100, 130], 570)
    assert column_rule_regions(rules, [], [], words, 20.0, 8.0) == []


def test_column_set_off_from_the_rules_is_a_table_beside() -> None:
    # labels ending well before the first rule on every line: a column of its own, not run on along the rule
    rules, words = _group_rules_and_words([60, 120, 170, 90, 150, 180, 100, 130], 620)
    regions = column_rule_regions(rules, [], [], words, 20.0, 8.0)
    assert [(r.kind, r.x0, r.x1) for r in regions] == [("grid", 300, 500)]
