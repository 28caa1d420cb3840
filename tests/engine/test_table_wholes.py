"""One table stays one table: a stamp's tall lettering does not glue its rows together, pieces of stripes a
fold broke up do not cut the text between them, a long cell wrapped in the last column keeps one block, a
row whose label was taken for a short rule keeps the ruled table whole; a stamp's frame over a paragraph is
no table, nor a word or two in one column under a shadow's stripes."""

from __future__ import annotations

import numpy as np
from img2xlsx.ocr import Word
from img2xlsx.tables.assemble import is_table
from img2xlsx.tables.lines import Band, HLine, Rulings, VLine
from img2xlsx.tables.region import Region
from img2xlsx.tables.segment import find_regions
from img2xlsx.tables.skeleton import RawCell, RawTable
from img2xlsx.tables.textlines import build_lines

H = 20.0  # text height of the hand-made word boxes
GAP = 15.0  # phrase gap


def _word(text: str, x: int, y: int, h: int = 20) -> Word:
    return Word(text, 0.9, (x, y, x + 14 * len(text), y + h), (0,))


def _rulings(hlines: list[HLine] | None = None, vlines: list[VLine] | None = None) -> Rulings:
    return Rulings(hlines or [], vlines or [], np.zeros((1600, 1600), np.uint8))


def test_a_stamps_tall_word_does_not_join_the_rows_it_covers() -> None:
    rows = [[_word(f"Item{r}", 500, 100 + 34 * r), _word(f"{r}5.00", 700, 100 + 34 * r)] for r in range(4)]
    stamp = Word("PAID", 0.8, (100, 90, 360, 230), (0,))  # seven text heights tall, set at an angle
    lines = build_lines([w for row in rows for w in row] + [stamp], GAP)
    assert sorted(len(ln.words) for ln in lines) == [1, 2, 2, 2, 2]


def test_pieces_of_stripes_with_columns_of_text_between_them_keep_one_table() -> None:
    xs = [60, 200, 340, 480, 620, 760, 900]
    words = [_word(f"Head{k}", x, 100) for k, x in enumerate(xs)]
    for r in range(8):
        y = 150 + 40 * r
        words += [_word(f"Name{r}", xs[0], y)] + [_word(f"{r}{k}.5", x, y) for k, x in enumerate(xs[1:])]
    # the stripes of rows 2 and 4, a fold's shadow leaving two pieces of each: over columns 2-3 and 5-7
    bands = [Band(190, y - 8, 410, y + 28, 235.0) for y in (230, 310)]
    bands += [Band(610, y - 8, 980, y + 28, 235.0) for y in (230, 310)]
    regions = find_regions(words, _rulings(), bands, H, GAP)
    assert len(regions) == 1
    assert len(regions[0].words) == len(words)


def test_a_long_note_wrapped_in_the_last_column_keeps_one_table() -> None:
    xs = [60, 240, 420, 600]

    def row(y: int, r: int, notes: list[tuple[str, int]]) -> list[Word]:
        cells = [_word(f"AB-{r}0", xs[0], y), _word(f"Item{r}", xs[1], y), _word(f"{r}5", xs[2], y)]
        return cells + [_word(f"{r}1.50", xs[3], y)] + [_word(t, x, y) for t, x in notes]

    words = [
        _word(t, x, 100)
        for t, x in zip(["Code", "Item", "Qty", "Amount", "Remarks"], [*xs, 800], strict=True)
    ]
    for r in range(3):
        words += row(140 + 30 * r, r, [("Fine", 800)])
    # a long note over two lines in the remarks column, set close word by word (one phrase each line)
    words += [
        _word(t, x, 230)
        for t, x in zip(["Partly", "sent", "the", "rest"], [800, 890, 952, 1000], strict=True)
    ]
    words += [_word(t, x, 254) for t, x in zip(["next", "month"], [800, 862], strict=True)]
    for r in range(3, 7):  # rows below, their remarks in two phrases: a gap inside the remarks column
        words += row(280 + 30 * (r - 3), r, [("Paid", 800), ("ok", 1000)])
    regions = find_regions(words, _rulings(), [], H, GAP)
    assert len(regions) == 1


def test_a_stamps_frame_over_a_paragraph_is_no_table() -> None:
    words: list[Word] = []
    for r in range(4):  # a paragraph of words set a space apart
        words += [_word("word", 100 + 64 * k, 100 + 32 * r) for k in range(14)]
    # a stamp's frame drawn over the middle of the two middle lines
    hl = [HLine(420, 700, 125, 3), HLine(420, 700, 195, 3)]
    vl = [VLine(125, 195, 420, 3), VLine(125, 195, 560, 3), VLine(125, 195, 700, 3)]
    regions = find_regions(words, _rulings(hl, vl), [], H, GAP)
    assert not any(r.kind == "grid" for r in regions)


def test_a_section_label_taken_for_a_short_rule_keeps_the_ruled_table_whole() -> None:
    xs = [110, 310, 510]
    words = [_word(t, x, 115) for t, x in zip(["Area", "Total", "Share"], xs, strict=True)]
    rules = [HLine(100, 700, 100, 3), HLine(100, 700, 150, 3)]
    # the row between 150 and 200 holds a section label in bold italics, found as a short rule and painted
    # out before reading: no word between those two rules
    rules.append(HLine(110, 190, 175, 6))
    for r in range(6):
        y = 200 + 50 * r
        words += [
            _word(f"Town{r}", xs[0], y + 15),
            _word(f"{r}9.25", xs[1], y + 15),
            _word(f"{r}1%", xs[2], y + 15),
        ]
        rules.append(HLine(100, 700, y, 3))
    rules.append(HLine(100, 700, 500, 3))
    regions = find_regions(words, _rulings(rules), [], H, GAP)
    assert len(regions) == 1
    assert len(regions[0].words) == len(words)


def test_a_word_or_two_in_one_column_under_stripes_is_no_table() -> None:
    cells = [
        RawCell(0, 0, words=[_word("N.B.", 500, 120)]),
        RawCell(1, 0, words=[_word("review.", 520, 220)]),
    ]
    stripes = [Band(480, 100, 800, 150, 230.0), Band(480, 200, 800, 250, 230.0)]
    raw = RawTable(2, 1, cells, "zebra", False, (480, 100, 800, 250))
    assert not is_table(raw, Region("zebra", 480, 100, 800, 250, bands=stripes))
