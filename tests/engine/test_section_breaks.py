"""Column rules that stop at a section label's row and go on below it (:mod:`img2xlsx.tables.sectionbreaks`):
the pieces are one rule each, so they outline the table, and the label spans its row as drawn."""

from __future__ import annotations

import numpy as np
from img2xlsx.recognize import recognize_page
from img2xlsx.tables.colrules import column_rule_regions
from img2xlsx.tables.lines import VLine
from img2xlsx.tables.sectionbreaks import joined_at_sections
from img2xlsx.tables.textlines import WordLike
from PIL import Image, ImageDraw, ImageFont

from tests.engine.test_rule_styles import texts

FONT_PX = 22
ROW_H = int(FONT_PX * 1.8)
PAD_X = 8


class _W:
    def __init__(self, text: str, bbox: tuple[int, int, int, int]) -> None:
        self.text, self.conf, self.bbox = text, 0.9, bbox


def _cells(ys: list[int]) -> list[WordLike]:
    return [_W("cell", (x + 10, y, x + 80, y + 20)) for y in ys for x in (100, 250, 400)]


def test_rules_stopping_together_at_a_label_outline_one_table() -> None:
    # outer rules 100..400; the inner ones stop at the label "Financing" (alone on its line) and go on below:
    # each section's pieces share too little height with the outer rules to outline the table alone
    rules = [VLine(100, 400, x, 2) for x in (100, 550)]
    rules += [VLine(y0, y1, x, 2) for x in (250, 400) for y0, y1 in ((100, 170), (205, 400))]
    words = [*_cells([110, 145, 215, 250, 285, 320, 355]), _W("Financing", (110, 180, 200, 198))]
    regions = column_rule_regions(rules, [], [], words, 20.0, 8.0)
    assert [(r.kind, r.x0, r.y0, r.x1, r.y1) for r in regions] == [("grid", 100, 100, 550, 400)]
    # the gap stays open: no rule is drawn through the label's row
    assert not any(v.y0 < 190 < v.y1 and v.x in (250, 400) for v in regions[0].vlines)


def test_a_title_between_tables_on_one_column_layout_joins_nothing() -> None:
    # the same rules stop and start again round a title, but its gap is far taller than a row: two tables
    rules = [VLine(y0, y1, x, 2) for x in (100, 250, 400, 550) for y0, y1 in ((100, 240), (330, 470))]
    words = [*_cells([110, 145, 180, 215, 340, 375, 410, 445]), _W("Schedule", (110, 275, 220, 295))]
    regions = column_rule_regions(rules, [], [], words, 20.0, 8.0)
    assert sorted((r.y0, r.y1) for r in regions) == [(100, 240), (330, 470)]


def test_a_rule_broken_alone_is_not_joined_at_a_label() -> None:
    # only one rule stops round the label (a crease there): nothing stops together, its pieces stay apart
    rules = [[VLine(100, 400, x, 2)] for x in (100, 250, 550)]
    rules += [[VLine(y0, y1, 400, 2)] for y0, y1 in ((100, 170), (205, 400))]
    words = [*_cells([110, 145, 215, 250, 285, 320, 355]), _W("Financing", (110, 180, 200, 198))]
    out = joined_at_sections(rules, words, 20.0, 8.0)
    assert sorted(len(r) for r in out) == [1, 1, 1, 1, 1]


SECTIONS = [
    ("Hardware", [["Bolts", "Leeds", "120", "4.50"], ["Nuts", "Derby", "75", "12.00"]]),
    ("Fittings", [["Hinges", "Bath", "42", "19.99"], ["Rivets", "Hull", "58", "3.10"]]),
]
HEADER = ["Item", "Depot", "Units", "Price"]


def _section_page() -> np.ndarray:
    """A table ruled between its columns, outer rules whole, inner rules stopping at each section label."""
    font = ImageFont.load_default(size=FONT_PX)
    rows: list[list[str] | str] = [HEADER]
    for label, body in SECTIONS:
        rows += [label, *body]
    widths = [
        max(int(font.getlength(r[c])) for r in rows if isinstance(r, list)) + 2 * PAD_X for c in range(4)
    ]
    xs = [40]
    for w in widths:
        xs.append(xs[-1] + w)
    img = Image.new("RGB", (xs[-1] + 60, 60 + len(rows) * ROW_H + 40), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    y0 = 40
    for r, row in enumerate(rows):
        y = y0 + r * ROW_H
        if isinstance(row, str):
            draw.text((xs[0] + PAD_X, y + 6), row, fill=(20, 20, 20), font=font)
        else:
            for c, text in enumerate(row):
                draw.text((xs[c] + PAD_X, y + 6), text, fill=(20, 20, 20), font=font)
            for x in xs[1:-1]:
                draw.line([x, y, x, y + ROW_H], fill=(60, 60, 60), width=2)
    bottom = y0 + len(rows) * ROW_H
    for x in (xs[0], xs[-1]):
        draw.line([x, y0, x, bottom], fill=(60, 60, 60), width=2)
    return np.asarray(img)


def test_section_labels_between_stopped_rules_span_their_row() -> None:
    res = recognize_page(_section_page())
    assert len(res.tables) == 1, [texts(t) for t in res.tables]
    table = res.tables[0]
    assert (table.n_rows, table.n_cols) == (7, 4), texts(table)
    labels = {c.text: c.colspan for c in table.cells if c.text in ("Hardware", "Fittings")}
    assert labels == {"Hardware": 4, "Fittings": 4}, texts(table)
