"""The text-layer reader: a PDF page's own words served through the TextReader interface, moved into the
normalised page; ink they do not cover, crops and strips go to the real reader."""

from __future__ import annotations

import numpy as np
from img2xlsx.ocr import Word
from img2xlsx.ocr.textlayer import TextLayerReader
from PIL import Image, ImageDraw, ImageFont


class FakeReader:
    """A stand-in for the real reader: answers every read with one word and records what it was given."""

    name = "fake"
    langs = ("eng",)
    misses_isolated_text = True

    def __init__(self) -> None:
        self.crops: list[tuple[int, int]] = []
        self.regions: list[tuple[int, int, int, int]] = []

    def read_page(self, gray: np.ndarray, *, threads: int | None = None) -> list[Word]:
        raise AssertionError("the text layer replaces the page pass")

    def read_words(self, gray: np.ndarray, *, mode: str = "sparse") -> list[Word]:
        self.crops.append(gray.shape[:2])
        return [Word("ocr", 0.9, (2, 3, 30, 20), (1, 1, 1))]

    def read_region(
        self, gray: np.ndarray, bbox: tuple[int, int, int, int], *, single_line: bool = False
    ) -> tuple[str, float]:
        self.regions.append(bbox)
        return "ocr", 0.8


def _page(text_at: tuple[int, int] | None = None) -> np.ndarray:
    """A white 800x600 page; with ``text_at``, a paragraph of real glyphs there (text the layer lacks)."""
    img = Image.new("L", (800, 600), 255)
    if text_at is not None:
        draw = ImageDraw.Draw(img)
        font = ImageFont.load_default(size=20)
        for k in range(3):
            draw.text((text_at[0], text_at[1] + 30 * k), "Quarterly totals 2024 region", fill=0, font=font)
    return np.asarray(img, dtype=np.uint8).copy()


LAYER = [
    Word("Item", 1.0, (100, 100, 160, 120), (0,)),
    Word("Qty", 1.0, (300, 100, 340, 120), (0,)),
    Word("12", 1.0, (300, 140, 324, 160), (1,)),
]
HALF = np.diag([0.5, 0.5, 1.0])  # the normaliser scaled the page down by 2


def test_page_pass_serves_the_text_layer_in_normalised_coordinates() -> None:
    base = FakeReader()
    reader = TextLayerReader(base, LAYER, HALF)
    assert (reader.name, reader.langs) == ("fake", ("eng",))
    words = reader.read_page(_page()[::2, ::2].copy())
    assert [(w.text, w.bbox, w.conf) for w in words] == [
        ("Item", (50, 50, 80, 60), 1.0),
        ("Qty", (150, 50, 170, 60), 1.0),
        ("12", (150, 70, 162, 80), 1.0),
    ]
    assert base.crops == [] and reader.blocks_read == 0  # nothing uncovered: the real reader never ran


def test_ink_the_text_layer_does_not_cover_is_read_by_the_real_reader() -> None:
    base = FakeReader()
    reader = TextLayerReader(base, LAYER, np.eye(3))
    words = reader.read_page(_page(text_at=(420, 400)))
    assert reader.blocks_read == 1 and len(base.crops) == 1
    extra = [w for w in words if w.text == "ocr"]
    assert len(extra) == 1
    x0, y0, _, _ = extra[0].bbox
    assert 380 <= x0 - 2 <= 420 and 360 <= y0 - 3 <= 400  # the crop's word, moved to page coordinates
    assert extra[0].line_id[0] < 0  # its lines never mix with the text layer's


def test_re_reads_on_the_page_come_from_the_text_layer_crops_from_the_reader() -> None:
    base = FakeReader()
    reader = TextLayerReader(base, LAYER, np.eye(3))
    page = _page()
    reader.read_page(page)
    assert reader.read_region(page, (280, 90, 360, 170)) == ("Qty\n12", 1.0)
    assert reader.read_region(page, (280, 90, 360, 170), single_line=True) == ("Qty 12", 1.0)
    assert base.regions == []
    assert reader.read_region(page, (500, 500, 600, 550)) == ("ocr", 0.8)  # no text-layer word there
    crop = page[90:170, 280:360].copy()
    assert reader.read_region(crop, (0, 0, 80, 80)) == ("ocr", 0.8)  # a crop: the reader reads it
    assert reader.read_words(crop) == [Word("ocr", 0.9, (2, 3, 30, 20), (1, 1, 1))]
    assert base.regions == [(500, 500, 600, 550), (0, 0, 80, 80)] and base.crops == [(80, 80)]
