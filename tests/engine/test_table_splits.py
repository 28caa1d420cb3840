"""One table is one region: its header band, heavy or partial rules, shading, strikes and notes beside it
neither split it nor make tables of their own; a note and a title between two ruled tables still part them."""

from __future__ import annotations

import numpy as np
from img2xlsx.ocr import Word
from img2xlsx.tables.cues import band_regions
from img2xlsx.tables.joins import header_rows_joined
from img2xlsx.tables.lines import Band, HLine, Rulings, VLine, frame_dark_bands
from img2xlsx.tables.region import Region
from img2xlsx.tables.rulestacks import rule_regions
from img2xlsx.tables.segment import find_regions
from img2xlsx.tables.textlines import build_lines

H = 20.0  # text height of the hand-made word boxes
GAP = 15.0  # phrase gap


def _word(text: str, x: int, y: int, w: int | None = None, h: int = 20) -> Word:
    return Word(text, 0.9, (x, y, x + (w or 14 * len(text)), y + h), (0,))


def _rulings(hlines: list[HLine] | None = None, vlines: list[VLine] | None = None) -> Rulings:
    return Rulings(hlines or [], vlines or [], np.zeros((1200, 1200), np.uint8))


def _row(y: int, texts: list[str], xs: list[int]) -> list[Word]:
    return [_word(t, x, y) for t, x in zip(texts, xs, strict=True)]


COLS = [110, 310, 510]


def _ruled_body(top: int, n: int, pitch: int = 50, skip: int | None = None) -> tuple[list[Word], list[HLine]]:
    """``n`` rows of three cells under a rule each (x 100..700), the row ``skip`` left empty."""
    words: list[Word] = []
    for r in range(n):
        if r != skip:
            words += _row(top + pitch * r + 15, [f"Item{r}", f"{r}0.5", f"{r}1.25"], COLS)
    rules = [HLine(100, 700, top + pitch * r, 2) for r in range(n + 1)]
    return words, rules


def test_shading_inside_a_text_table_is_no_table_of_its_own() -> None:
    words: list[Word] = []
    for r in range(8):
        words += _row(100 + 40 * r, [f"Name{r}", f"City{r}", f"{r}5.00"], COLS)
    # two stripes of a photo's shadow over the right part of three rows
    bands = [Band(480, 175, 620, 205, 228.0), Band(480, 255, 620, 285, 228.0)]
    regions = find_regions(words, _rulings(), bands, H, GAP)
    assert len(regions) == 1
    assert len(regions[0].words) == len(words)


def test_a_dark_header_band_in_pieces_frames_its_grid() -> None:
    top = HLine(100, 700, 200, 2)  # the grid's top rule, the header band standing a little above it
    vlines = [VLine(200, 400, x, 2) for x in (100, 300, 500, 700)]
    # boxed header cells: two dark pieces and a mid-grey one holding the light gaps between boxes
    bands = [Band(100, 150, 290, 190, 60.0), Band(290, 145, 510, 193, 180.0), Band(510, 150, 700, 190, 60.0)]
    framed = frame_dark_bands(_rulings([top, HLine(100, 700, 400, 2)], vlines), bands, H)
    assert any(abs(s.y - 145) <= 2 and s.length >= 590 for s in framed.hlines)
    assert all(v.y0 == 145 for v in framed.vlines)


def test_a_grid_top_rule_hidden_under_a_dark_header_is_restored() -> None:
    vlines = [VLine(192, 400, x, 2) for x in (100, 300, 500, 700)]  # column rules start under the band
    bands = [Band(100, 100, 700, 140, 42.0), Band(100, 148, 700, 188, 42.0)]  # a header two rows tall
    rulings = _rulings([HLine(100, 700, 300, 2), HLine(100, 700, 400, 2)], vlines)
    framed = frame_dark_bands(rulings, bands, H)
    ys = sorted(s.y for s in framed.hlines)
    assert ys[0] == 100  # framed up to the top of both header rows
    assert any(abs(y - 192) <= 2 for y in ys)  # and the hidden top rule is back
    assert all(v.y0 == 100 for v in framed.vlines)


def test_a_wrapped_cell_of_the_table_beside_does_not_cut_a_rule_stack() -> None:
    words, rules = _ruled_body(100, 4)
    words = [_word(w.text, w.bbox[0] + 500, w.bbox[1]) for w in words]  # the ruled table at x 600..1200
    rules = [HLine(600, 1200, s.y, 2) for s in rules]
    # the table on the left has a cell wrapped over two lines, set between the right table's rows
    words.append(_word("Invoice payment", 20, 158, h=70))  # read as one box two lines tall
    lines = build_lines(words, GAP)
    found = rule_regions(rules, lines, H)
    assert len(found) == 1 and len(found[0].hlines) == 5


def test_an_empty_row_keeps_a_ruled_table_whole() -> None:
    words, rules = _ruled_body(100, 8, pitch=70, skip=4)  # row 4 empty (its label struck and erased)
    found = rule_regions(rules, build_lines(words, GAP), H)
    assert len(found) == 1 and len(found[0].hlines) == 9


def test_a_header_right_above_a_closed_ruled_table_joins_it() -> None:
    words, rules = _ruled_body(200, 5)
    header = _row(172, ["Item", "Price", "Total"], COLS)  # its band's edges unseen: no rule above it
    title = [_word("Figures for the previous year have been restated", 100, 120)]
    regions = find_regions(words + header + title, _rulings(rules), [], H, GAP)
    assert len(regions) == 1
    texts = {w.text for w in regions[0].words}
    assert {
        "Item",
        "Price",
        "Total",
    } <= texts and "Figures for the previous year have been restated" not in texts


def test_the_rules_of_a_total_row_keep_a_striped_table() -> None:
    words: list[Word] = []
    for r in range(8):
        words += _row(110 + 50 * r, [f"Region{r}", f"{r}1,107", f"{r}2,188"], COLS)
    bands = [Band(100, 100 + 50 * r, 700, 145 + 50 * r, 232.0) for r in (1, 3, 5, 7)]
    rules = [HLine(100, 700, 450, 2), HLine(100, 700, 497, 2)]  # above and below the total row
    regions = find_regions(words, _rulings(rules), bands, H, GAP)
    assert len(regions) == 1
    assert regions[0].kind == "zebra" and len(regions[0].words) == len(words)


def test_a_header_row_over_a_grid_joins_it() -> None:
    hlines = [HLine(100, 700, y, 2) for y in (200, 250, 300, 350)]
    vlines = [VLine(200, 350, x, 2) for x in (100, 300, 500, 700)]
    words: list[Word] = []
    for r in range(3):
        words += _row(215 + 50 * r, [f"Name{r}", f"City{r}", f"{r}5.00"], COLS)
    header = _row(168, ["Name", "City", "Amount"], COLS)  # in a band too light to be seen
    title = [_word("Staff list", 100, 120)]
    regions = find_regions(words + header + title, _rulings(hlines, vlines), [], H, GAP)
    assert len(regions) == 1 and regions[0].kind == "grid"
    texts = {w.text for w in regions[0].words}
    assert {"Name", "City", "Amount"} <= texts and "Staff list" not in texts
    assert min(v.y0 for v in regions[0].vlines) < 168  # the column rules reach up over the header


def test_strikes_through_a_column_of_names_are_no_table() -> None:
    words: list[Word] = []
    for r in range(6):
        words += [_word(f"Person{r}", 100, 100 + 50 * r), _word(f"Dept{r}", 400, 100 + 50 * r)]
    strikes = [HLine(95, 240, 110 + 50 * r, 2) for r in (1, 3)]  # names struck out, in ink
    found = rule_regions(strikes, build_lines(words, GAP), H)
    assert found == []


def test_a_dark_header_split_along_its_text_is_no_zebra_table() -> None:
    halves = [Band(100, 100, 700, 120, 90.0), Band(100, 121, 700, 142, 90.0)]
    found = band_regions(halves, H)
    assert len(found) == 1 and found[0].seed and len(found[0].bands) == 1


def test_a_note_beside_a_row_does_not_keep_the_body_off_its_header_band() -> None:
    words = _row(110, ["Staff", "Post", "Pay"], COLS) + _row(158, ["No.", "Name", "Salary"], COLS)
    for r in range(8):
        words += _row(210 + 40 * r, [f"{r}", f"Person{r}", f"{r}1206"], COLS)
    words.append(_word("call back", 760, 250))  # handwritten beside the second row
    bands = [Band(100, 100, 700, 140, 90.0), Band(100, 148, 700, 188, 90.0)]  # a header two rows tall
    regions = find_regions(words, _rulings(), bands, H, GAP)
    assert len(regions) == 1
    assert {"No.", "Name", "Salary", "Person7"} <= {w.text for w in regions[0].words}


def test_a_wide_spaced_note_and_a_title_part_two_ruled_tables() -> None:
    words, rules = _ruled_body(100, 5)
    # a note spaced wide (two phrases, the second across the column gaps), and the next table's title
    words += [_word("Note:", 100, 360), _word("totals may not add up due to rounding", 190, 360)]
    words += [_word("Inventory summary", 100, 400)]
    more, more_rules = _ruled_body(440, 5)
    found = rule_regions(rules + more_rules, build_lines(words + more, GAP), H)
    assert len(found) == 2


def test_a_header_band_over_a_tall_first_row_heads_the_ruled_body() -> None:
    words = _row(110, ["Code", "Supplier", "Amount"], COLS)
    # the first row wraps over three lines; the body's rules start under it
    words += _row(160, ["P/N 96890", "Stark", "92,801.45"], COLS)
    words += [_word("delivery", 510, 183), _word("remainder", 510, 206)]
    body, rules = _ruled_body(236, 4)
    bands = [Band(100, 100, 700, 140, 120.0)]
    regions = find_regions(words + body, _rulings(rules), bands, H, GAP)
    assert len(regions) == 1
    assert {"Code", "P/N 96890", "Item0"} <= {w.text for w in regions[0].words}


def test_a_receipts_head_of_form_fields_is_no_table() -> None:
    words = [_word("Narephat, Kathmandu", 130, 100)]
    words += [_word("VAT NO.", 100, 140), _word(": 610282856", 260, 140)]
    words += [_word("Date", 100, 180), _word("07/05/2024", 260, 180)]  # its colon lost in the read
    words += [_word("Miti", 100, 220), _word(":21/03/2081", 260, 220)]
    words += [_word("Bill NO:", 100, 260), _word("SI37482", 260, 260)]
    assert find_regions(words, _rulings(), [], H, GAP) == []
    table = _row(100, ["Item", "Qty", "Rate"], COLS) + _row(140, ["Soap", "1", "20"], COLS)
    table += _row(180, ["Paste", "2", "95"], COLS)
    assert len(find_regions(table, _rulings(), [], H, GAP)) == 1


def test_rules_that_leave_out_a_row_label_column_and_then_span_it_are_one_table() -> None:
    # 'Operating' spans three rows: the rules between them start right of the label column; the rules
    # between label groups run the whole width
    words: list[Word] = []
    for r in range(7):
        words += _row(115 + 50 * r, [f"Line{r}", f"{r}1.50", f"{r}2.75"], [260, 420, 580])
    words += [_word("Operating", 100, 165), _word("Financing", 100, 315)]
    rules = [HLine(250, 700, y, 2) for y in (150, 200)] + [HLine(100, 700, y, 2) for y in (250, 300, 350)]
    rules += [HLine(100, 700, y, 2) for y in (400, 450)]
    found = rule_regions(rules, build_lines(words, GAP), H)
    assert len(found) == 1 and len(found[0].hlines) == 7
    # a wider table stacked right under a narrower one, flush left: still two tables
    below = [HLine(100, 900, 490 + 50 * r, 2) for r in range(4)]
    words += [
        w for r in range(3) for w in _row(505 + 50 * r, [f"Code{r}", f"{r}7", f"{r}9"], [110, 500, 800])
    ]
    assert len(rule_regions([*rules[2:], *below], build_lines(words, GAP), H)) == 2


def _sectioned(top: int) -> tuple[list[Word], list[HLine], int]:
    """A table ruled only at its top, under its header and at its bottom, its body in two sections (a
    label, four rows, a blank taller than three text lines); returns its words, rules and bottom."""
    words = _row(top + 15, ["Dose", "Weight", "Ratio"], COLS)
    y = top + 80
    for label in ("Male", "Female"):
        words.append(_word(label, 110, y))
        for r in range(4):
            words += _row(y + 40 + 30 * r, [f"{r}00", f"{r}.5", f"{r}01"], COLS)
        y += 40 + 30 * 4 + 80  # the blank between sections: 4 text heights
    return words, [HLine(100, 700, top, 2), HLine(100, 700, top + 50, 2), HLine(100, 700, y - 60, 2)], y - 60


def test_a_blank_between_body_sections_does_not_end_a_table_ruled_at_top_header_and_bottom() -> None:
    words, rules, bottom = _sectioned(100)
    regions = find_regions(words, _rulings(rules), [], H, GAP)
    assert len(regions) == 1
    assert regions[0].y0 <= 100 and regions[0].y1 >= bottom
    assert len(regions[0].words) == len(words)


def test_a_table_ruled_at_top_and_header_is_not_joined_to_the_next_one_below() -> None:
    words, rules, bottom = _sectioned(100)
    rules = rules[:2]  # no bottom rule: the next rule is the top rule of the table below, its header rule
    nxt = _row(bottom + 15, ["Code", "Amount", "Total"], COLS)  # right under it
    nxt += _row(bottom + 80, ["A1", "10", "20"], COLS) + _row(bottom + 110, ["A2", "11", "21"], COLS)
    more = [HLine(100, 700, bottom, 2), HLine(100, 700, bottom + 50, 2), HLine(100, 700, bottom + 140, 2)]
    found = rule_regions(rules + more, build_lines(words + nxt, GAP), H)
    assert len(found) <= 2 and all(r.y1 <= bottom - 10 or r.y0 >= bottom - 2 for r in found)


def _boxed_grid(top: int, x0: int, n: int) -> tuple[list[Word], list[HLine], list[VLine]]:
    """A grid of ``n`` rows of three cells (x ``x0``..``x0 + 600``, rows 40 tall) from height ``top``."""
    words: list[Word] = []
    for r in range(n):
        words += _row(top + 40 * r + 10, [f"Item{r}", f"{r}0.5", f"{r}1.25"], [x0 + 10, x0 + 210, x0 + 410])
    hl = [HLine(x0, x0 + 600, top + 40 * r, 2) for r in range(n + 1)]
    vl = [VLine(top, top + 40 * n, x, 2) for x in (x0, x0 + 200, x0 + 400, x0 + 600)]
    return words, hl, vl


def test_a_shaded_header_row_standing_on_a_grid_heads_it() -> None:
    words, hl, vl = _boxed_grid(200, 100, 5)
    # its fill's edges are no rules, and a cell read on into the next runs across a column rule
    head = _row(162, ["Code", "Amount in EUR"], [110, 380])
    band = Band(100, 150, 700, 198, 150.0)
    regions = find_regions(words + head, _rulings(hl, vl), [band], H, GAP)
    assert len(regions) == 1
    assert regions[0].y0 <= 162 and {"Code", "Amount in EUR"} <= {w.text for w in regions[0].words}


def test_one_header_row_over_two_tables_side_by_side_is_shared_out() -> None:
    left = Region("hrules", 100, 200, 500, 400, hlines=[HLine(100, 500, 200 + 50 * r, 2) for r in range(5)])
    right = Region(
        "hrules", 600, 200, 1000, 400, hlines=[HLine(600, 1000, 200 + 50 * r, 2) for r in range(5)]
    )
    for r in range(4):
        left.words += _row(215 + 50 * r, [f"A{r}", f"{r}1", f"{r}2"], [110, 250, 400])
        right.words += _row(215 + 50 * r, [f"B{r}", f"{r}3", f"{r}4"], [610, 750, 900])
    head = Region("plain", 100, 160, 1000, 196, bands=[Band(100, 160, 1000, 196, 60.0)])
    head.words = _row(168, ["Name", "Q1", "Q2", "City", "Q3", "Q4"], [110, 250, 400, 610, 750, 900])
    out = header_rows_joined([head, left, right], H, GAP)
    assert out == [left, right]
    assert {w.text for w in left.words} >= {"Name", "Q1", "Q2"} and left.y0 < 168
    assert {w.text for w in right.words} >= {"City", "Q3", "Q4"} and right.y0 < 168


def test_a_stamp_over_one_column_above_a_table_is_no_header() -> None:
    words, hl, vl = _boxed_grid(200, 100, 5)
    body = Region("grid", 100, 200, 700, 400, hlines=hl, vlines=vl, words=words)
    stamp = Region("grid", 90, 140, 330, 190, words=[_word("APPROVED", 110, 155)])
    out = header_rows_joined([stamp, body], H, GAP)
    assert len(out) == 2 and body.y0 == 200


def test_a_page_edge_caught_as_a_short_rule_does_not_sweep_two_stacked_tables_into_one() -> None:
    # a curled page photographed: a sliver of desk above the page reads as a short rule over the title,
    # the thin row rules of both tables break into pieces on the bent paper; the full top, header and
    # bottom rules, the second table's narrower than the first's, tell the two tables apart
    def table(top: int, x1: int) -> tuple[list[Word], list[HLine]]:
        words, rules = _ruled_body(top, 5)
        full = [HLine(100, x1, r.y, 2) for r in rules]
        return words, [*full[:2], *(HLine(200, 600, r.y, 2) for r in rules[2:-1]), full[-1]]

    words, rules = table(100, 700)
    more, more_rules = table(420, 560)
    words += [_word("Population by district", 110, 55), _word("Quarterly sales report", 110, 380)]
    edge = HLine(200, 560, 40, 6)
    found = rule_regions([edge, *rules, *more_rules], build_lines(words + more, GAP), H)
    assert sorted((r.y0, r.y1) for r in found) == [(100, 350), (420, 670)]
