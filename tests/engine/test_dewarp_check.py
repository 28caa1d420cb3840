"""Borderline bends: a field measured only a few times above noise is kept when flattening lines the rows up.

A curl at one edge of the page shows in few slope tiles, so its split-half noise is high and the bend clears
only 2.5-5 x noise. Such a field is checked on the page itself: flattening a bent grid sharpens its row
profiles, the same field on a flat grid smears them. (Measurements are stubbed to a given noise: the real
split-half noise of a clean synthetic grid is low, and it is the gate, not the estimate, under test.)
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from img2xlsx.page import dewarp
from img2xlsx.page.normalize import normalize_page

from tests.engine.test_dewarp import bend, bend_profile, render_grid


@pytest.fixture(scope="module")
def pages() -> tuple[np.ndarray, np.ndarray, float]:
    """(flat grey page, curled grey page, text height), both normalised without flattening and at the
    curled page's scale (the bend changes the measured text height a little)."""
    grid = render_grid()
    curled = bend(grid, bend_profile(grid.shape[1], amount=40.0, curl=60.0))
    flat = normalize_page(grid, detect_orientation=False, flatten_bends=False)
    bent = normalize_page(curled, detect_orientation=False, flatten_bends=False)
    assert flat.text_height and bent.text_height
    f = bent.text_height / flat.text_height
    flat_gray = cv2.resize(flat.gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return flat_gray, bent.gray, float(bent.text_height)


def borderline(monkeypatch: pytest.MonkeyPatch, field: dewarp.Dewarp, ratio: float) -> None:
    """Every measurement returns ``field`` with noise ``bend / ratio`` (re-measurements find nothing more)."""
    calls: list[int] = []

    def measure(gray: np.ndarray, text_h: float, least: float = 0.0) -> tuple[dewarp.Dewarp | None, float]:
        calls.append(1)
        if len(calls) > 1:
            return None, 0.0
        return field, field.bend / ratio

    monkeypatch.setattr(dewarp, "measure", measure)


def test_borderline_curl_is_flattened_when_rows_line_up(
    pages: tuple[np.ndarray, np.ndarray, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, bent, text_h = pages
    field, _ = dewarp.measure(bent, text_h)
    assert field is not None and field.bend >= dewarp.MIN_BEND_TEXT_H * text_h
    assert dewarp.alignment_gain(bent, text_h, field) >= dewarp.MIN_GAIN
    borderline(monkeypatch, field, ratio=4.0)
    assert dewarp.estimate(bent, text_h) is field
    # an edge curl's split-half noise can be a third of its bend: still weighed on its rows
    borderline(monkeypatch, field, ratio=2.7)
    assert dewarp.estimate(bent, text_h) is field
    borderline(monkeypatch, field, ratio=2.0)  # below WEAK_SIGNIFICANCE: refused, however the rows look
    assert dewarp.estimate(bent, text_h) is None


def test_borderline_field_on_a_flat_page_is_refused(
    pages: tuple[np.ndarray, np.ndarray, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    flat, bent, text_h = pages
    field, _ = dewarp.measure(bent, text_h)
    assert field is not None
    spurious = dewarp.Dewarp(field.dy, (flat.shape[1], flat.shape[0]), field.bend)
    gain = dewarp.alignment_gain(flat, text_h, spurious)
    assert gain < 0
    for ratio in (2.7, 4.0):
        borderline(monkeypatch, spurious, ratio=ratio)
        assert dewarp.estimate(flat, text_h) is None
    # a clear bend (5 x noise and more) is not second-guessed: the profiles of a rightly flattened curl can
    # come out a little less sharp too (a curled val page: -0.055)
    borderline(monkeypatch, spurious, ratio=6.0)
    assert dewarp.estimate(flat, text_h) is spurious


def test_row_sharpness_prefers_straight_rows(pages: tuple[np.ndarray, np.ndarray, float]) -> None:
    flat, bent, text_h = pages
    ink_flat, th = dewarp.work_ink(flat, text_h)
    ink_bent, _ = dewarp.work_ink(bent, text_h)
    assert dewarp.row_sharpness(ink_flat, th) > 1.1 * dewarp.row_sharpness(ink_bent, th)
    assert dewarp.row_sharpness(np.zeros((40, 60), np.uint8), th) == 0.0
    assert cv2.countNonZero(ink_flat) > 0


def test_a_flat_page_is_refused_without_measuring_its_noise(
    pages: tuple[np.ndarray, np.ndarray, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The split-half noise (two more integrations) is measured only for a field that bends enough to be
    weighed against it: a flat page is refused on its bend alone, as it was before, at a third of the work."""
    flat, bent, text_h = pages
    calls: list[int] = []
    real = dewarp.integrate

    def counting(*args: object) -> np.ndarray:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(dewarp, "integrate", counting)
    field, noise = dewarp.measure(flat, text_h)
    assert field is not None and field.bend < dewarp.MIN_BEND_TEXT_H * text_h and noise > 0
    assert len(calls) == 3
    calls.clear()
    assert dewarp.estimate(flat, text_h) is None
    assert len(calls) == 1
    calls.clear()
    curled, noise = dewarp.measure(bent, text_h, dewarp.MIN_BEND_TEXT_H * text_h)
    assert curled is not None and noise > 0 and len(calls) == 3  # a real bend is weighed against its noise
