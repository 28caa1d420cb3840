"""Guards for the engine's cost structure (no timings: counts and sizes that a slow rewrite would break).

* text-line building is the linear rewrite and still groups exactly like the straightforward algorithm;
* a page gets one whole-page OCR pass (re-reads are crops, never the page again);
* Tesseract's inverted re-read of doubtful lines is requested only where light-on-dark text can exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from img2xlsx import recognize
from img2xlsx.ocr import get_reader
from img2xlsx.page import clean
from img2xlsx.tables.textlines import TALL_WORD, build_lines
from PIL import Image, ImageDraw, ImageFont


@dataclass(frozen=True)
class _W:
    text: str
    conf: float
    bbox: tuple[int, int, int, int]


def _reference_lines(words: list[_W]) -> list[list[str]]:
    """The original quadratic grouping: median centre of each candidate line recomputed per word (a word
    taller than TALL_WORD median heights, a stamp's, stands alone)."""
    order = sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0]))
    tall = TALL_WORD * float(np.median([w.bbox[3] - w.bbox[1] for w in words])) if words else 0.0
    lines: list[list[_W]] = []
    for w in order:
        wy0, wy1 = w.bbox[1], w.bbox[3]
        wc = (wy0 + wy1) / 2
        best, best_d = None, 1e9
        for line in lines[-8:]:
            ly0, ly1 = min(x.bbox[1] for x in line), max(x.bbox[3] for x in line)
            if wy1 - wy0 > tall or ly1 - ly0 > tall:
                continue
            lc = float(np.median([(x.bbox[1] + x.bbox[3]) / 2 for x in line]))
            overlap = min(wy1, ly1) - max(wy0, ly0)
            hmin = max(1, min(wy1 - wy0, ly1 - ly0))
            close = overlap >= 0.45 * hmin and abs(wc - lc) < 0.6 * max(wy1 - wy0, ly1 - ly0)
            if close and abs(wc - lc) < best_d:
                best, best_d = line, abs(wc - lc)
        if best is None:
            lines.append([w])
        else:
            best.append(w)
    out = [sorted(line, key=lambda x: x.bbox[0]) for line in lines]
    out.sort(key=lambda line: min(x.bbox[1] for x in line))
    return [[x.text for x in line] for line in out]


_word = st.tuples(st.integers(0, 900), st.integers(0, 400), st.integers(1, 80), st.integers(1, 30)).map(
    lambda t: (t[0], t[1], t[0] + t[2], t[1] + t[3])
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_word, max_size=60))
def test_build_lines_groups_like_the_reference_algorithm(boxes: list[tuple[int, int, int, int]]) -> None:
    words = [_W(str(i), 0.9, b) for i, b in enumerate(boxes)]
    got = [[w.text for w in ln.words] for ln in build_lines(words, 1e9)]
    assert got == _reference_lines(words)


def test_one_whole_page_ocr_pass_per_page(monkeypatch: pytest.MonkeyPatch) -> None:
    img = Image.new("RGB", (760, 330), "white")
    draw = ImageDraw.Draw(img)
    xs, ys = (40, 280, 500, 720), (60, 130, 200, 270)
    for y in ys:
        draw.line([xs[0], y, xs[-1], y], fill=0, width=2)
    for x in xs:
        draw.line([x, ys[0], x, ys[-1]], fill=0, width=2)
    rows = [["Product", "Stock", "Price"], ["Kettle", "14", "39.90"], ["Toaster", "7", "24.50"]]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((xs[c] + 16, ys[r] + 20), text, fill=0, font=ImageFont.load_default(size=22))
    sizes: list[tuple[int, ...]] = []
    real = get_reader()

    class Counting:  # the real reader, every page or crop read counted
        name, langs, misses_isolated_text = real.name, real.langs, real.misses_isolated_text

        def read_page(self, gray: np.ndarray, **kwargs: Any) -> Any:
            sizes.append(gray.shape)
            return real.read_page(gray, **kwargs)

        def read_words(self, gray: np.ndarray, **kwargs: Any) -> Any:
            sizes.append(gray.shape)
            return real.read_words(gray, **kwargs)

        def read_region(self, gray: np.ndarray, bbox: Any, **kwargs: Any) -> Any:
            return real.read_region(gray, bbox, **kwargs)

    page_shapes: list[tuple[int, ...]] = []
    real_norm = recognize.recognize_normalized

    def spy(norm: Any, *args: Any, **kwargs: Any) -> Any:
        page_shapes.append(norm.gray.shape)
        return real_norm(norm, *args, **kwargs)

    monkeypatch.setattr(recognize, "recognize_normalized", spy)
    res = recognize.recognize_page(np.asarray(img), reader=Counting())
    assert res.tables, "the fixture must be recognised for the count to mean anything"
    assert sizes.count(page_shapes[0]) == 1
    page_px = page_shapes[0][0] * page_shapes[0][1]
    assert all(s[0] * s[1] < 0.5 * page_px for s in sizes if s != page_shapes[0])


def test_inverted_reread_only_where_light_text_on_a_dark_fill_can_be() -> None:
    img = Image.new("L", (900, 400), 250)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=28)
    for r in range(4):
        draw.text((40, 40 + 50 * r), "Quarterly revenue 1,234.50 WWW MMM ###", fill=0, font=font)
    assert not clean.has_dark_fill(np.asarray(img))
    draw.rectangle([30, 280, 870, 340], fill=60)  # a dark header row
    draw.text((50, 292), "Region  Revenue  Margin", fill=255, font=font)
    assert clean.has_dark_fill(np.asarray(img))
