"""OCR wrapper: words, boxes, confidences, region re-reads, thread safety — on text rendered in the test."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from img2xlsx.ocr import Word, bands, get_reader, pool, tesseract
from img2xlsx.page import clean
from PIL import Image, ImageDraw, ImageFont

READER = get_reader("tesseract")  # these tests are about Tesseract's bands and pools


def read_words(gray: np.ndarray, mode: str = "sparse") -> list[Word]:
    """A crop read as the engine reads crops alone: long rules erased first."""
    return READER.read_words(clean.erase_rules(gray), mode=mode)


def render(lines: list[str], size: int = 28, pad: int = 30) -> np.ndarray:
    font = ImageFont.load_default(size=size)
    line_h = int(size * 1.6)
    width = max(int(font.getlength(t)) for t in lines) + 2 * pad
    img = Image.new("L", (width, line_h * len(lines) + 2 * pad), 255)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((pad, pad + i * line_h), text, fill=0, font=font)
    return np.asarray(img)


def test_read_words_finds_rendered_words_with_boxes_and_confidence() -> None:
    gray = render(["Invoice total 1234"])
    words = read_words(gray)
    texts = [w.text for w in words]
    assert texts == ["Invoice", "total", "1234"]
    for w in words:
        assert 0.6 < w.conf <= 1.0
        x0, y0, x1, y1 = w.bbox
        assert 0 <= x0 < x1 <= gray.shape[1] and 0 <= y0 < y1 <= gray.shape[0]
        # the box covers dark ink
        assert gray[y0:y1, x0:x1].min() < 100
    # left to right, on one line
    assert [w.bbox[0] for w in words] == sorted(w.bbox[0] for w in words)
    assert len({w.line_id for w in words}) == 1


def test_read_words_separates_lines() -> None:
    words = read_words(render(["alpha beta", "gamma delta"]))
    by_text = {w.text: w for w in words}
    assert by_text["alpha"].line_id == by_text["beta"].line_id
    assert by_text["alpha"].line_id != by_text["gamma"].line_id
    assert by_text["gamma"].bbox[1] > by_text["alpha"].bbox[3] - 2


def test_blank_image_has_no_words() -> None:
    assert read_words(np.full((200, 300), 255, np.uint8)) == []
    assert READER.read_region(np.full((50, 50), 255, np.uint8), (0, 0, 50, 50)) == ("", 0.0)


def test_read_region_reads_only_the_box() -> None:
    gray = render(["left right"], size=32)
    words = {w.text: w for w in read_words(gray)}
    x0, y0, x1, y1 = words["right"].bbox
    text, conf = READER.read_region(gray, (x0 - 3, y0 - 3, x1 + 3, y1 + 3), single_line=True)
    assert text == "right"
    assert conf > 0.6


def test_read_region_multiline_and_degenerate_boxes() -> None:
    gray = render(["first", "second"])
    text, _ = READER.read_region(gray, (0, 0, gray.shape[1], gray.shape[0]), single_line=False)
    assert text.splitlines() == ["first", "second"]
    assert READER.read_region(gray, (10, 10, 10, 40)) == ("", 0.0)
    assert READER.read_region(gray, (-50, -50, -10, -10)) == ("", 0.0)


def test_threads_get_independent_engines() -> None:
    images = [render([f"row {n} value {n * 7}"]) for n in range(1, 7)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(read_words, images))
    for n, words in enumerate(results, start=1):
        assert [w.text for w in words] == ["row", str(n), "value", str(n * 7)]


def test_pytesseract_fallback_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pytesseract")
    gray = render(["Total 42"])
    fast = [w.text for w in read_words(gray)]
    monkeypatch.setattr(tesseract, "_tesserocr", lambda: None)
    slow = read_words(gray)
    assert [w.text for w in slow] == fast == ["Total", "42"]
    assert all(0.0 <= w.conf <= 1.0 for w in slow)


def test_tessdata_dir_prefers_tessdata_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    found = tesseract.tessdata_dir()
    assert found is not None  # the machine has eng.traineddata somewhere
    (tmp_path / "eng.traineddata").write_bytes(b"")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    tesseract.tessdata_dir.cache_clear()
    try:
        assert tesseract.tessdata_dir() == str(tmp_path)
        monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "missing"))
        tesseract.tessdata_dir.cache_clear()
        assert tesseract.tessdata_dir() == found  # a wrong prefix falls back to the distro locations
    finally:
        tesseract.tessdata_dir.cache_clear()


def test_confidences_drop_on_garbage() -> None:
    rng = np.random.default_rng(1)
    noise = (rng.random((120, 500)) > 0.5).astype(np.uint8) * 255
    clean = read_words(render(["Quarterly revenue report"]))
    junk = read_words(noise)
    assert min(w.conf for w in clean) > 0.8
    assert not junk or np.mean([w.conf for w in junk]) < min(w.conf for w in clean)


def _page_of_lines(n: int = 14) -> tuple[np.ndarray, list[str]]:
    lines = [f"Item {i:02d} shipped {100 + 7 * i} units to Lisbon" for i in range(n)]
    return render(lines, size=24), lines


def test_band_cuts_fall_in_blank_rows_and_balance_the_ink() -> None:
    gray, _ = _page_of_lines()
    cuts = bands.band_cuts(gray, 2)
    assert len(cuts) == 1
    cut = cuts[0]
    assert (gray[cut - 2 : cut + 3] >= bands.BAND_INK).all()  # an inter-line gap, no glyph cut
    ink = (gray < bands.BAND_INK).sum(axis=1)
    share = ink[:cut].sum() / ink.sum()
    assert 0.35 < share < 0.65
    assert len(bands.band_cuts(gray, 3)) == 2


def test_band_cuts_refuse_small_pages_and_pages_without_gaps() -> None:
    gray, _ = _page_of_lines(3)
    assert bands.band_cuts(gray, 2) == []  # too few lines to be worth a second thread
    tall, _ = _page_of_lines()
    dark_margin = tall.copy()
    dark_margin[:, :4] = 0  # e.g. a page edge down the whole side: no blank row anywhere
    assert bands.band_cuts(dark_margin, 2) == []
    assert bands.band_cuts(tall, 1) == []


def test_page_read_on_two_threads_gives_the_words_in_page_coordinates() -> None:
    gray, lines = _page_of_lines()
    assert bands.band_cuts(gray, 2)
    one = READER.read_page(gray, threads=1)
    two = READER.read_page(gray, threads=2)
    expected = {w for line in lines for w in line.split()}
    assert {w.text for w in two} == expected == {w.text for w in one}
    for w in two:
        x0, y0, x1, y1 = w.bbox
        assert gray[y0:y1, x0:x1].min() < 100
    by_text = {(w.text, w.bbox[1] // 10): w.bbox for w in one}
    for w in two:  # same place as the single-thread read, give or take a pixel
        box = by_text.get((w.text, w.bbox[1] // 10)) or by_text.get((w.text, w.bbox[1] // 10 + 1))
        box = box or by_text.get((w.text, w.bbox[1] // 10 - 1))
        assert box is not None and max(abs(a - b) for a, b in zip(box, w.bbox, strict=True)) <= 2
    # words of different bands never share a text line id
    first = {w.line_id for w in two if w.text == "00"}
    last = {w.line_id for w in two if w.text == "13"}
    assert first and last and first.isdisjoint(last)


def test_ocr_threads_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pool.OCR_THREADS_ENV, "1")
    assert pool.ocr_threads() == 1
    monkeypatch.setenv(pool.OCR_THREADS_ENV, "64")
    assert pool.ocr_threads() == pool.MAX_OCR_THREADS
    monkeypatch.delenv(pool.OCR_THREADS_ENV)
    assert 1 <= pool.ocr_threads() <= pool.MAX_OCR_THREADS


def test_pinned_threshold_gives_every_band_the_page_binarisation() -> None:
    import cv2

    gray, _ = _page_of_lines()
    noisy = np.clip(gray.astype(np.int16) + np.random.default_rng(0).integers(-40, 40, gray.shape), 0, 255)
    noisy = noisy.astype(np.uint8)
    pinned, ink_below = bands.pin_threshold(noisy)
    t, _ = cv2.threshold(noisy, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    assert abs(ink_below - t * (1 - bands.THRESHOLD_GAP)) < 1e-6
    # no grey level is left inside the gap around the threshold
    values = np.unique(pinned)
    assert not ((values > ink_below + 1) & (values < 255 - (255 - t) * (1 - bands.THRESHOLD_GAP) - 1)).any()
    page_ink = pinned <= ink_below
    h = pinned.shape[0]
    for y0, y1 in ((0, h // 3), (h // 3, h), (h // 5, h // 2)):
        band = np.ascontiguousarray(pinned[y0:y1])
        tb, _ = cv2.threshold(band, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        assert np.array_equal(band <= tb, page_ink[y0:y1])


def test_map_reads_keeps_order_and_reads_on_the_ocr_threads() -> None:
    import threading

    crops = [render([f"Row {i} total {10 * i}"]) for i in range(6)]
    seen: set[str] = set()

    def read(gray: np.ndarray) -> list[str]:
        seen.add(threading.current_thread().name)
        return [w.text for w in read_words(gray, mode="line")]

    two = pool.map_reads(read, crops, threads=2)
    assert two == [["Row", str(i), "total", str(10 * i)] for i in range(6)]
    assert seen and all(name.startswith("img2xlsx-ocr") for name in seen)
    seen.clear()
    assert pool.map_reads(read, crops, threads=1) == two
    assert seen == {threading.current_thread().name}


def test_ocr_threads_work_in_a_forked_child_after_the_parent_used_them() -> None:
    import multiprocessing

    gray, _ = _page_of_lines()
    assert bands.band_cuts(gray, 2)
    parent = {w.text for w in READER.read_page(gray, threads=2)}  # the parent's pool now has threads
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        child = pool.apply_async(_texts_on_two_threads, (gray,)).get(timeout=60)
    assert child == parent


def _texts_on_two_threads(gray: np.ndarray) -> set[str]:
    return {w.text for w in READER.read_page(gray, threads=2)}


def test_lighten_dark_fills_turns_a_band_white_and_leaves_the_rest() -> None:
    gray, _ = _page_of_lines(6)
    page = gray.copy()
    page[10:60, 20:-20] = 50  # a dark band holding light glyph strokes
    page[25:40:3, 60:200] = 255
    out = clean.lighten_dark_fills(page)
    assert out[10:60, 20:-20][page[10:60, 20:-20] == 50].min() >= 250  # the fill became paper
    assert out[25:40:3, 60:200].max() <= 5  # its light strokes became black
    assert np.array_equal(out[80:], page[80:])  # the rest of the page is untouched
    assert clean.lighten_dark_fills(gray) is gray  # no fill: nothing to do


def test_lighten_dark_fills_leaves_a_photo_surround_alone() -> None:
    gray, _ = _page_of_lines(6)
    photo = np.full((gray.shape[0] + 200, gray.shape[1] + 200), 40, np.uint8)  # dark table top
    photo[100:-100, 100:-100] = gray  # the page on it
    out = clean.lighten_dark_fills(photo)
    assert np.array_equal(out, photo)


def test_read_modes_are_the_interface_names() -> None:
    gray = render(["Row 7 total 70"])
    assert [w.text for w in READER.read_words(gray, mode="line")] == ["Row", "7", "total", "70"]
    assert [w.text for w in READER.read_words(gray, mode="block")] == ["Row", "7", "total", "70"]
    with pytest.raises(ValueError, match="sparse"):
        READER.read_words(gray, mode="psm7")
