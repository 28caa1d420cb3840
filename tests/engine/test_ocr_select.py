"""Choosing the text reader: one cached reader per (name, langs), $IMG2XLSX_OCR, clear errors for typos."""

from __future__ import annotations

import io

import pytest
from img2xlsx.ocr import BACKENDS, TextReader, get_reader
from img2xlsx.ocr.select import DEFAULT_BACKEND, OCR_ENV
from img2xlsx.pipeline import convert
from PIL import Image, ImageDraw, ImageFont


def test_default_reader_is_ppocr_and_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OCR_ENV, raising=False)
    reader: TextReader = get_reader()
    assert reader.name == DEFAULT_BACKEND == "ppocr" and DEFAULT_BACKEND in BACKENDS
    assert reader.langs == ("eng",)
    assert get_reader("ppocr", ["eng"]) is reader  # one reader per (name, langs) per process
    assert get_reader(None, ["deu"]).name == "ppocr"  # its alphabet has every German letter
    assert get_reader(None, ["vie"]).name == "ppocr+tesseract"  # not every Vietnamese one: Tesseract helps


def test_environment_names_the_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(OCR_ENV, "Tesseract")
    assert get_reader().name == "tesseract"
    monkeypatch.setenv(OCR_ENV, "no-such-ocr")
    with pytest.raises(ValueError, match=r"no-such-ocr.*tesseract"):
        get_reader()
    assert get_reader("tesseract").name == "tesseract"  # an explicit name wins over the environment


def _png(text: str) -> bytes:
    img = Image.new("RGB", (300, 80), "white")
    ImageDraw.Draw(img).text((10, 20), text, fill="black", font=ImageFont.load_default(size=26))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_convert_takes_the_reader_by_name() -> None:
    with pytest.raises(ValueError, match="choose one of tesseract"):
        convert(_png("Total 42"), ocr="tessaract")
    doc = convert(_png("Total 42"), ocr="tesseract", langs=("eng",))
    assert "Total" in " ".join(line.text for line in doc.lines)
