"""A plain table whose last column wraps onto lines of its own: the wrapped lines sit tight under their row,
so the blank between rows is several times the usual gap between lines. The table stays one region; a
blank as wide between lines whose columns do not carry on still parts two tables."""

from __future__ import annotations

import numpy as np
from img2xlsx.ocr import Word
from img2xlsx.tables.lines import Rulings
from img2xlsx.tables.segment import find_regions

H = 20.0  # text height of the hand-made word boxes
GAP = 15.0  # phrase gap
ROW_GAP = 50  # blank between rows: 2.5 text heights


def _word(text: str, x: int, y: int) -> Word:
    return Word(text, 0.9, (x, y, x + 14 * len(text), y + 20), (0,))


def _rulings() -> Rulings:
    return Rulings([], [], np.zeros((1600, 1200), np.uint8))


def _wrapped_table(top: int, rows: int, xs: list[int]) -> tuple[list[Word], int]:
    """A header and ``rows`` rows whose last cell wraps onto two more lines; returns the bottom."""
    words = [_word(t, x, top) for t, x in zip(["Code", "Item", "Qty", "Remarks"], xs, strict=True)]
    y = top + 20 + ROW_GAP
    for r in range(rows):
        words += [_word(t, x, y) for t, x in zip([f"AB{r}7", f"Part{r}", f"{r}40", "Check"], xs, strict=True)]
        words += [_word("stock", xs[-1], y + 22), _word("first", xs[-1], y + 44)]
        y += 64 + ROW_GAP
    return words, y - ROW_GAP


def test_rows_of_a_wrapped_column_set_apart_stay_one_table() -> None:
    words, bottom = _wrapped_table(100, 6, [100, 300, 500, 700])
    regions = find_regions(words, _rulings(), [], H, GAP)
    assert len(regions) == 1, [(r.y0, r.y1) for r in regions]
    assert len(regions[0].words) == len(words)
    assert regions[0].y1 >= bottom - 5


def test_tables_whose_columns_differ_stay_apart_across_such_a_blank() -> None:
    first, bottom = _wrapped_table(100, 3, [100, 300, 500, 700])
    # a second table right below, its columns where the first has none
    second: list[Word] = []
    y = bottom + ROW_GAP
    for r in range(4):
        second += [
            _word(t, x, y + 40 * r)
            for t, x in zip([f"Mon{r}", f"{r}20", f"{r}35"], [180, 420, 610], strict=True)
        ]
    regions = find_regions(first + second, _rulings(), [], H, GAP)
    assert len(regions) == 2, [(r.y0, r.y1) for r in regions]


def _spaced(text: str, x: int, y: int) -> list[Word]:
    """A sentence's words one space apart (one phrase)."""
    out: list[Word] = []
    for w in text.split():
        out.append(_word(w, x, y))
        x += 14 * len(w) + 8
    return out


def test_a_title_beside_a_stamp_over_a_paragraph_stays_out_of_the_table() -> None:
    # a title and a stamp on one line read as two cells; under them a paragraph runs across the columns
    words = [_word("Staff", 80, 60), _word("list", 158, 60), _word("PAID", 520, 56)]
    words += _spaced("This table sums up the results of the last period", 80, 100)
    xs = [100, 300, 450, 600]
    table = [_word(t, x, 160) for t, x in zip(["Area", "Q1", "Q2", "Total"], xs, strict=True)]
    for r in range(6):
        table += [
            _word(t, x, 200 + 40 * r)
            for t, x in zip([f"Zone{r}", f"{r}12", f"{r}34", f"{r}46"], xs, strict=True)
        ]
    regions = find_regions(words + table, _rulings(), [], H, GAP)
    assert len(regions) == 1
    assert regions[0].y0 >= 150, [w.text for w in regions[0].words][:8]
    assert {w.text for w in regions[0].words} == {w.text for w in table}


def test_a_header_row_over_a_long_section_label_stays_in_the_table() -> None:
    xs = [100, 300, 450, 600]
    table = [_word(t, x, 100) for t, x in zip(["Area", "Q1", "Q2", "Total"], xs, strict=True)]
    table += _spaced("Operating activities and other income", 100, 130)
    for r in range(6):
        table += [
            _word(t, x, 170 + 40 * r)
            for t, x in zip([f"Zone{r}", f"{r}12", f"{r}34", f"{r}46"], xs, strict=True)
        ]
    regions = find_regions(table, _rulings(), [], H, GAP)
    assert len(regions) == 1
    assert {w.text for w in regions[0].words} == {w.text for w in table}
