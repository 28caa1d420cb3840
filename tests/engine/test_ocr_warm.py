"""Loading the reader's models beside the page preparation (a fresh process's first conversion)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from img2xlsx import pipeline
from img2xlsx.ocr import warm
from PIL import Image, ImageDraw, ImageFont


class _Reader:
    """A reader whose ``ready()`` records the thread it ran on and can be told to fail."""

    name = "fake"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.threads: list[str] = []
        self.done = threading.Event()

    def ready(self) -> None:
        self.threads.append(threading.current_thread().name)
        self.done.set()
        if self.fail:
            raise RuntimeError("no models here")


def test_warm_up_loads_once_per_reader_on_a_background_thread() -> None:
    reader = _Reader()
    thread = warm.warm_up(reader)
    assert thread is not None
    thread.join(5)
    assert reader.threads == ["img2xlsx-ocr-warm"]
    assert warm.warm_up(reader) is None  # the models stay loaded: not again
    assert warm.warm_up(object()) is None  # nothing to load


def test_a_failed_warm_up_is_left_to_the_first_read() -> None:
    reader = _Reader(fail=True)
    thread = warm.warm_up(reader)
    assert thread is not None
    thread.join(5)  # no exception escapes the thread; the read meets the error itself
    assert reader.threads == ["img2xlsx-ocr-warm"]


def test_convert_starts_the_warm_up_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """convert() hands the reader to warm_up before the first page is recognised."""
    order: list[str] = []
    real_warm = pipeline.warm_up

    def spy(reader: Any) -> threading.Thread | None:
        order.append("warm")
        return real_warm(reader)

    import img2xlsx.recognize as recognize

    real_page = recognize.recognize_page

    def page(*args: Any, **kwargs: Any) -> Any:
        order.append("page")
        return real_page(*args, **kwargs)

    monkeypatch.setattr(pipeline, "warm_up", spy)
    monkeypatch.setattr(recognize, "recognize_page", page)
    img = Image.new("RGB", (420, 120), "white")
    ImageDraw.Draw(img).text(
        (20, 40), "Qty 12 Price 3.25", fill="black", font=ImageFont.load_default(size=24)
    )
    path = tmp_path / "small.png"
    img.save(path)
    pipeline.convert(path)
    assert order[:2] == ["warm", "page"]
