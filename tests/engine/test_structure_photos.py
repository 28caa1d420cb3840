"""Structure cues that photos and dense scientific tables blur: tightly set rows, a column gap that one
line runs across."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from img2xlsx.recognize import recognize_page
from img2xlsx.tables.borderless import _group_rows
from img2xlsx.tables.columns import _column_edges
from img2xlsx.tables.textlines import build_lines, clip_swallowing_boxes
from PIL import Image, ImageDraw, ImageFont


@dataclass
class FakeWord:
    text: str
    conf: float
    bbox: tuple[int, int, int, int]


def _row(y0: int, y1: int, xs: list[int], width: int = 60, text: str = "1234") -> list[FakeWord]:
    return [FakeWord(text, 0.9, (x, y0, x + width, y1)) for x in xs]


def test_tightly_set_rows_with_tall_word_boxes_stay_apart() -> None:
    """A slanted photo of rows set with no padding: word boxes of neighbouring lines touch or overlap by a
    few pixels everywhere. No pair is tighter than the rest, so none is one wrapped row."""
    xs = [0, 150, 300, 450]
    tops = [0, 35, 71, 110, 142, 180]  # gaps between the 37 px tall lines: -2, -1, +2, -5, +1
    words = [w for y in tops for w in _row(y, y + 37, xs)]
    lines = build_lines(words, 40.0)
    assert len(lines) == 6
    edges = [-10.0, 120.0, 270.0, 420.0, 600.0]
    rows = _group_rows(lines, edges, [], 20.0)
    assert len(rows) == 6


def test_wrapped_header_lines_still_join_when_rows_are_padded() -> None:
    """Every header cell wrapped over two close lines, body rows well apart: the header stays one row."""
    xs = [0, 150, 300, 450]
    tops = [0, 22, 70, 110, 150, 190]  # header lines 2 px apart, body rows 20 px apart
    words = [w for y in tops for w in _row(y, y + 20, xs)]
    lines = build_lines(words, 40.0)
    edges = [-10.0, 120.0, 270.0, 420.0, 600.0]
    rows = _group_rows(lines, edges, [], 20.0)
    assert [len(r) for r in rows] == [2, 1, 1, 1, 1]


def test_column_gap_crossed_by_one_line_is_kept() -> None:
    """Five lines leave a gap at x 290..345 open; the header line runs across it (two labels and a dash
    between them, their boxes touching). The gap is still a column edge."""
    lines_words: list[FakeWord] = []
    lines_words += [*_row(0, 20, [0, 150]), FakeWord("Hours", 0.9, (230, 0, 300, 20))]
    lines_words += [FakeWord("-", 0.9, (298, 0, 348, 20)), FakeWord("Rating", 0.9, (346, 0, 410, 20))]
    for k in range(1, 6):
        y = 40 * k
        lines_words += _row(y, y + 20, [0, 150]) + _row(y, y + 20, [240, 345], width=50, text="24.0")
    lines = build_lines(lines_words, 12.0)
    edges = _column_edges(lines, 0, 410, 12.0)
    inner = edges[1:-1]
    assert len(inner) == 3
    assert any(290 <= e <= 345 for e in inner)


def test_ragged_text_column_is_not_cut() -> None:
    """Texts of very different lengths in one column: the few long ones reach far into the stretch the
    short ones leave empty; that stretch is no column gap."""
    lengths = [40, 60, 50, 45, 200, 55, 190, 48]
    words: list[FakeWord] = []
    for k, n in enumerate(lengths):
        y = 40 * k
        words += [FakeWord("Note", 0.9, (0, y, n, y + 20)), FakeWord("42", 0.9, (260, y, 290, y + 20))]
    lines = build_lines(words, 12.0)
    edges = _column_edges(lines, 0, 290, 12.0)
    assert len(edges) == 3


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def test_header_dash_between_two_labels_keeps_both_columns() -> None:
    """A header "Hours — Rating" read as one phrase across the gap between two number columns."""
    font = _font(22)
    img = Image.new("RGB", (900, 360), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    xs = [40, 260, 420, 560]
    draw.text((xs[0], 30), "Name", fill=0, font=font)
    draw.text((xs[1], 30), "Hours", fill=0, font=font)
    draw.line([(xs[1] + 80, 42), (xs[1] + 125, 42)], fill=0, width=2)
    draw.text((xs[2] - 20, 30), "Rating", fill=0, font=font)
    draw.text((xs[3], 30), "City", fill=0, font=font)
    body = [
        ("Ingrid Bianchi", "24.0", "2.1", "Lyon"),
        ("Kenji Patel", "24.0", "1.5", "Vienna"),
        ("Mia Hughes", "20.0", "1.3", "Milan"),
        ("Yuki Lopez", "24.0", "3.4", "Warsaw"),
        ("Emma Weber", "36.5", "4.8", "Boston"),
    ]
    for r, row in enumerate(body):
        y = 80 + 45 * r
        for x, text in zip(xs, row, strict=True):
            draw.text((x, y), text, fill=0, font=font)
    result = recognize_page(np.asarray(img))
    assert len(result.tables) == 1
    table = result.tables[0]
    assert table.n_cols == 4
    assert table.n_rows == 6


def test_box_running_over_the_next_word_is_clipped() -> None:
    """'Market' reported from its own start to the end of the next word: clipped to its own text, so the
    column gap between the two words opens again; ordinary neighbours keep their boxes."""
    words = [
        FakeWord("Market", 0.9, (138, 0, 355, 20)),
        FakeWord("Market", 0.9, (294, 0, 355, 20)),
        FakeWord("North", 0.9, (134, 40, 189, 60)),
        FakeWord("America", 0.9, (199, 40, 274, 60)),
        FakeWord("Canada", 0.9, (286, 40, 359, 60)),
    ]
    out = clip_swallowing_boxes(words, lambda w, bbox: replace(w, bbox=bbox))
    assert out[0].bbox[2] < 286
    assert out[0].bbox[2] >= 138 + 50
    assert [w.bbox for w in out[1:]] == [w.bbox for w in words[1:]]


def test_a_section_label_ending_in_the_last_column_gap_is_one_cell() -> None:
    """A label centred over the value columns whose last word lies past the text of the column before the
    last: the whole label is one spanning cell, its last word not left in a cell of its own as well."""
    from img2xlsx.tables.borderless import borderless_structure
    from img2xlsx.tables.region import Region

    value_ends = [440, 680, 880]
    words: list[FakeWord] = []
    for r in range(9):
        y = 40 * r
        if r == 4:
            label = [("Percentage", 480, 600), ("difference", 610, 730), ("between", 740, 830)]
            label += [("stated", 840, 940), ("values", 950, 1010)]
            words += [FakeWord(t, 0.9, (a, y, b, y + 20)) for t, a, b in label]
            continue
        words.append(FakeWord(f"Projection {r}", 0.9, (0, y, 200, y + 20)))
        words += [FakeWord(f"{r}0,{r}1{k}", 0.9, (e - 70, y, e, y + 20)) for k, e in enumerate(value_ends)]
        words.append(FakeWord(f"{r}.4", 0.9, (1060, y, 1100, y + 20)))  # a narrow last column
    region = Region("plain", 0, 0, 1100, 360, [], [], words=words)  # type: ignore[arg-type]
    raw = borderless_structure(region, 20.0, 15.0)
    assert raw is not None and raw.n_cols == 5
    row = [c for c in raw.cells if c.row == 4 and c.words]
    assert len(row) == 1, [(c.col, c.colspan, [w.text for w in c.words]) for c in row]
    assert [w.text for w in row[0].words][-1] == "values" and row[0].col + row[0].colspan == 5
