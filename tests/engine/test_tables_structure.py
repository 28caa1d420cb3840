"""Table detection and structure on tables drawn in the test: every style, several tables, spans, wraps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from img2xlsx.model import Table
from img2xlsx.recognize import PageResult, recognize_page
from PIL import Image, ImageDraw, ImageFont

FONT_PX = 22


@dataclass
class Spec:
    rows: list[list[str]]  # cell text; "\n" wraps a cell over several lines
    style: str = "grid"  # grid | hrules | zebra | plain
    group: tuple[str, int, int] | None = None  # a header row above: (text, first col, last col)
    title: str | None = None


def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=FONT_PX)


def draw_table(draw: ImageDraw.ImageDraw, spec: Spec, x: int, y: int) -> tuple[int, int]:
    """Draw ``spec`` with its top-left corner at (x, y); returns its (width, height)."""
    font = _font()
    pad_x, pad_y, line_h = 16, 10, int(FONT_PX * 1.35)
    n_cols = len(spec.rows[0])
    widths = [
        max(int(font.getlength(part)) for r in spec.rows for part in r[c].split("\n")) + 2 * pad_x
        for c in range(n_cols)
    ]
    xs = [x]
    for w in widths:
        xs.append(xs[-1] + w)
    top = y
    if spec.title:
        draw.text((x, y), spec.title, fill=0, font=font)
        y += line_h + 2 * pad_y
        top = y
    all_rows: list[list[str]] = []
    if spec.group:
        all_rows.append([""] * n_cols)
    all_rows.extend(spec.rows)
    heights = [max(len(c.split("\n")) for c in r) * line_h + 2 * pad_y for r in all_rows]
    ys = [top]
    for h in heights:
        ys.append(ys[-1] + h)
    ink = (40, 40, 40)
    for r, row in enumerate(all_rows):
        if spec.style == "zebra" and r % 2 == 0:
            draw.rectangle([xs[0], ys[r], xs[-1], ys[r + 1] - 1], fill=(222, 222, 222))
        if spec.group and r == 0:
            text, a, b = spec.group
            cx = (xs[a] + xs[b + 1]) / 2 - font.getlength(text) / 2
            draw.text((cx, ys[0] + pad_y), text, fill=ink, font=font)
            continue
        for c, text in enumerate(row):
            parts = text.split("\n")
            block_h = len(parts) * line_h
            ty = ys[r] + (heights[r] - block_h) / 2
            for i, part in enumerate(parts):
                draw.text((xs[c] + pad_x, ty + i * line_h), part, fill=ink, font=font)
    if spec.style == "grid":
        for r, yy in enumerate(ys):
            x0 = xs[0]
            x1 = xs[-1]
            if spec.group and r == 1:
                # the rule under the group header is interrupted where the group does not reach
                _, a, b = spec.group
                draw.line([xs[a], yy, xs[b + 1], yy], fill=0, width=2)
                continue
            draw.line([x0, yy, x1, yy], fill=0, width=2)
        for c, xx in enumerate(xs):
            for r in range(len(all_rows)):
                if spec.group and r == 0 and spec.group[1] < c <= spec.group[2]:
                    continue  # no column rule inside the spanning group header
                draw.line([xx, ys[r], xx, ys[r + 1]], fill=0, width=2)
    elif spec.style == "hrules":
        hdr = 2 if spec.group else 1
        for yy in (ys[0], ys[hdr], ys[-1]):
            draw.line([xs[0], yy, xs[-1], yy], fill=0, width=2)
    return xs[-1] - x, ys[-1] - (y if not spec.title else top - line_h - 2 * pad_y)


def render(*specs: Spec, side_by_side: bool = False, gap: int = 120, note: str | None = None) -> np.ndarray:
    img = Image.new("RGB", (2400, 2000), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    x = y = 50
    max_x = max_y = 0
    for spec in specs:
        w, h = draw_table(draw, spec, x, y)
        max_x, max_y = max(max_x, x + w), max(max_y, y + h)
        if side_by_side:
            x += w + gap
        else:
            y += h + gap
    if note:
        draw.text((50, max_y + 30), note, fill=0, font=_font())
        max_y += 30 + FONT_PX * 2
    return np.asarray(img.crop((0, 0, max_x + 50, max_y + 50)))


BODY = [
    ["Region", "Units", "Price", "Status"],
    ["North", "120", "4.50", "Open"],
    ["South", "75", "12.00", "Closed"],
    ["East", "310", "7.25", "Open"],
    ["West", "42", "19.99", "Pending"],
]


def texts(table: Table) -> list[list[str]]:
    return [[(c.text if c is not None else "") for c in row] for row in table.grid()]


def assert_body(table: Table, rows: list[list[str]]) -> None:
    got = texts(table)
    assert (table.n_rows, table.n_cols) == (len(rows), len(rows[0])), got
    wrong = [
        (r, c, got[r][c], rows[r][c])
        for r in range(len(rows))
        for c in range(len(rows[0]))
        if got[r][c] != rows[r][c].replace("\n", " ")
    ]
    assert len(wrong) <= 1, wrong  # one OCR slip tolerated; the structure must be exact


@pytest.mark.parametrize("style", ["grid", "hrules", "zebra", "plain"])
def test_each_style_gives_rows_columns_and_text(style: str) -> None:
    res = recognize_page(render(Spec(BODY, style=style)))
    assert len(res.tables) == 1
    table = res.tables[0]
    assert_body(table, BODY)
    assert table.bordered == (style == "grid")
    assert table.n_header_rows == 1
    assert [c.header for c in table.cells if c.row == 0] == [True] * 4
    assert all(c.confidence is not None and 0 < c.confidence <= 1 for c in table.cells if c.text)


def test_title_and_note_stay_outside_the_table() -> None:
    res = recognize_page(
        render(Spec(BODY, style="plain", title="Quarterly Sales Report"), note="Source: internal")
    )
    assert len(res.tables) == 1
    assert_body(res.tables[0], BODY)
    outside = " ".join(line.text for line in res.lines)
    assert "Quarterly" in outside and "Source" in outside


@pytest.mark.parametrize("style", ["hrules", "zebra", "plain"])
def test_two_tables_side_by_side_are_separate(style: str) -> None:
    right = [
        ["Code", "Name"],
        ["K17", "Alpha"],
        ["M23", "Beta"],
        ["R38", "Gamma"],
        ["T49", "Delta"],
        ["W52", "Omega"],
    ]
    res = recognize_page(
        render(Spec(BODY, style=style), Spec(right, style=style), side_by_side=True, gap=160)
    )
    assert len(res.tables) == 2
    left_t, right_t = res.tables
    assert left_t.bbox is not None and right_t.bbox is not None and left_t.bbox[2] < right_t.bbox[0]
    assert_body(left_t, BODY)
    assert_body(right_t, right)


def test_two_stacked_tables_are_separate() -> None:
    second = [["Month", "Visits"], ["January", "1200"], ["February", "1350"], ["March", "990"]]
    res = recognize_page(
        render(Spec(BODY, style="zebra", title="Stock"), Spec(second, style="zebra", title="Traffic"))
    )
    assert len(res.tables) == 2
    assert_body(res.tables[0], BODY)
    assert_body(res.tables[1], second)


@pytest.mark.parametrize("style", ["grid", "plain"])
def test_group_header_becomes_a_column_span(style: str) -> None:
    rows = [
        ["Item", "Q1", "Q2", "Q3"],
        ["Rent", "100", "110", "120"],
        ["Power", "40", "45", "38"],
        ["Water", "12", "15", "11"],
    ]
    res = recognize_page(render(Spec(rows, style=style, group=("Quarterly spend", 1, 3))))
    assert len(res.tables) == 1
    table = res.tables[0]
    assert (table.n_rows, table.n_cols) == (5, 4)
    spans = [c for c in table.cells if c.colspan > 1]
    assert len(spans) == 1
    assert (spans[0].row, spans[0].col, spans[0].colspan) == (0, 1, 3)
    assert spans[0].text == "Quarterly spend"
    assert table.n_header_rows == 2


@pytest.mark.parametrize("style", ["grid", "hrules", "plain"])
def test_wrapped_cell_text_stays_in_one_cell(style: str) -> None:
    rows = [
        ["Date", "Event", "Notes"],
        ["May 2", "Review", "Bring the signed\ncontract and the\nupdated budget"],
        ["May 9", "Launch", "Press kit"],
        ["May 16", "Retro", "Remote only"],
    ]
    res = recognize_page(render(Spec(rows, style=style)))
    assert len(res.tables) == 1
    assert_body(res.tables[0], rows)


def test_row_spanning_cell_in_a_grid() -> None:
    img = Image.new("RGB", (760, 330), "white")
    draw = ImageDraw.Draw(img)
    font = _font()
    xs, ys = [40, 260, 480, 720], [40, 100, 160, 220, 280]
    for yy in ys:
        draw.line([xs[0], yy, xs[-1], yy], fill=0, width=2)
    draw.line([xs[0], ys[2], xs[1], ys[2]], fill="white", width=2)  # rows 1-2 merged in column 0
    for xx in xs:
        draw.line([xx, ys[0], xx, ys[-1]], fill=0, width=2)
    for (c, r), text in {
        (0, 0): "Team",
        (1, 0): "Member",
        (2, 0): "Hours",
        (0, 1.5): "Alpha",
        (1, 1): "Lena",
        (2, 1): "32",
        (1, 2): "Omar",
        (2, 2): "28",
        (0, 3): "Beta",
        (1, 3): "Yuki",
        (2, 3): "40",
    }.items():
        draw.text((xs[c] + 14, ys[0] + r * 60 + 16), text, fill=0, font=font)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    table = res.tables[0]
    assert (table.n_rows, table.n_cols) == (4, 3)
    merged = [c for c in table.cells if c.rowspan > 1]
    assert [(c.row, c.col, c.rowspan, c.text) for c in merged] == [(1, 0, 2, "Alpha")]


def test_broken_and_faint_grid_lines_still_make_a_grid() -> None:
    img = Image.new("L", (900, 380), 255)
    draw = ImageDraw.Draw(img)
    font = _font()
    xs, ys = [40, 300, 560, 860], [40, 110, 180, 250, 320]
    for yy in ys:
        for x0 in range(xs[0], xs[-1], 90):  # dashes with gaps
            draw.line([x0, yy, min(xs[-1], x0 + 75), yy], fill=185, width=1)
    for xx in xs:
        draw.line([xx, ys[0], xx, ys[-1]], fill=185, width=1)
    rows = [["Name", "Town", "Score"], ["Ada", "Paris", "91"], ["Ben", "Oslo", "78"], ["Dora", "Rome", "85"]]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((xs[c] + 16, ys[r] + 22), text, fill=30, font=font)
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    assert res.tables[0].bordered
    assert_body(res.tables[0], rows)


def test_page_without_table_returns_lines_and_a_warning() -> None:
    img = Image.new("L", (900, 200), 255)
    draw = ImageDraw.Draw(img)
    draw.text((40, 40), "Meeting notes for the planning session", fill=0, font=_font())
    draw.text((40, 90), "Everyone agreed to ship the release next week", fill=0, font=_font())
    res = recognize_page(np.asarray(img))
    assert isinstance(res, PageResult)
    assert res.tables == []
    assert any("planning" in line.text for line in res.lines)
    assert any("no table" in w for w in res.warnings)


def test_slanted_rules_of_an_uncorrected_photo_still_give_the_grid() -> None:
    """Residual perspective leaves rules a degree or two off the axes: rows follow the slanted rules."""
    import cv2
    from img2xlsx.page.normalize import NormalizedPage
    from img2xlsx.recognize import recognize_normalized

    rows = [["Name", "Town", "Score"], ["Ada", "Paris", "91"], ["Ben", "Oslo", "78"], ["Dora", "Rome", "85"]]
    img = np.asarray(render(Spec(rows, style="grid")).copy())
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    # keystone: the right edge is lifted by 5 % of the height, the left edge lowered
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[0, 0.05 * h], [w, -0.05 * h], [w, h - 0.05 * h], [0, h + 0.05 * h]])
    warped = cv2.warpPerspective(gray, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)
    page = NormalizedPage(gray=warped, matrix=np.eye(3), source_size=(w, h), text_height=16.0)
    res = recognize_normalized(page)
    assert len(res.tables) == 1
    table = res.tables[0]
    assert (table.n_rows, table.n_cols) == (4, 3)
    got = [[t.lower() for t in row] for row in texts(table)]
    right = sum(g == e.lower() for gr, er in zip(got, rows, strict=True) for g, e in zip(gr, er, strict=True))
    assert right >= 10, got
