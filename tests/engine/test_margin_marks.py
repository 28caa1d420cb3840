"""Marks are not tables: tick boxes read as ``'``/``2'``/``R`` beside a borderless table are no column of
it, a stamp's double frame read as a one-row grid is no table; a real narrow column and a real one-row
table stay."""

from __future__ import annotations

from collections.abc import Sequence

from img2xlsx.ocr import Word
from img2xlsx.tables.assemble import is_table
from img2xlsx.tables.borderless import borderless_structure
from img2xlsx.tables.region import Region
from img2xlsx.tables.skeleton import RawCell, RawTable, words_text
from img2xlsx.tables.textlines import WordLike

H = 20.0
GAP = 15.0
HEAD = ["Item", "Qty", "Price", "Total"]
BODY = [
    ["Bolts", "4", "1.20", "4.80"],
    ["Nuts", "9", "0.35", "3.15"],
    ["Washers", "3", "0.10", "0.30"],
    ["Screws", "7", "0.50", "3.50"],
    ["Hinges", "2", "4.00", "8.00"],
]
LONG = [*BODY, ["Clips", "6", "0.20", "1.20"], ["Pins", "8", "0.05", "0.40"], ["Rivets", "5", "0.30", "1.50"]]
XS = [120, 320, 440, 580]  # the table's column starts; the margin left of x=100 is free


def _word(text: str, x: int, y: int, conf: float = 0.95) -> Word:
    return Word(text, conf, (x, y, x + 14 * len(text), y + 20), (0,))


def _table_words() -> list[Word]:
    words = [_word(t, x, 40) for t, x in zip(HEAD, XS, strict=True)]
    for r, row in enumerate(BODY):
        words += [_word(t, x, 90 + 40 * r) for t, x in zip(row, XS, strict=True)]
    return words


def _rows(words: Sequence[WordLike]) -> list[list[str]]:
    raw = borderless_structure(Region("plain", 0, 30, 820, 460, words=list(words)), H, GAP)
    assert raw is not None
    grid = [[""] * raw.n_cols for _ in range(raw.n_rows)]
    for c in raw.cells:
        grid[c.row][c.col] = words_text(c.words, H)
    return grid


def test_tick_boxes_read_as_short_doubtful_marks_are_no_column() -> None:
    marks = ["'", "2'", "R", "'", "2'"]  # what the reader makes of ticked boxes in the left margin
    words = _table_words() + [_word(m, 30, 90 + 40 * r, conf=0.45) for r, m in enumerate(marks)]
    rows = _rows(words)
    assert rows[0] == HEAD
    assert rows[1:] == BODY


def test_a_narrow_column_with_a_heading_stays() -> None:
    words = [*_table_words(), _word("Done", 20, 40)]
    words += [_word("✓", 30, 90 + 40 * r, conf=0.45) for r in range(len(BODY))]
    rows = _rows(words)
    assert rows[0] == ["Done", *HEAD]
    assert all(r[0] == "✓" for r in rows[1:])


def test_row_numbers_read_with_confidence_stay_without_a_heading() -> None:
    words = _table_words() + [_word(str(r + 1), 30, 90 + 40 * r) for r in range(len(BODY))]
    rows = _rows(words)
    assert len(rows[0]) == len(HEAD) + 1
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4", "5"]


def _one_row(texts: list[str], conf: float) -> RawTable:
    cells = [RawCell(0, k, words=[_word(t, 100 * k, 0, conf)]) for k, t in enumerate(texts)]
    return RawTable(1, len(texts), cells, "grid", True, (0, 0, 100 * len(texts), 40))


def test_a_stamps_double_frame_read_as_one_row_is_no_table() -> None:
    grid = Region("grid", 0, 0, 500, 40)
    assert not is_table(_one_row(["A", "o", "a", "5u"], 0.4), grid)
    assert is_table(_one_row(["Total", "12", "30"], 0.9), grid)  # a real one-row table
    assert is_table(_one_row(["12", "30", "7"], 0.95), grid)  # short values read with confidence


def test_notes_in_the_margin_of_a_long_table_are_no_column() -> None:
    # a note written between two rows and a confident "v" beside another, right of a table of 9 rows
    body = LONG
    words = [_word(t, x, 40) for t, x in zip(HEAD, XS, strict=True)]
    for r, row in enumerate(body):
        words += [_word(t, x, 90 + 40 * r) for t, x in zip(row, XS, strict=True)]
    words += [_word("call", 700, 150), _word("back", 762, 150), _word("v", 720, 330)]
    rows = _rows(words)
    assert rows[0] == HEAD
    assert rows[1:] == body


def test_a_sparse_column_with_a_heading_stays() -> None:
    body = LONG
    words = [_word(t, x, 40) for t, x in zip([*HEAD, "Note"], [*XS, 700], strict=True)]
    for r, row in enumerate(body):
        words += [_word(t, x, 90 + 40 * r) for t, x in zip(row, XS, strict=True)]
    words += [_word("late", 700, 130)]
    rows = _rows(words)
    assert rows[0] == [*HEAD, "Note"]
    assert rows[2][-1] == "late"


def _long_table_with(extra: list[Word], body: list[list[str]]) -> list[list[str]]:
    words = [_word(t, x, 40) for t, x in zip(HEAD, XS, strict=True)]
    for r, row in enumerate(body):
        words += [_word(t, x, 90 + 40 * r) for t, x in zip(row, XS, strict=True)]
    return _rows(words + extra)


def test_a_note_in_the_left_margin_of_a_long_table_is_no_column() -> None:
    rows = _long_table_with([_word("ring", 0, 250), _word("Jo", 0, 290)], LONG)
    assert rows[0] == HEAD
    assert rows[1:] == LONG


def test_a_label_left_of_a_short_table_stays_a_column() -> None:
    # one label beside five rows: a row group's name, not a note
    rows = _long_table_with([_word("Spares", 0, 170)], BODY)
    assert len(rows[0]) == len(HEAD) + 1
    assert any(row[0] == "Spares" for row in rows)
