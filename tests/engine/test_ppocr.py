"""PP-OCR reader: words, boxes in page coordinates, line ids, cell re-reads — on text rendered in the test."""

from __future__ import annotations

import io
import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from img2xlsx.ocr import get_reader
from PIL import Image, ImageDraw, ImageFont

pytest.importorskip("onnxruntime")
ppocr = pytest.importorskip("img2xlsx.ocr.ppocr")


def render(
    items: list[tuple[int, int, str]], size: int = 24, shape: tuple[int, int] = (260, 760)
) -> np.ndarray:
    """A white page with each text drawn at (x, y) in a sans font of ``size`` px."""
    font = ImageFont.load_default(size=size)
    img = Image.new("L", (shape[1], shape[0]), 255)
    draw = ImageDraw.Draw(img)
    for x, y, text in items:
        draw.text((x, y), text, fill=0, font=font)
    return np.asarray(img)


@pytest.fixture(scope="module")
def reader() -> ppocr.PpocrReader:
    reader = get_reader("ppocr", ("eng",))
    assert isinstance(reader, ppocr.PpocrReader)
    return reader


def _ink_inside(gray: np.ndarray, bbox: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = bbox
    return bool(gray[y0:y1, x0:x1].size) and int(gray[y0:y1, x0:x1].min()) < 100


def test_page_words_have_text_and_page_boxes(reader: ppocr.PpocrReader) -> None:
    gray = render([(40, 40, "Invoice total 1,234.50"), (420, 140, "Paid 2024")])
    words = reader.read_page(gray, text_px=17)
    assert [w.text for w in words] == ["Invoice", "total", "1,234.50", "Paid", "2024"]
    by = {w.text: w for w in words}
    for w in words:
        x0, y0, x1, y1 = w.bbox
        assert 0 <= x0 < x1 <= gray.shape[1] and 0 <= y0 < y1 <= gray.shape[0]
        assert _ink_inside(gray, w.bbox)
        assert 0.5 < w.conf <= 1.0
    # page coordinates: "Paid" is where it was drawn, words of a line left to right without overlap
    assert 410 <= by["Paid"].bbox[0] <= 430 and 135 <= by["Paid"].bbox[1] <= 160
    assert by["Invoice"].bbox[2] <= by["total"].bbox[0] < by["total"].bbox[2] <= by["1,234.50"].bbox[0]
    # a word box holds its own word only: the gap between words is outside both boxes
    gap = gray[by["Invoice"].bbox[1] : by["Invoice"].bbox[3], by["Invoice"].bbox[2] : by["total"].bbox[0]]
    assert gap.size == 0 or int(gap.min()) > 100


def test_line_ids_group_words_of_one_line(reader: ppocr.PpocrReader) -> None:
    gray = render([(40, 30, "alpha beta"), (40, 120, "gamma delta")])
    by = {w.text: w for w in reader.read_page(gray, text_px=17)}
    assert by["alpha"].line_id == by["beta"].line_id
    assert by["gamma"].line_id == by["delta"].line_id
    assert by["alpha"].line_id != by["gamma"].line_id
    assert by["gamma"].bbox[1] >= by["alpha"].bbox[3]


def test_read_region_reads_one_cell(reader: ppocr.PpocrReader) -> None:
    gray = render([(40, 40, "North"), (300, 40, "12,345")])
    text, conf = reader.read_region(gray, (290, 30, 460, 80), single_line=True)
    assert text == "12,345"
    assert conf > 0.6
    text, _ = reader.read_region(gray, (30, 30, 200, 80))
    assert text == "North"


def test_read_region_joins_lines_with_newlines(reader: ppocr.PpocrReader) -> None:
    gray = render([(20, 20, "first line"), (20, 70, "second line")], shape=(120, 300))
    text, conf = reader.read_region(gray, (0, 0, 300, 120))
    assert text == "first line\nsecond line"
    assert conf > 0.6


def test_read_words_line_mode_gives_crop_coordinates(reader: ppocr.PpocrReader) -> None:
    gray = render([(40, 100, "Net 42")])
    crop = gray[90:140, 30:200]
    words = reader.read_words(crop, mode="line")
    assert [w.text for w in words] == ["Net", "42"]
    assert all(w.bbox[2] <= crop.shape[1] and w.bbox[3] <= crop.shape[0] for w in words)
    assert all(_ink_inside(crop, w.bbox) for w in words)


def test_blank_and_tiny_images_give_nothing(reader: ppocr.PpocrReader) -> None:
    blank = np.full((200, 300), 255, np.uint8)
    assert reader.read_page(blank) == []
    assert reader.read_words(blank) == []
    assert reader.read_words(blank, mode="line") == []
    assert reader.read_region(blank, (0, 0, 300, 200)) == ("", 0.0)
    assert reader.read_region(blank, (10, 10, 11, 11)) == ("", 0.0)
    assert reader.read_page(np.zeros((0, 0), np.uint8)) == []


def test_reader_is_shared_and_thread_safe(reader: ppocr.PpocrReader) -> None:
    assert get_reader("ppocr", ["eng"]) is reader
    assert reader.name == "ppocr" and reader.langs == ("eng",)
    gray = render([(40, 40, "Total 99")], shape=(120, 300))
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: [w.text for w in reader.read_page(gray, text_px=17)], range(8)))
    assert results == [["Total", "99"]] * 8


def test_english_reader_returns_no_cjk(reader: ppocr.PpocrReader) -> None:
    rng = np.random.default_rng(0)
    noise = (rng.random((120, 400)) * 255).astype(np.uint8)
    for w in reader.read_page(noise):
        assert all(ord(ch) < 0x3000 for ch in w.text)


def test_chinese_unmasks_the_whole_alphabet() -> None:
    latin = ppocr.PpocrReader(("eng",))
    chinese = ppocr.PpocrReader(("chi_sim", "eng"))
    latin.ready()
    chinese.ready()
    assert latin._allowed is not None and chinese._allowed is not None
    assert 300 < len(latin._allowed) < 400  # Latin letters, digits and signs (+ blank and space)
    assert len(chinese._allowed) > 18_000


def test_page_text_height_is_the_normalisers() -> None:
    from img2xlsx.page.normalize import TARGET_TEXT_PX

    assert ppocr.PAGE_TEXT_PX == TARGET_TEXT_PX  # read_page scales detection by it


def test_models_come_from_the_installed_wheel() -> None:
    folder = ppocr.models_dir()
    assert (folder / ppocr.DET_MODEL).is_file() and (folder / ppocr.REC_MODEL).is_file()


def test_engine_reads_an_upside_down_table_with_ppocr() -> None:
    """The word confidences sit on the scale the engine's 180° test expects: a turned page reads poorly,
    so the engine turns it and reads the same cells as upright."""
    from img2xlsx.pipeline import convert

    rows = [("Region", "Units", "Revenue"), ("North", "120", "4,310"), ("South", "85", "2,975")]
    rows += [("East", "203", "7,120"), ("West", "64", "1,880")]
    items = [(40 + 200 * c, 40 + 50 * r, text) for r, row in enumerate(rows) for c, text in enumerate(row)]
    upright = render(items, size=22, shape=(320, 680))
    texts = []
    for gray in (upright, np.ascontiguousarray(upright[::-1, ::-1])):
        buf = io.BytesIO()
        Image.fromarray(gray).save(buf, format="PNG")
        doc = convert(buf.getvalue(), ocr="ppocr")
        assert len(doc.tables) == 1
        texts.append(sorted(c.text for c in doc.tables[0].cells))
    assert texts[0] == texts[1]
    assert {"North", "4,310", "West", "1,880"} <= set(texts[0])


def test_word_boxes_of_tightly_set_rows_do_not_overlap(reader: ppocr.PpocrReader) -> None:
    """Detected line boxes are grown beyond their text and reach into the rows above and below; the word
    boxes must still hold one row each, or table rows merge."""
    rows = ["Sensitivity 93.92", "Specificity 6.43", "Prevalence 8.61", "Accuracy 0.65"]
    gray = render([(30, 20 + 26 * i, text) for i, text in enumerate(rows)], size=22, shape=(150, 400))
    words = reader.read_page(gray, text_px=17)
    assert [w.text for w in words if w.text[0].isalpha()] == [r.split()[0] for r in rows]
    by_line: dict[tuple[int, ...], list[ppocr.Word]] = {}
    for w in words:
        by_line.setdefault(w.line_id, []).append(w)
    assert len(by_line) == len(rows)
    spans = sorted((min(w.bbox[1] for w in ws), max(w.bbox[3] for w in ws)) for ws in by_line.values())
    for (_, bottom), (top, _) in itertools.pairwise(spans):
        assert bottom <= top + 1


def test_the_missed_ink_pass_runs_only_for_readers_that_skip_isolated_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tesseract's sparse page pass drops lone digits, so the engine re-reads uncovered ink; PP-OCR's
    detector finds every text line, and a second look there only adds fragments."""
    import img2xlsx.recognize as recognize
    from img2xlsx.tables.lines import Rulings

    assert get_reader("tesseract").misses_isolated_text is True
    assert get_reader("ppocr").misses_isolated_text is False
    calls: list[str] = []

    def spy(*args: object, **kwargs: object) -> list[object]:
        calls.append("missed")
        return []

    monkeypatch.setattr(recognize, "read_missed", spy)
    page = np.full((40, 60), 255, np.uint8)
    for name, expected in (("ppocr", []), ("tesseract", ["missed"])):
        calls.clear()
        reader = get_reader(name)
        recognize._with_missed([], page, 12.0, Rulings([], [], np.zeros_like(page)), reader)
        assert calls == expected, name


def _words_in_child(gray: np.ndarray) -> list[str]:
    return [w.text for w in get_reader("ppocr").read_page(gray, threads=2)]


def test_a_process_forked_after_ppocr_read_starts_and_reads() -> None:
    """A forked child (the PDF render child, a fork-started pool) must not inherit a hang: the sessions it
    inherited are dropped without being destroyed, and it makes its own."""
    import multiprocessing

    page = render([(40, 40, "Invoice total 1,234.50")])
    parent = [w.text for w in get_reader("ppocr").read_page(page, threads=2)]
    assert parent
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(_words_in_child, (page,)).get(timeout=120) == parent


def test_batches_read_side_by_side_give_the_serial_lines() -> None:
    # many lines of different widths: several recognition batches, spread over two threads in one reader
    rows = [(30, 20 + 36 * k, f"Row {k} " + "7" * (1 + 3 * k)) for k in range(10)]
    gray = render(rows, size=22, shape=(400, 700))
    serial = ppocr.PpocrReader(("eng",), threads=1, rec_batch=2)
    side_by_side = ppocr.PpocrReader(("eng",), threads=2, rec_batch=2)
    boxes = serial.detect(gray, 16)
    assert len(serial._batches([(0, gray[y0:y1, x0:x1], x0, y0) for x0, y0, x1, y1 in boxes])) >= 3
    one = serial.recognize(gray, boxes)
    two = side_by_side.recognize(gray, boxes)
    assert [ln.text for ln in one] == [ln.text for ln in two]
    assert [ln.chars for ln in one] == [ln.chars for ln in two]
    assert one[0].text.startswith("Row 0")


def test_a_line_cut_into_pieces_reads_left_to_right(reader: ppocr.PpocrReader) -> None:
    # a box wider than REC_MAX_RATIO heights is read in pieces; the narrower last piece sorts into an
    # earlier batch, yet the line's characters come out in page order
    text = " ".join(f"item{k} {k * 111}" for k in range(1, 22))
    gray = render([(10, 10, text)], size=12, shape=(34, 1400))
    box = (0, 4, 1400, 30)
    assert (box[2] - box[0]) > ppocr.REC_MAX_RATIO * (box[3] - box[1])
    (line,) = reader.recognize(gray, [box])
    xs = [c[2] for c in line.chars]
    assert xs == sorted(xs)
    flat = line.text.replace(" ", "")
    at = [flat.find(f"item{k}") for k in (3, 9, 15, 20)]
    assert flat.startswith("item1") and -1 not in at and at == sorted(at)


def test_the_detector_file_can_be_swapped_for_an_experiments(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(ppocr.DET_ENV, raising=False)
    assert ppocr.det_model_path() == ppocr.models_dir() / ppocr.DET_MODEL
    other = tmp_path / "det_int8.onnx"
    monkeypatch.setenv(ppocr.DET_ENV, str(other))
    assert ppocr.det_model_path() == other


def test_amounts_of_tight_columns_read_without_a_space_are_parted_at_the_blank(
    reader: ppocr.PpocrReader,
) -> None:
    """Three amounts 0.8 font sizes apart: the recogniser reads the last two as one word; the blank between
    them (wider than any word space) parts them again, each with its own box."""
    font = ImageFont.load_default(size=16)
    img = Image.new("L", (600, 80), 255)
    draw = ImageDraw.Draw(img)
    x, drawn = 20, []
    for text in ("-$2,945.71", "-2,684.50", "-3,956.42"):
        draw.text((x, 30), text, fill=0, font=font)
        drawn.append((x, x + draw.textlength(text, font=font)))
        x += int(draw.textlength(text, font=font) + 0.8 * 16)
    words = reader.read_page(np.asarray(img), text_px=16)
    assert [w.text for w in words] == ["-$2,945.71", "-2,684.50", "-3,956.42"]
    for w, (a, b) in zip(words, drawn, strict=True):
        assert a - 3 <= w.bbox[0] and w.bbox[2] <= b + 3


def test_a_dot_read_in_the_blank_between_two_numbers_is_dropped() -> None:
    """The recogniser put a "." where there is no ink ("42.51" for "42" and "51" far apart): two words."""
    from img2xlsx.ocr.ppocr_decode import Line, split_line

    font = ImageFont.load_default(size=20)
    img = Image.new("L", (200, 40), 255)
    draw = ImageDraw.Draw(img)
    draw.text((10, 8), "42", fill=0, font=font)
    draw.text((60, 8), "51", fill=0, font=font)
    gray = np.asarray(img)
    chars = [("4", 0.9, 10.0, 18.0), ("2", 0.9, 18.0, 30.0), (".", 0.5, 40.0, 44.0)]
    chars += [("5", 0.9, 60.0, 70.0), ("1", 0.9, 70.0, 80.0)]
    words = split_line(gray, Line((0, 0, 200, 40), "42.51", 0.9, chars), (0,))
    assert [w.text for w in words] == ["42", "51"]
    # a word with no blank inside, and letters closer than a word space, stay whole
    img2 = Image.new("L", (200, 40), 255)
    ImageDraw.Draw(img2).text((10, 8), "1,234.50", fill=0, font=font)
    one = [(ch, 0.9, 10.0 + 10 * i, 20.0 + 10 * i) for i, ch in enumerate("1,234.50")]
    assert [w.text for w in split_line(np.asarray(img2), Line((0, 0, 200, 40), "", 0.9, one), (0,))] == [
        "1,234.50"
    ]
    # letters on both sides of a blank may be one word printed wide, and a colon is its word's own
    img3 = Image.new("L", (200, 40), 255)
    draw3 = ImageDraw.Draw(img3)
    draw3.text((10, 8), "ab", fill=0, font=font)
    draw3.text((60, 8), "cd", fill=0, font=font)
    draw3.text((110, 8), ":", fill=0, font=font)
    wide = [("a", 0.9, 10.0, 18.0), ("b", 0.9, 18.0, 30.0), ("c", 0.9, 60.0, 70.0), ("d", 0.9, 70.0, 80.0)]
    wide.append((":", 0.9, 108.0, 116.0))
    assert [w.text for w in split_line(np.asarray(img3), Line((0, 0, 200, 40), "", 0.9, wide), (0,))] == [
        "abcd:"
    ]


def _read_as_one_word(
    texts: list[str], gap: float, size: int = 20
) -> tuple[np.ndarray, list[tuple[str, float, float, float]]]:
    """``texts`` drawn ``gap`` px apart, and the characters a recogniser reading them as one word would give
    (each at its drawn advance, no space)."""
    font = ImageFont.load_default(size=size)
    img = Image.new("L", (400, 40), 255)
    draw = ImageDraw.Draw(img)
    chars: list[tuple[str, float, float, float]] = []
    x = 10.0
    for text in texts:
        draw.text((x, 8), text, fill=0, font=font)
        for i, ch in enumerate(text):
            a = x + draw.textlength(text[:i], font=font)
            chars.append((ch, 0.9, a, x + draw.textlength(text[: i + 1], font=font)))
        x += draw.textlength(text, font=font) + gap
    return np.asarray(img), chars


def test_an_amount_read_glued_to_the_next_columns_currency_sign_is_parted() -> None:
    """Two amounts a column gap of about one digit advance apart ("143,499  $120,561"): the blank is less
    than ADVANCES digits wide, yet a currency sign after a number starts the next cell; the same blank
    between two bare numbers (maybe a faint decimal point) still does not part them."""
    from img2xlsx.ocr.ppocr_decode import Line, split_line

    gray, chars = _read_as_one_word(["143,499", "$120,561"], gap=10)
    words = split_line(gray, Line((0, 0, 400, 40), "", 0.9, chars), (0,))
    assert [w.text for w in words] == ["143,499", "$120,561"]
    assert words[0].bbox[2] < words[1].bbox[0]
    gray, chars = _read_as_one_word(["-18,663", "-$21,023"], gap=10)
    assert [w.text for w in split_line(gray, Line((0, 0, 400, 40), "", 0.9, chars), (0,))] == [
        "-18,663",
        "-$21,023",
    ]
    gray, chars = _read_as_one_word(["143,499", "120,561"], gap=10)
    assert [w.text for w in split_line(gray, Line((0, 0, 400, 40), "", 0.9, chars), (0,))] == [
        "143,499120,561"
    ]
