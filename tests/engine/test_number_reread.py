"""Targeted re-reads of garbled numbers and dropped minus signs in numeric columns (reread.numbers)."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from img2xlsx.ocr import Word
from img2xlsx.reread.cells import reread_cells
from img2xlsx.reread.numbers import reread_numbers
from img2xlsx.tables.skeleton import RawCell, RawTable
from PIL import Image, ImageDraw, ImageFont

ROW_H, COL_W = 40, 200


def _page(rows: list[str], dash_rows: frozenset[int] = frozenset()) -> tuple[np.ndarray, list[RawCell]]:
    """One column of right-aligned numbers drawn in black on white; ``dash_rows`` get a minus the (fake)
    page pass did not report in the text, though the word box covers it."""
    gray = np.full((ROW_H * len(rows) + 20, COL_W + 20), 255, np.uint8)
    cells = []
    for r, text in enumerate(rows):
        y0 = 10 + r * ROW_H
        x_text = 60
        cv2.putText(gray, text, (x_text, y0 + 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
        x_word = x_text
        if r in dash_rows:
            gray[y0 + 17 : y0 + 20, x_text - 16 : x_text - 6] = 0  # a short level stroke before the digits
            x_word = x_text - 17
        word = Word(text, 0.9, (x_word, y0 + 8, x_text + 16 * len(text), y0 + 31), (0, 0, r))
        cells.append(RawCell(row=r, col=0, bbox=(10, y0, 10 + COL_W, y0 + ROW_H), words=[word]))
    return gray, cells


class _Reader:
    def __init__(self, answers: dict[int, str]) -> None:
        self.answers = answers
        self.calls: list[int] = []

    def __call__(
        self, gray: np.ndarray, bbox: tuple[int, int, int, int], *, single_line: bool
    ) -> tuple[str, float]:
        assert single_line
        row = (bbox[1] - 10) // ROW_H
        self.calls.append(row)
        return self.answers.get(row, ""), 0.8


def _table(cells: list[RawCell]) -> RawTable:
    return RawTable(n_rows=len(cells), n_cols=1, cells=cells, kind="grid", bordered=True, bbox=(0, 0, 1, 1))


def test_garbled_number_in_numeric_column_takes_a_reread_that_parses() -> None:
    gray, cells = _page(["120", "345", "4s8a", "77", "1200 an"])
    reader = _Reader({2: "458", 4: "1200"})
    assert reread_numbers(_table(cells), gray, 20.0, reader) == 2
    assert sorted(reader.calls) == [2, 4]  # the clean numbers are not read again
    assert cells[2].reread == ("458", 0.8) and cells[4].reread == ("1200", 0.8)
    assert cells[0].reread is None


def test_reread_that_is_no_number_is_dropped() -> None:
    gray, cells = _page(["120", "345", "4s8a", "77"])
    assert reread_numbers(_table(cells), gray, 20.0, _Reader({2: "Asa"})) == 0
    assert cells[2].reread is None


def test_wordy_columns_are_left_alone() -> None:
    gray, cells = _page(["North", "South", "4s8a", "East"])
    reader = _Reader({2: "458"})
    assert reread_numbers(_table(cells), gray, 20.0, reader) == 0
    assert reader.calls == []


def test_a_minus_stroke_the_page_pass_dropped_is_restored() -> None:
    gray, cells = _page(["120", "-345", "358", "77", "458"], dash_rows=frozenset({2, 4}))
    reread_numbers(_table(cells), gray, 20.0, _Reader({}))
    assert cells[2].reread is not None and cells[2].reread[0] == "-358"
    assert cells[4].reread is not None and cells[4].reread[0] == "-458"  # a stroke apart from the 4
    assert all(c.reread is None for i, c in enumerate(cells) if i not in (2, 4))  # digits alone gain no sign


def test_the_detached_base_of_an_old_style_two_is_no_minus() -> None:
    # old-style "2" (x-height, EB Garamond) on a blurred screen photo: its faint diagonal leaves the base bar
    # a level stroke of its own at mid word height, but the hook stands over it; a real minus stands apart
    gray, cells = _page(["120", "5413", "358", "5413"], dash_rows=frozenset({3}))
    word = cells[1].words[0]
    x, top = word.bbox[0], word.bbox[1]
    gray[top : top + 24, x - 20 : x] = 255
    gray[top + 9 : top + 12, x - 16 : x - 4] = 0  # the base bar
    gray[top + 1 : top + 6, x - 11 : x - 4] = 0  # the hook, above the bar's right part
    cells[1].words[0] = Word("25413", 0.9, (x - 16, *word.bbox[1:]), word.line_id)
    reread_numbers(_table(cells), gray, 20.0, _Reader({}))
    assert cells[1].reread is None
    assert cells[3].reread is not None and cells[3].reread[0] == "-5413"


def _drawn_column(specs: list[tuple[str, int | None, bool, int]]) -> tuple[np.ndarray, list[RawCell]]:
    """One column of numbers in PIL's default font. Per row (text, minus, box_covers_minus, gap): ``minus``
    is the grey of a minus drawn ``gap`` px before the digits (None: no minus). The fake page pass reports
    only ``text``; its word box starts at the digits or, with ``box_covers_minus``, at the minus."""
    font = ImageFont.load_default(size=20)
    img = Image.new("L", (COL_W + 20, ROW_H * len(specs) + 20), 255)
    draw = ImageDraw.Draw(img)
    cells = []
    for r, (text, minus, box_covers_minus, gap) in enumerate(specs):
        top = 10 + r * ROW_H
        x0, y0, x1, y1 = draw.textbbox((70, top + 10), text, font=font)
        draw.text((70, top + 10), text, fill=0, font=font)
        word_x0 = x0
        if minus is not None:
            mid = (y0 + y1) // 2
            draw.rectangle((x0 - gap - 6, mid - 1, x0 - gap - 1, mid), fill=minus)
            word_x0 = x0 - gap - 6 if box_covers_minus else x0
        word = Word(text, 0.9, (word_x0, y0, x1, y1), (0, 0, r))
        cells.append(RawCell(row=r, col=0, bbox=(10, top, 10 + COL_W, top + ROW_H), words=[word]))
    return np.asarray(img).copy(), cells


def test_a_pale_minus_left_of_the_word_box_is_restored_without_other_negatives() -> None:
    # a scanned minus is grey (150 here, digits black); no cell of the column was read with a sign
    gray, cells = _drawn_column([("120", None, False, 3), ("358", 150, False, 3), ("77", None, False, 3)])
    reread_numbers(_table(cells), gray, 20.0, _Reader({}))
    assert cells[1].reread is not None and cells[1].reread[0] == "-358"
    assert cells[0].reread is None and cells[2].reread is None


def test_a_minus_touching_the_first_digit_inside_the_word_box_is_restored() -> None:
    gray, cells = _drawn_column([("120", None, False, 3), ("358", 0, True, 0), ("77", None, False, 3)])
    reread_numbers(_table(cells), gray, 20.0, _Reader({}))
    assert cells[1].reread is not None and cells[1].reread[0] == "-358"


def test_plain_digits_and_a_leading_four_gain_no_sign() -> None:
    texts = ["120", "4096", "0.58", "8", "£97", "1,234", "3", "600", "9.5%", "25"]
    gray, cells = _drawn_column([(t, None, True, 3) for t in texts])
    reread_numbers(_table(cells), gray, 20.0, _Reader({}))
    assert all(c.reread is None for c in cells)


def test_a_dot_before_the_digits_is_no_minus() -> None:
    gray, cells = _drawn_column([("120", None, False, 3), ("358", None, False, 3), ("77", None, False, 3)])
    word = cells[1].words[0]
    mid = (word.bbox[1] + word.bbox[3]) // 2
    gray[mid - 1 : mid + 2, word.bbox[0] - 7 : word.bbox[0] - 4] = 0  # a 3x3 speck at mid height
    reread_numbers(_table(cells), gray, 20.0, _Reader({}))
    assert cells[1].reread is None


def test_a_failed_reread_gets_a_second_look_at_twice_the_size() -> None:
    gray, cells = _page(["120", "345", "4s8a", "77"])
    seen: list[tuple[int, int]] = []

    def reader(img: np.ndarray, bbox: tuple[int, int, int, int], *, single_line: bool) -> tuple[str, float]:
        seen.append(img.shape[:2])
        return ("458", 0.7) if img.shape[0] == 2 * ROW_H else ("4s8a", 0.3)

    assert reread_numbers(_table(cells), gray, 20.0, reader) == 1
    assert cells[2].reread == ("458", 0.7)
    assert seen == [gray.shape[:2], (2 * ROW_H, 2 * COL_W)]


def _printed_column(shown: list[str], read: list[str]) -> tuple[np.ndarray, list[RawCell]]:
    """A column printing ``shown`` in PIL's default font while the (fake) page pass reports ``read``, with
    the word box around the printed text."""
    font = ImageFont.load_default(size=20)
    img = Image.new("L", (COL_W + 20, ROW_H * len(shown) + 20), 255)
    draw = ImageDraw.Draw(img)
    cells = []
    for r, (printed, text) in enumerate(zip(shown, read, strict=True)):
        top = 10 + r * ROW_H
        draw.text((70, top + 10), printed, fill=0, font=font)
        word = Word(text, 0.9, draw.textbbox((70, top + 10), printed, font=font), (0, 0, r))
        cells.append(RawCell(row=r, col=0, bbox=(10, top, 10 + COL_W, top + ROW_H), words=[word]))
    return np.asarray(img).copy(), cells


def test_a_decimal_point_the_page_pass_skipped_is_put_back() -> None:
    shown = ["72.9", "4.25", "16.0", "(77.5)", "33"]
    gray, cells = _printed_column(shown, ["729", "425", "16.0", "(775)", "33"])
    reread_numbers(_table(cells), gray, 20.0, _Reader({}))
    assert [c.reread[0] if c.reread else None for c in cells] == ["72.9", "4.25", None, "(77.5)", None]


def test_a_thousands_comma_or_a_speck_above_the_baseline_is_no_point() -> None:
    gray, cells = _printed_column(["1,200", "45", "120"], ["1200", "45", "120"])
    word = cells[1].words[0]
    x_mid, y_mid = (word.bbox[0] + word.bbox[2]) // 2, (word.bbox[1] + word.bbox[3]) // 2
    gray[y_mid - 1 : y_mid + 1, x_mid - 1 : x_mid + 1] = 0  # a speck between the digits at mid height
    reread_numbers(_table(cells), gray, 20.0, _Reader({}))
    assert all(c.reread is None for c in cells)


def _doubtful_column(conf: float) -> tuple[np.ndarray, list[RawCell]]:
    gray, cells = _page(["120", "345", "38", "77"])
    word = cells[2].words[0]
    cells[2].words = [Word(word.text, conf, word.bbox, word.line_id)]
    return gray, cells


def _by_scale(answers: dict[int, str], seen: list[int]) -> Callable[..., tuple[str, float]]:
    """A reader answering by how many times the cell was enlarged (the cell is ROW_H tall)."""

    def read(img: np.ndarray, bbox: tuple[int, int, int, int], *, single_line: bool) -> tuple[str, float]:
        scale = (bbox[3] - bbox[1]) // ROW_H
        seen.append(scale)
        return answers.get(scale, "38"), 0.7

    return read


def test_a_doubtful_number_is_outvoted_by_two_enlarged_rereads() -> None:
    gray, cells = _doubtful_column(0.6)
    seen: list[int] = []
    assert reread_numbers(_table(cells), gray, 20.0, _by_scale({2: "30", 3: "30"}, seen)) == 1
    assert cells[2].reread == ("30", 0.7)
    assert seen == [2, 3]  # the other cells were read confidently: no re-read
    assert all(c.reread is None for i, c in enumerate(cells) if i != 2)


def test_a_doubtful_number_keeps_its_reading_without_two_agreeing_rereads() -> None:
    for answers, calls in (
        ({2: "38"}, [2]),
        ({2: "30", 3: "36"}, [2, 3, 1]),
        ({2: "-30", 3: "-30"}, [2, 3, 1]),
    ):
        gray, cells = _doubtful_column(0.6)
        seen: list[int] = []
        assert reread_numbers(_table(cells), gray, 20.0, _by_scale(answers, seen)) == 0
        assert cells[2].reread is None and seen == calls  # a re-read may not add a sign


def test_a_confident_number_is_not_read_again() -> None:
    gray, cells = _doubtful_column(0.9)
    seen: list[int] = []
    assert reread_numbers(_table(cells), gray, 20.0, _by_scale({2: "30", 3: "30"}, seen)) == 0
    assert seen == []


def test_a_word_box_too_wide_for_its_text_is_read_again_and_may_gain_digits() -> None:
    gray, cells = _page(["120", "345", "601", "77"])
    word = cells[2].words[0]  # the page pass boxed three digits but read only "1", confidently
    cells[2].words = [Word("1", 0.9, word.bbox, word.line_id)]
    seen: list[int] = []
    assert reread_numbers(_table(cells), gray, 20.0, _by_scale({2: "601", 3: "601"}, seen)) == 1
    assert cells[2].reread == ("601", 0.7)


def test_digits_left_of_the_word_box_are_added_when_two_rereads_agree() -> None:
    gray, cells = _page(["120", "345", "50", "77"])
    word = cells[2].words[0]  # the page pass boxed and read the 0 alone; the 5 is ink left of the word
    cells[2].words = [Word("0", 0.9, (word.bbox[0] + 16, *word.bbox[1:]), word.line_id)]
    seen: list[int] = []
    assert reread_numbers(_table(cells), gray, 20.0, _by_scale({1: "0", 2: "50", 3: "50"}, seen)) == 1
    assert cells[2].reread == ("50", 0.7) and seen == [1, 2, 3]
    gray, cells = _page(["120", "345", "50", "77"])
    cells[2].words = [Word("0", 0.9, (word.bbox[0] + 16, *word.bbox[1:]), word.line_id)]
    assert reread_numbers(_table(cells), gray, 20.0, _by_scale({1: "0", 2: "50", 3: "80"}, [])) == 0


def test_lone_letters_amid_small_counts_are_read_again() -> None:
    # a column of small counts whose "0"s the page pass read as single letters: not numeric by majority, yet
    # its lone glyphs get a re-read, kept only when it is a number
    gray, cells = _page(["21", "3", "a", "a", "a", "1", "a", "?"])
    reader = _Reader({2: "0", 3: "0", 4: "Q", 6: "0", 7: "7"})
    assert reread_numbers(_table(cells), gray, 20.0, reader) > 0
    assert [c.reread[0] if c.reread else None for c in cells] == [None, None, "0", "0", None, None, "0", "7"]


def test_a_column_of_words_and_letters_is_not_read_for_digits() -> None:
    gray, cells = _page(["Y", "N", "N", "Y", "12", "x"])
    reader = _Reader({0: "4", 1: "7"})
    assert reread_numbers(_table(cells), gray, 20.0, reader) == 0
    assert reader.calls == []


def test_a_garbled_number_gets_a_third_look_at_three_times_the_size() -> None:
    gray, cells = _page(["120", "345", "a8", "77"])
    seen: list[int] = []
    reader = _by_scale({1: "a8", 2: "ag", 3: "0.8"}, seen)
    assert reread_numbers(_table(cells), gray, 20.0, reader) == 1
    assert cells[2].reread == ("0.8", 0.7)
    assert seen == [1, 2, 3]


def test_a_four_times_enlarged_reread_breaks_a_tie() -> None:
    gray, cells = _doubtful_column(0.6)
    seen: list[int] = []
    reader = _by_scale({2: "30", 3: "35", 1: "36", 4: "30"}, seen)
    assert reread_numbers(_table(cells), gray, 20.0, reader) == 1
    assert cells[2].reread == ("30", 0.7) and seen == [2, 3, 1, 4]


def test_a_seven_read_as_a_question_mark_is_a_seven_but_a_printed_question_mark_stays() -> None:
    gray, cells = _printed_column(["12", "7", "?", "30", "4"], ["12", "?", "?", "30", "4"])
    reread_numbers(_table(cells), gray, 20.0, _Reader({}))
    assert cells[1].reread is not None and cells[1].reread[0] == "7"
    assert cells[2].reread is None  # its dot stands apart from the hook


def test_a_number_read_at_088_confidence_is_still_doubtful() -> None:
    gray, cells = _doubtful_column(0.88)
    seen: list[int] = []
    assert reread_numbers(_table(cells), gray, 20.0, _by_scale({2: "30", 3: "30"}, seen)) == 1
    assert cells[2].reread == ("30", 0.7)


def test_a_cell_box_outside_the_page_is_read_as_nothing_instead_of_crashing() -> None:
    """A box past the page edge (seen on a photo's border) once reached cv2.resize with an empty crop."""
    from img2xlsx.reread.numbers import _read_scaled

    Box = tuple[int, int, int, int]
    calls: list[Box] = []

    def read(gray: np.ndarray, bbox: Box, single_line: bool = False) -> tuple[str, float]:
        calls.append(bbox)
        return "42", 0.9

    page = np.full((50, 80), 255, np.uint8)
    for scale in (1, 2, 3):
        assert _read_scaled(read, page, (90, 10, 120, 30), scale) == ("", 0.0)
        assert _read_scaled(read, page, (10, 49, 40, 70), scale) == ("", 0.0)
    assert calls == []
    assert _read_scaled(read, page, (-5, 10, 40, 30), 2) == ("42", 0.9)
    assert _read_scaled(read, page, (-5, 10, 40, 30), 1) == ("42", 0.9) and calls[-1] == (0, 10, 40, 30)


def test_an_empty_cell_holding_only_a_neighbours_overhanging_word_is_not_read_again() -> None:
    """A spanning label cut at a column edge reaches into the empty cell beside it: reading that cell alone
    would copy the label's first letters into it ("Perc"). Ink no word covers is still read."""
    gray = np.full((60, 400), 255, np.uint8)
    gray[20:40, 150:330] = 0  # the label's ink, from the empty first cell into the second
    label = Word("Percentage", 0.9, (150, 20, 330, 40), (0,))
    cells = [
        RawCell(0, 0, 1, 1, (0, 0, 200, 60), words=[]),
        RawCell(0, 1, 1, 1, (200, 0, 400, 60), words=[label]),
    ]
    raw = RawTable(1, 2, cells, "plain", False, (0, 0, 400, 60))
    read: list[tuple[int, int, int, int]] = []

    def read_region(g: np.ndarray, bbox: tuple[int, int, int, int], single_line: bool) -> tuple[str, float]:
        read.append(bbox)
        return "Perc", 0.95

    def map_reads(fn: Callable[..., tuple[str, float]], items: list[RawCell]) -> list[tuple[str, float]]:
        return [fn(x) for x in items]

    reread_cells(raw, gray, 20.0, read_region, map_reads)
    assert read == [] and cells[0].reread is None
    gray[20:40, 40:100] = 0  # a word the page pass missed
    reread_cells(raw, gray, 20.0, read_region, map_reads)
    assert read == [(0, 0, 200, 60)] and cells[0].reread == ("Perc", 0.95)
