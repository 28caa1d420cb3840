"""Tables without rules between rows that must stay whole and apart: row labels centred on the group of rows
they span, section labels between tightly set rows, two plain tables stacked with a note and a title between
them, two tables side by side whose shaded header bands stand close together."""

from __future__ import annotations

import numpy as np
from img2xlsx.model import Table
from img2xlsx.recognize import recognize_page
from PIL import Image, ImageDraw, ImageFont

FONT_PX = 22
INK = (30, 30, 30)

BODY = [
    ["Bolts", "Leeds", "120", "4.50"],
    ["Nuts", "Derby", "75", "12.00"],
    ["Washers", "York", "310", "7.25"],
    ["Hinges", "Bath", "42", "19.99"],
    ["Rivets", "Hull", "58", "3.10"],
    ["Brackets", "Ripon", "96", "8.40"],
    ["Springs", "Wells", "64", "2.75"],
]
HEADER = ["Item", "Depot", "Units", "Price"]


def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=FONT_PX)


def texts(table: Table) -> list[list[str]]:
    return [[(c.text if c is not None else "") for c in row] for row in table.grid()]


def _draw_rows(draw: ImageDraw.ImageDraw, rows: list[list[str]], xs: list[int], y: int, pitch: int) -> int:
    """Rows of cells left-aligned at ``xs`` from height ``y``; returns the height below the last row."""
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((xs[c], y + r * pitch), text, fill=INK, font=_font())
    return y + len(rows) * pitch


def _spans(table: Table) -> list[tuple[int, int, int, str]]:
    return sorted((c.row, c.col, c.rowspan, c.text) for c in table.cells if c.rowspan > 1)


def test_row_labels_centred_on_their_rows_span_them() -> None:
    img = Image.new("RGB", (1000, 520), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    xs, pitch, top = [40, 220, 400, 560, 700], 50, 40
    _draw_rows(draw, [["", *HEADER]], xs, top, pitch)
    _draw_rows(draw, [["", *row] for row in BODY], xs, top + pitch, pitch)
    # labels centred on their group: rows 1-2 (between them), rows 3-5 (on the middle row), rows 6-7
    for text, first, last in (("North", 1, 2), ("Inland", 3, 5), ("Export", 6, 7)):
        y = top + pitch * (first + last) / 2
        draw.text((xs[0], y), text, fill=INK, font=_font())
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    table = res.tables[0]
    assert (table.n_rows, table.n_cols) == (8, 5), texts(table)
    assert _spans(table) == [(1, 0, 2, "North"), (3, 0, 3, "Inland"), (6, 0, 2, "Export")], texts(table)
    assert [row[1] for row in texts(table)[1:]] == [row[0] for row in BODY]


def test_row_labels_level_with_the_first_row_of_their_group_span_nothing() -> None:
    img = Image.new("RGB", (1000, 520), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    xs, pitch, top = [40, 220, 400, 560, 700], 50, 40
    labels = {0: "North", 2: "Inland", 5: "Export"}  # a print style: the label on its group's first row
    rows = [[labels.get(r, ""), *row] for r, row in enumerate(BODY)]
    _draw_rows(draw, [["", *HEADER], *rows], xs, top, pitch)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    table = res.tables[0]
    assert (table.n_rows, table.n_cols) == (8, 5), texts(table)
    assert _spans(table) == []
    assert [row[0] for row in texts(table)[1:]] == [r[0] for r in rows]


def test_row_labels_between_the_rows_of_their_groups_make_the_first_column() -> None:
    img = Image.new("RGB", (1000, 470), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    xs, pitch, top = [40, 220, 400, 560, 700], 50, 40
    body = BODY[:6]
    _draw_rows(draw, [["", *row] for row in [HEADER, *body]], xs, top, pitch)
    # each label centred on a group of two rows: on no row's line, so no line with several cells holds it
    for text, first in (("North", 1), ("Inland", 3), ("Export", 5)):
        draw.text((xs[0], top + pitch * (first + 0.5)), text, fill=INK, font=_font())
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    table = res.tables[0]
    assert table.n_cols == 5, texts(table)
    got = texts(table)
    assert [row[1:] for row in got] == [HEADER, *body], got
    assert {row[0] for row in got[1:]} == {"North", "Inland", "Export"}, got


def test_section_labels_between_tight_rows_keep_the_rows_apart() -> None:
    img = Image.new("RGB", (900, 700), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    xs, pitch = [40, 240, 420, 560], 27  # tightly set rows: the lines almost touch
    body = [
        *BODY,
        ["Clamps", "Ely", "33", "6.10"],
        ["Pins", "Ayr", "410", "0.35"],
        ["Cables", "Rye", "27", "9.90"],
    ]
    # most sections hold a single row: the step between rows around a section label is twice the row pitch
    rows: list[list[str]] = [HEADER]
    k = 0
    for section, size in (("Fasteners", 1), ("Fittings", 2), ("Springs", 1), ("Tools", 2), ("Spares", 1)):
        rows += [[section, "", "", ""], *body[k : k + size]]
        k += size
    rows += [["Extras", "", "", ""], *body[k : k + 2], ["Cords", "", "", ""], *body[k + 2 : k + 3]]
    _draw_rows(draw, rows, xs, 40, pitch)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    got = texts(res.tables[0])
    assert len(got) == len(rows), got
    assert [row[0] for row in got] == [row[0] for row in rows]


def test_stacked_plain_tables_with_a_note_and_a_title_between_them_are_two_tables() -> None:
    img = Image.new("RGB", (1000, 900), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    font = _font()
    pitch = 40
    y = _draw_rows(draw, [HEADER, *BODY[:5]], [40, 260, 460, 620], 40, pitch)
    draw.text((40, y + 4), "Source: depot returns, March.", fill=INK, font=font)
    draw.text((40, y + 50), "Traffic by month and channel", fill=INK, font=font)
    second = [
        ["Month", "Web", "Shop", "Phone", "Total"],
        ["January", "1200", "340", "85", "1625"],
        ["February", "1350", "310", "92", "1752"],
        ["March", "990", "295", "77", "1362"],
        ["April", "1105", "330", "81", "1516"],
    ]
    _draw_rows(draw, second, [40, 300, 420, 540, 680], y + 100, pitch)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 2, [texts(t) for t in res.tables]
    first, other = res.tables
    assert (first.n_rows, first.n_cols) == (6, 4), texts(first)
    assert (other.n_rows, other.n_cols) == (5, 5), texts(other)
    outside = " ".join(line.text for line in res.lines)
    assert "Source" in outside and "Traffic" in outside


def test_side_by_side_tables_with_close_header_bands_are_two_tables() -> None:
    img = Image.new("RGB", (1300, 420), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    pitch, top = 40, 40
    left_xs, right_xs = [40, 200, 330], [560, 720, 860, 1000]
    band = (225, 225, 225)
    draw.rectangle([30, top - 8, 420, top + 30], fill=band)
    draw.rectangle([550, top - 8, 1130, top + 30], fill=band)  # 130 px apart: about three text heights
    left = [
        ["Region", "Units", "Share"],
        ["North", "120", "18%"],
        ["South", "75", "11%"],
        ["East", "310", "46%"],
    ]
    left += [["West", "42", "6%"], ["Central", "130", "19%"]]
    right = [
        ["Name", "Depot", "Since", "Grade"],
        ["Ada", "Leeds", "2019", "B"],
        ["Ben", "Derby", "2021", "A"],
    ]
    right += [["Cleo", "York", "2018", "C"], ["Dan", "Bath", "2022", "B"], ["Eve", "Hull", "2020", "A"]]
    _draw_rows(draw, left, left_xs, top, pitch)
    _draw_rows(draw, right, right_xs, top, pitch)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 2, [texts(t) for t in res.tables]
    assert [(t.n_rows, t.n_cols) for t in res.tables] == [(6, 3), (6, 4)], [texts(t) for t in res.tables]


def test_header_cells_wrapped_over_two_lines_in_padded_rows_are_one_header_row() -> None:
    """Three of five header labels wrap over two lines (line height 1.2), the two others are centred
    between those lines; body rows are padded. The wrapped lines sit ~0.6 text heights apart, yet far closer
    than the rows: one header row, every label whole."""
    font = ImageFont.load_default(size=20)
    img = Image.new("RGB", (1000, 480), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    xs, top, line = [40, 220, 380, 540, 720], 40, 24
    header = [["Item"], ["Depot", "name"], ["Units", "sold"], ["Unit", "price"], ["Total"]]
    for c, parts in enumerate(header):
        y0 = top + (2 - len(parts)) * line / 2
        for k, part in enumerate(parts):
            draw.text((xs[c], y0 + k * line), part, fill=INK, font=font)
    body = [[*row, total] for row, total in zip(BODY[:5], ["1200", "900", "2248", "840", "180"], strict=True)]
    for r, row in enumerate(body):
        for c, text in enumerate(row):
            draw.text((xs[c], top + 2 * line + 20 + r * (line + 20)), text, fill=INK, font=font)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    got = texts(res.tables[0])
    assert len(got) == 6, got
    assert got[0] == [" ".join(parts) for parts in header], got
    assert [row[0] for row in got[1:]] == [row[0] for row in body]
