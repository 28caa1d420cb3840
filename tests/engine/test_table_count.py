"""One table stays one table and two stay two: column rules broken at a section label keep one table, rules
that stop and start again at other columns around a note part two; a screen's moire blotches make no
striped tables; a note beside a row is no column; one column of text with nothing drawn is no table."""

from __future__ import annotations

import numpy as np
from img2xlsx.ocr import Word
from img2xlsx.tables.assemble import is_table
from img2xlsx.tables.borderless import borderless_structure
from img2xlsx.tables.cues import band_regions
from img2xlsx.tables.lines import Band, HLine, Rulings, VLine
from img2xlsx.tables.region import Region
from img2xlsx.tables.segment import find_regions
from img2xlsx.tables.skeleton import RawCell, RawTable, words_text
from img2xlsx.tables.textlines import WordLike

H = 20.0  # text height of the hand-made word boxes
GAP = 15.0  # phrase gap


def _word(text: str, x: int, y: int, conf: float = 0.9) -> Word:
    return Word(text, conf, (x, y, x + 14 * len(text), y + 20), (0,))


def _rulings(hlines: list[HLine], vlines: list[VLine]) -> Rulings:
    return Rulings(hlines, vlines, np.zeros((1600, 1200), np.uint8))


def _rows(top: int, n: int, xs: list[int], pitch: int = 36) -> list[Word]:
    """A header and ``n`` rows of cells starting at the abscissas ``xs``, the first a row label."""
    words = [_word(f"Head{k}", x, top) for k, x in enumerate(xs)]
    for r in range(n):
        y = top + pitch * (r + 1)
        words += [_word(f"Label{r}", xs[0], y)] + [_word(f"{r}{k}.25", x, y) for k, x in enumerate(xs[1:])]
    return words


def test_rules_stopping_around_a_note_and_starting_at_other_columns_part_two_tables() -> None:
    """Two tables stacked close (a one-line note between them), set on other columns: the text reads as one
    block (the note crosses no column gap of both), the rules say where the first table ends."""
    first = _rows(100, 6, [100, 300, 450, 600, 750])  # rows at 100..316
    rules = [VLine(95, 345, x, 2) for x in (280, 580)]  # between column groups; they end under the last row
    note = [_word("Totals", 100, 362), _word("may", 200, 362), _word("not", 260, 362), _word("add", 320, 362)]
    second = _rows(410, 6, [100, 300, 450, 600])  # a narrower table
    rules += [VLine(400, 650, x, 2) for x in (280, 430)]  # its rules start over its header, at other places
    regions = find_regions(first + note + second, _rulings([], rules), [], H, GAP)
    assert len(regions) == 2
    assert regions[0].y1 < 400 <= regions[1].y0


def test_rule_pieces_ending_here_and_there_cut_no_table() -> None:
    """A bent page's broken box rules end at all heights: no break of every rule at once, no cut."""
    first = _rows(100, 6, [100, 300, 450, 600, 750])
    rules = [VLine(95, y1, x, 2) for x, y1 in ((280, 345), (580, 250), (730, 200))]
    note = [_word("Totals", 100, 362), _word("may", 200, 362), _word("not", 260, 362), _word("add", 320, 362)]
    second = _rows(410, 6, [100, 300, 450, 600])
    rules += [VLine(400, 650, x, 2) for x in (280, 430)]
    assert len(find_regions(first + note + second, _rulings([], rules), [], H, GAP)) == 1


def test_rules_starting_again_at_the_same_columns_after_a_section_label_keep_one_table() -> None:
    """The column rules stop at each section label and start again at the same places; the last section is
    closed by a total row's rules (a grid of its own): one table all the same."""
    xs = [100, 300, 450, 600, 750]
    words = _rows(100, 5, xs)  # header and the first section, rows at 100..280
    words.append(_word("Investing", 100, 322))  # the section label, alone on its line
    for r in range(2):
        y = 360 + 36 * r
        words += [_word(f"Cost{r}", 100, y)] + [_word(f"{r}{k}.75", x, y) for k, x in enumerate(xs[1:])]
    words += [_word("Sum", 100, 432)] + [_word(f"{k}9.00", x, 432) for k, x in enumerate(xs[1:4])]
    places = (280, 430, 580)
    rules = [VLine(95, 310, x, 2) for x in places] + [VLine(350, 462, x, 2) for x in places]
    totals = [HLine(90, 720, 425, 2), HLine(90, 720, 462, 2)]  # the total row's rules cross the rules below
    regions = find_regions(words, _rulings(totals, rules), [], H, GAP)
    assert len(regions) == 1
    assert {"Head0", "Label4", "Investing", "Cost1", "Sum"} <= {w.text for w in regions[0].words}


def test_moire_blotches_make_no_striped_table() -> None:
    """A photographed screen's moire: blotches a few text heights tall and about as wide, stacked."""
    blotches = [Band(300, y, 440, y + 90, 246.0) for y in (100, 260, 420)]
    assert band_regions(blotches, H) == []
    stripes = [Band(100, y, 700, y + 32, 236.0) for y in (100, 164, 228)]  # a zebra table's stripes
    assert [r.kind for r in band_regions(stripes, H)] == ["zebra"]


def test_a_note_beside_one_row_is_no_column() -> None:
    xs = [120, 320, 440, 580]
    words = _rows(40, 6, xs, pitch=40)
    words.append(_word("DONE", 760, 160, conf=0.7))  # handwritten in the right margin, beside one row
    region_words: list[WordLike] = list(words)
    raw = borderless_structure(Region("plain", 0, 30, 840, 330, words=region_words), H, GAP)
    assert raw is not None
    assert raw.n_cols == len(xs)
    assert "DONE" not in {words_text(c.words, H) for c in raw.cells}


def test_one_column_of_text_with_nothing_drawn_is_no_table() -> None:
    cells = [RawCell(r, 0, words=[_word(f"line {r} of a paragraph", 100, 40 * r)]) for r in range(3)]
    raw = RawTable(3, 1, cells, "plain", False, (100, 0, 500, 120))
    assert not is_table(raw, Region("plain", 100, 0, 500, 120))
