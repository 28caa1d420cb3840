"""OCR wrapper: words, boxes, confidences, region re-reads, thread safety — on text rendered in the test."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from img2xlsx import ocr
from PIL import Image, ImageDraw, ImageFont


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
    words = ocr.read_words(gray)
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
    words = ocr.read_words(render(["alpha beta", "gamma delta"]))
    by_text = {w.text: w for w in words}
    assert by_text["alpha"].line_id == by_text["beta"].line_id
    assert by_text["alpha"].line_id != by_text["gamma"].line_id
    assert by_text["gamma"].bbox[1] > by_text["alpha"].bbox[3] - 2


def test_blank_image_has_no_words() -> None:
    assert ocr.read_words(np.full((200, 300), 255, np.uint8)) == []
    assert ocr.read_region(np.full((50, 50), 255, np.uint8), (0, 0, 50, 50)) == ("", 0.0)


def test_read_region_reads_only_the_box() -> None:
    gray = render(["left right"], size=32)
    words = {w.text: w for w in ocr.read_words(gray)}
    x0, y0, x1, y1 = words["right"].bbox
    text, conf = ocr.read_region(gray, (x0 - 3, y0 - 3, x1 + 3, y1 + 3), single_line=True)
    assert text == "right"
    assert conf > 0.6


def test_read_region_multiline_and_degenerate_boxes() -> None:
    gray = render(["first", "second"])
    text, _ = ocr.read_region(gray, (0, 0, gray.shape[1], gray.shape[0]), single_line=False)
    assert text.splitlines() == ["first", "second"]
    assert ocr.read_region(gray, (10, 10, 10, 40)) == ("", 0.0)
    assert ocr.read_region(gray, (-50, -50, -10, -10)) == ("", 0.0)


def test_threads_get_independent_engines() -> None:
    images = [render([f"row {n} value {n * 7}"]) for n in range(1, 7)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(ocr.read_words, images))
    for n, words in enumerate(results, start=1):
        assert [w.text for w in words] == ["row", str(n), "value", str(n * 7)]


def test_pytesseract_fallback_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pytesseract")
    gray = render(["Total 42"])
    fast = [w.text for w in ocr.read_words(gray)]
    monkeypatch.setattr(ocr, "_tesserocr", lambda: None)
    slow = ocr.read_words(gray)
    assert [w.text for w in slow] == fast == ["Total", "42"]
    assert all(0.0 <= w.conf <= 1.0 for w in slow)


def test_tessdata_dir_prefers_tessdata_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    found = ocr.tessdata_dir()
    assert found is not None  # the machine has eng.traineddata somewhere
    (tmp_path / "eng.traineddata").write_bytes(b"")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    ocr.tessdata_dir.cache_clear()
    try:
        assert ocr.tessdata_dir() == str(tmp_path)
        monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "missing"))
        ocr.tessdata_dir.cache_clear()
        assert ocr.tessdata_dir() == found  # a wrong prefix falls back to the distro locations
    finally:
        ocr.tessdata_dir.cache_clear()


def test_confidences_drop_on_garbage() -> None:
    rng = np.random.default_rng(1)
    noise = (rng.random((120, 500)) > 0.5).astype(np.uint8) * 255
    clean = ocr.read_words(render(["Quarterly revenue report"]))
    junk = ocr.read_words(noise)
    assert min(w.conf for w in clean) > 0.8
    assert not junk or np.mean([w.conf for w in junk]) < min(w.conf for w in clean)
