"""Boxed panels holding stacked tables (nutrition labels, printed forms): row rules drawn short of the frame,
labels with their values flush right, and a wrapped note between two tables with different columns. Each
table must come back on its own with its own columns; the note is no table row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from img2xlsx.model import Table
from img2xlsx.recognize import recognize_page
from img2xlsx.tables.insetrules import adopt_inset_rules
from img2xlsx.tables.lines import HLine, VLine
from img2xlsx.tables.panels import split_panel
from img2xlsx.tables.region import Region
from img2xlsx.tables.textlines import build_lines
from img2xlsx.tables.valueedge import value_edge_cut
from PIL import Image, ImageDraw, ImageFont

FONT_PX = 22
INK = (30, 30, 30)

LIST = [
    ["Total Fat 8g", "12%"],
    ["Monounsaturated Fat 0.5g", "8%"],
    ["Total Carbohydrate 37g", "13%"],
    ["Dietary Fiber 4g", "14%"],
    ["Protein 3g", "6%"],
    ["Iron 2mg", "10%"],
]
NOTE = ["Percent daily values are based", "on a diet of 2,000 calories a", "day; your own values may differ"]
GRID = [
    ["Calories", "2,000", "2,500"],
    ["Total Fat", "65g", "80g"],
    ["Sodium", "2,400", "2,400"],
    ["Fiber", "25g", "30g"],
]


@dataclass(frozen=True)
class _Word:
    text: str
    bbox: tuple[int, int, int, int]
    conf: float = 0.95


def texts(table: Table) -> list[list[str]]:
    return [[(c.text if c is not None else "") for c in row] for row in table.grid()]


def _panel() -> np.ndarray:
    """A framed panel: a label list with values flush right, each row under a rule that stops short of the
    frame (the longest label ends a few pixels before the widest value, a header and a
    line of two items run across that strip); a
    three-line note across the frame; then a three-column grid of unruled rows under a header rule."""
    font = ImageFont.load_default(size=FONT_PX)
    x0, x1, pitch = 60, 407, 40
    img = Image.new("RGB", (x1 + 60, 760), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    y = 70
    head = "% Daily Value"  # runs across the ragged strip, as a header over the values does
    draw.text((x1 - 14 - font.getlength(head), y + 8), head, fill=INK, font=font)
    y += pitch
    draw.line([x0 + 12, y, x1 - 12, y], fill=INK, width=2)
    for label, value in LIST:
        draw.text((x0 + 14, y + 8), label, fill=INK, font=font)
        draw.text((x1 - 14 - font.getlength(value), y + 8), value, fill=INK, font=font)
        y += pitch
        draw.line([x0 + 12, y, x1 - 12, y], fill=INK, width=2)  # inset: never touches the frame
    # two items on one line, the second also running across the strip
    draw.text((x0 + 14, y + 8), "Vitamin A 6%", fill=INK, font=font)
    draw.text((x1 - 14 - font.getlength("Vitamin C 4%"), y + 8), "Vitamin C 4%", fill=INK, font=font)
    y += pitch
    draw.line([x0 + 12, y, x1 - 12, y], fill=INK, width=2)
    y += 14
    for text in NOTE:
        draw.text((x0 + 14, y), text, fill=INK, font=font)
        y += 30
    y += 12
    cols = [x0 + 14, x0 + 150, x0 + 250]
    for r, row in enumerate(GRID):
        for c, text in enumerate(row):
            draw.text((cols[c], y), text, fill=INK, font=font)
        y += 34
        if r == 0:
            draw.line([x0 + 12, y - 4, x1 - 12, y - 4], fill=INK, width=2)
    draw.rectangle([x0, 40, x1, y + 16], outline=INK, width=4)
    return np.asarray(img)


def test_a_panel_of_two_stacked_tables_gives_each_table_its_own_columns() -> None:
    res = recognize_page(_panel())
    assert len(res.tables) == 2, [texts(t) for t in res.tables]
    first, second = (texts(t) for t in res.tables)
    assert len(first) == len(LIST) + 2 and all(len(row) == 2 for row in first), first
    assert [row[1] for row in first[1:-1]] == [v for _, v in LIST], first
    assert len(second) == len(GRID) and all(len(row) == 3 for row in second), second
    assert [row[1] for row in second[1:]] == [row[1] for row in GRID[1:]], second
    # the note is free text, in neither table
    assert not any("daily values" in cell for t in (first, second) for row in t for cell in row)
    assert any("daily values" in ln.text for ln in res.lines)


def test_row_rules_short_of_the_frame_join_its_grid_but_an_underline_does_not() -> None:
    frame = Region(
        "grid",
        100,
        100,
        500,
        400,
        hlines=[HLine(100, 500, 100), HLine(100, 500, 400)],
        vlines=[VLine(100, 400, 100), VLine(100, 400, 500)],
    )
    inset = HLine(112, 488, 200)
    underline = HLine(120, 220, 300)
    adopt_inset_rules([frame], [*frame.hlines, inset, underline], tol=6)
    assert inset in frame.hlines
    assert underline not in frame.hlines
    assert len(frame.hlines) == 3


def test_values_flush_right_give_a_cut_left_of_them_and_a_paragraph_gives_none() -> None:
    rows = [("Total Fat 8g", 420), ("Sodium 160mg", 432), ("Total Carbohydrate 37g", 420), ("Protein", 432)]
    words = []
    for i, (label, vx) in enumerate(rows):
        y = 20 + 30 * i
        x = 10
        for part in label.split():
            words.append(_Word(part, (x, y, x + 12 * len(part), y + 20)))
            x += 12 * len(part) + 8
        words.append(_Word("12%", (vx, y, 460, y + 20)))
    cut = value_edge_cut(build_lines(words, 16.0), 16.0)
    assert cut is not None and 300 < cut < 420
    prose = [
        _Word(t, (10 + 60 * k, 20 + 30 * i, 60 + 60 * k, 40 + 30 * i))
        for i in range(4)
        for k, t in enumerate(["a", "plain", "line", "of", "words"])
    ]
    assert value_edge_cut(build_lines(prose, 16.0), 16.0) is None


def test_a_frame_without_a_note_between_tables_stays_whole() -> None:
    words = [
        _Word(t, (110 + 150 * c, 120 + 30 * r, 200 + 150 * c, 140 + 30 * r))
        for r in range(5)
        for c, t in enumerate(["Item", "12", "34"])
    ]
    frame = Region(
        "grid", 100, 100, 560, 300, vlines=[VLine(100, 300, 100), VLine(100, 300, 560)], words=list(words)
    )
    assert split_panel(frame, 16.0) == [frame]
