"""The page analysis labels the preview's ink once per orientation, and its integral image is OpenCV's; both
give exactly what the former repeated / numpy computations gave (no change in what is recognised)."""

from __future__ import annotations

import numpy as np
import pytest
from img2xlsx.page import geometry, normalize, orientation
from PIL import Image, ImageDraw, ImageFont


def _page(turned: bool = False) -> np.ndarray:
    """A small ruled table of numbers, RGB; ``turned``: photographed a quarter turn round."""
    font = ImageFont.load_default(size=18)
    img = Image.new("L", (760, 520), 250)
    draw = ImageDraw.Draw(img)
    for r in range(12):
        draw.line([(30, 30 + r * 38), (730, 30 + r * 38)], fill=60, width=1)
        for c in range(5):
            draw.text((40 + c * 140, 38 + r * 38), f"{(r + 2) * (c + 3) * 41:,}", fill=30, font=font)
    gray = np.asarray(img)
    if turned:
        gray = np.ascontiguousarray(np.rot90(gray))
    return np.repeat(gray[:, :, None], 3, axis=2)


@pytest.mark.parametrize("turned", [False, True])
def test_the_preview_ink_is_labelled_once_per_orientation(
    monkeypatch: pytest.MonkeyPatch, turned: bool
) -> None:
    calls: list[bytes] = []
    real = geometry.components

    def counted(ink: np.ndarray) -> geometry.Components:
        calls.append(ink.tobytes())
        return real(ink)

    monkeypatch.setattr(geometry, "components", counted)
    norm = normalize.normalize_page(_page(turned), upside_down=False)
    assert norm.rotation == (90 if turned else 0)
    # the same ink is never labelled twice (the turn test, skew and text size share one labelling); the
    # turn test's rule-free copy and, on a turned page, the turned ink are other masks
    assert len(calls) == len(set(calls)) == (3 if turned else 2)


def test_shared_components_give_the_same_answers() -> None:
    ink = geometry.ink_mask(_page()[:, :, 0])
    parts = geometry.components(ink)
    mask, stats, size = geometry.glyph_mask(ink, parts)
    mask0, stats0, size0 = geometry.glyph_mask(ink)
    assert np.array_equal(mask, mask0) and np.array_equal(stats, stats0) and size == size0
    assert orientation.sideways_score(ink, parts) == orientation.sideways_score(ink)
    gray = _page()[:, :, 0]
    assert normalize.estimate_text_height(gray, ink, parts[1]) == normalize.estimate_text_height(gray, ink)


@pytest.mark.parametrize("peak", [1, 255, 256, 3000])
def test_summed_area_is_numpys_cumsum(peak: int) -> None:
    rng = np.random.default_rng(peak)
    counts = np.zeros((97, 131), np.int32)
    counts[rng.integers(0, 97, 400), rng.integers(0, 131, 400)] = rng.integers(1, 4, 400)
    counts[5, 7] = peak
    want = np.pad(counts.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    got = normalize._summed_area(counts)
    assert got.shape == want.shape and np.array_equal(got, want)
