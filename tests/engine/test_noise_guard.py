"""A picture of noise is recognised as such at once, instead of Tesseract reading thousands of junk words;
a real table under heavy grain and low contrast is not mistaken for it."""

from __future__ import annotations

import numpy as np
from img2xlsx.page.normalize import NOISE_WARNING, looks_like_noise
from img2xlsx.pipeline import convert
from img2xlsx.recognize import recognize_page

from tests.hardening.corpus import table_image


def _noise(h: int, w: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _grainy_faint_table(seed: int) -> np.ndarray:
    """The hardening table (4x3, bordered), printed grey on grey, with more grain than any bench photo."""
    page = np.asarray(table_image(rows=4, cols=3, cell=(120, 40)).convert("L"), dtype=np.float32)
    faint = 95.0 + (page / 255.0) * 90.0  # ink 95, paper 185: a third of the usual contrast
    grain = np.random.default_rng(seed).normal(0.0, 8.0, faint.shape)  # above every bench photo
    gray = np.clip(faint + grain, 0, 255).astype(np.uint8)
    return np.repeat(gray[:, :, None], 3, axis=2)


def test_random_noise_yields_no_table_and_says_why() -> None:
    for h, w, seed in [(160, 240, 1), (600, 800, 2)]:
        result = recognize_page(_noise(h, w, seed))
        assert result.tables == [] and result.lines == []
        assert result.warnings == [NOISE_WARNING]


def test_noise_through_the_pipeline_keeps_the_no_table_warning() -> None:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(_noise(300, 400, 3)).save(buf, "PNG")
    doc = convert(buf.getvalue(), name="noise.png")
    assert doc.tables == []
    assert NOISE_WARNING in doc.warnings and "no table found" in doc.warnings


def test_a_grainy_low_contrast_table_is_not_noise_and_still_converts() -> None:
    rgb = _grainy_faint_table(4)
    assert not looks_like_noise(rgb[:, :, 0])
    result = recognize_page(rgb)
    assert NOISE_WARNING not in result.warnings
    assert len(result.tables) == 1
    table = result.tables[0]
    assert (table.n_rows, table.n_cols) == (4, 3)
    texts = {c.text for c in table.cells}
    assert len({"Item", "Qty", "Price"} & texts) >= 2  # OCR of grainy faint text may slip on one glyph


def test_clean_pages_and_flat_pictures_are_not_noise() -> None:
    clean = np.asarray(table_image().convert("L"))
    assert not looks_like_noise(clean)
    assert not looks_like_noise(np.full((50, 50), 200, np.uint8))
    assert not looks_like_noise(np.zeros((2, 2), np.uint8))  # too small to judge
