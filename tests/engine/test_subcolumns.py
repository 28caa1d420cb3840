"""Ruled grids whose rules are coarser than their text: a frame drawn round a whole table, rules between
column groups only. The text's own columns and rows inside each ruled column must come back, group labels
as cells spanning their sub-columns; a real grid's wrapped cells must stay whole."""

from __future__ import annotations

import numpy as np
from img2xlsx.model import Table
from img2xlsx.recognize import recognize_page
from img2xlsx.tables.subcolumns import split_ruled_columns
from img2xlsx.tables.textlines import WordLike
from PIL import Image, ImageDraw, ImageFont

FONT_PX = 22
INK = (30, 30, 30)
RULE = (50, 50, 50)

HEAD = ["Region", "Q1", "Q2", "Q3", "Q4", "Total"]
BODY = [
    ["North", "1,766", "1,563", "2,117", "1,903", "7,349"],
    ["South", "2,709", "2,185", "2,172", "2,604", "9,670"],
    ["East", "13,381", "11,480", "14,681", "13,836", "53,378"],
    ["West", "1,371", "1,304", "1,752", "1,750", "6,177"],
    ["Central", "15,354", "11,743", "19,636", "12,556", "59,289"],
    ["Online", "480", "605", "574", "422", "2,081"],
]


def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=FONT_PX)


def _column_xs(rows: list[list[str]], x: int, pad: int) -> list[int]:
    font = _font()
    xs = [x]
    for c in range(len(rows[0])):
        xs.append(xs[-1] + max(int(font.getlength(r[c])) for r in rows) + 2 * pad)
    return xs


def texts(table: Table) -> list[list[str]]:
    return [[(c.text if c is not None else "") for c in row] for row in table.grid()]


def _close(got: list[list[str]], want: list[list[str]]) -> None:
    wrong = [(r, c) for r, row in enumerate(want) for c, t in enumerate(row) if got[r][c] != t]
    assert len(wrong) <= 2, (wrong, got)  # an OCR slip or two tolerated; the structure must be exact


def test_a_frame_round_a_whole_table_still_gives_its_rows_and_columns() -> None:
    """A box drawn round the table and a rule over its totals row, nothing else: two ruled cells, the
    first holding a 6-column table."""
    rows = [HEAD, *BODY, ["Totals", "34,861", "28,878", "40,932", "33,071", "137,742"]]
    font = _font()
    pitch = int(FONT_PX * 1.9)
    xs = _column_xs(rows, 60, 20)
    img = Image.new("RGB", (xs[-1] + 80, 80 + pitch * len(rows) + 60), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    top = 50
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((xs[c] + 20, top + 12 + r * pitch), text, fill=INK, font=font)
    bottom = top + 12 + pitch * len(rows)
    draw.rectangle([xs[0], top, xs[-1], bottom], outline=RULE, width=3)
    y_totals = top + 12 + pitch * (len(rows) - 1) - 8
    draw.line([xs[0], y_totals, xs[-1], y_totals], fill=RULE, width=3)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    table = res.tables[0]
    got = texts(table)
    assert (table.n_rows, table.n_cols) == (len(rows), len(HEAD)), got
    _close(got, rows)


def _colgroup_page() -> np.ndarray:
    """Rules round the table, under its two-line header and between the column groups Region | Q1..Q4 |
    Total only; "FY2024" heads the quarter group, Region and Total are centred on both header lines."""
    rows = [HEAD, *BODY]
    font = _font()
    pitch = int(FONT_PX * 1.8)
    xs = _column_xs(rows, 60, 22)
    img = Image.new("RGB", (xs[-1] + 80, 120 + pitch * (len(rows) + 1) + 60), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    top = 50
    y_group, y_sub = top + 12, top + 12 + pitch
    draw.text(((xs[1] + xs[5]) / 2 - font.getlength("FY2024") / 2, y_group), "FY2024", fill=INK, font=font)
    for c in (0, 5):
        draw.text((xs[c] + 22, (y_group + y_sub) / 2), HEAD[c], fill=INK, font=font)
    for c in range(1, 5):
        draw.text((xs[c] + 22, y_sub), HEAD[c], fill=INK, font=font)
    head_bottom = y_sub + pitch
    for r, row in enumerate(BODY):
        for c, text in enumerate(row):
            draw.text((xs[c] + 22, head_bottom + 10 + r * pitch), text, fill=INK, font=font)
    bottom = head_bottom + 10 + pitch * len(BODY)
    draw.rectangle([xs[0], top, xs[-1], bottom], outline=RULE, width=3)
    draw.line([xs[0], head_bottom, xs[-1], head_bottom], fill=RULE, width=3)
    for c in (1, 5):
        draw.line([xs[c], top, xs[c], bottom], fill=RULE, width=3)
    return np.asarray(img)


def test_rules_round_column_groups_only_give_the_columns_inside_and_a_spanning_group_label() -> None:
    res = recognize_page(_colgroup_page())
    assert len(res.tables) == 1
    table = res.tables[0]
    got = texts(table)
    assert (table.n_rows, table.n_cols) == (2 + len(BODY), len(HEAD)), got
    _close(got[2:], BODY)
    assert got[1][1:5] == HEAD[1:5]
    label = next(c for c in table.cells if c.text == "FY2024")
    assert (label.row, label.col, label.rowspan, label.colspan) == (0, 1, 1, 4)
    region = next(c for c in table.cells if c.text == "Region")
    assert (region.row, region.col, region.rowspan) == (0, 0, 2)
    assert table.n_header_rows == 2


def test_a_real_grid_keeps_wrapped_cells_and_phrases_whole() -> None:
    """Every cell ruled; one cell wraps onto two lines beside single-line cells, another column holds
    multi-word phrases: the rules' cells are the cells."""
    rows = [
        ["Item", "Description", "Qty"],
        ["A-1", "Steel bolts", "120"],
        ["A-2", "Zinc plated|wood screws", "75"],
        ["A-3", "Nylon washers", "310"],
        ["A-4", "Brass hinges", "42"],
    ]
    font = _font()
    line = int(FONT_PX * 1.25)
    widths = [120, 300, 100]
    xs = [50]
    for w in widths:
        xs.append(xs[-1] + w)
    heights = [2 * line if any("|" in t for t in row) else line for row in rows]
    ys = [50]
    for hh in heights:
        ys.append(ys[-1] + hh + 20)
    img = Image.new("RGB", (xs[-1] + 60, ys[-1] + 60), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            for k, part in enumerate(text.split("|")):
                draw.text((xs[c] + 12, ys[r] + 10 + k * line), part, fill=INK, font=font)
    for x in xs:
        draw.line([x, ys[0], x, ys[-1]], fill=RULE, width=2)
    for y in ys:
        draw.line([xs[0], y, xs[-1], y], fill=RULE, width=2)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    table = res.tables[0]
    got = texts(table)
    assert (table.n_rows, table.n_cols) == (5, 3), got
    assert got[2][1] == "Zinc plated wood screws"


class _W:
    def __init__(self, text: str, x0: int, y0: int, x1: int) -> None:
        self.text, self.conf, self.bbox = text, 0.95, (x0, y0, x1, y0 + 20)


def test_a_second_value_in_a_few_rows_of_a_column_is_no_column() -> None:
    """Two lines of ten with a far-off note beside their value: the column stays one."""
    words: list[tuple[WordLike, float]] = []
    for r in range(10):
        words.append((_W(f"Value{r}", 110, 40 + 30 * r, 190), 0.0))
        if r in (2, 6):
            words.append((_W("note", 300, 40 + 30 * r, 350), 0.0))
    assert split_ruled_columns([words], [(100.0, 400.0)], 15.0, 12.0) == [[]]


def test_a_column_of_two_aligned_values_in_every_row_is_split() -> None:
    words: list[tuple[WordLike, float]] = []
    for r in range(10):
        words.append((_W(f"{r}0{r}", 110, 40 + 30 * r, 160), 0.0))
        words.append((_W(f"{r}.5", 300, 40 + 30 * r, 340), 0.0))
    cuts = split_ruled_columns([words], [(100.0, 400.0)], 15.0, 12.0)
    assert len(cuts[0]) == 1 and 160 < cuts[0][0] < 300


def test_a_borderless_header_keeps_its_group_label_and_labels_centred_on_both_rows() -> None:
    """No rules at all: "Population" (one word) centred over Total / Male / Female, "Area" and "Density"
    centred on both header lines. The label spans its three columns, the other two span both rows."""
    head = ["Area", "Total", "Male", "Female", "Density"]
    body = [
        ["Springfield", "609,809", "281,291", "328,518", "3,385.9"],
        ["Riverside", "172,947", "80,335", "92,612", "1,264.0"],
        ["Fairview", "30,042", "14,534", "15,508", "7,510.5"],
        ["Madison", "17,992", "8,649", "9,343", "856.7"],
        ["Georgetown", "32,462", "15,320", "17,142", "901.2"],
        ["Clinton", "68,748", "32,908", "35,840", "3,437.4"],
    ]
    font = _font()
    pitch = int(FONT_PX * 1.8)
    xs = _column_xs([head, *body], 60, 24)
    img = Image.new("RGB", (xs[-1] + 80, 80 + pitch * (len(body) + 2) + 60), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    y_group, y_sub = 50, 50 + pitch
    mid = (xs[1] + xs[4]) / 2
    draw.text((mid - font.getlength("Population") / 2, y_group), "Population", fill=INK, font=font)
    for c in (0, 4):
        draw.text((xs[c] + 24, (y_group + y_sub) / 2), head[c], fill=INK, font=font)
    for c in range(1, 4):
        draw.text((xs[c] + 24, y_sub), head[c], fill=INK, font=font)
    for r, row in enumerate(body):
        for c, text in enumerate(row):
            draw.text((xs[c] + 24, y_sub + pitch + 10 + r * pitch), text, fill=INK, font=font)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    table = res.tables[0]
    got = texts(table)
    assert (table.n_rows, table.n_cols) == (2 + len(body), len(head)), got
    _close(got[2:], body)
    label = next(c for c in table.cells if c.text == "Population")
    assert (label.row, label.col, label.rowspan, label.colspan) == (0, 1, 1, 3)
    for name, col in (("Area", 0), ("Density", 4)):
        cell = next(c for c in table.cells if c.text == name)
        assert (cell.row, cell.col, cell.rowspan, cell.colspan) == (0, col, 2, 1)
