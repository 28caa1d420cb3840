"""Cutting the recogniser's output layer: the protobuf edit, the kept columns, and the same text read."""

from __future__ import annotations

import numpy as np
import pytest
from img2xlsx.ocr import onnx_slice
from PIL import Image, ImageDraw, ImageFont

ort = pytest.importorskip("onnxruntime")
ppocr = pytest.importorskip("img2xlsx.ocr.ppocr")


def _varint(v: int) -> bytes:
    return onnx_slice._put_varint(v)


def _field(num: int, payload: bytes) -> bytes:
    return onnx_slice._len_field(num, payload)


def _tiny_model(weight: np.ndarray, bias: np.ndarray) -> bytes:
    """A hand-encoded ONNX model y = x @ W + b (opset 13), with one metadata entry."""
    w = onnx_slice._encode_tensor("W", weight)
    b = onnx_slice._encode_tensor("b", bias)
    node = _field(1, b"x") + _field(1, b"W") + _field(2, b"xw") + _field(4, b"MatMul")
    add = _field(1, b"xw") + _field(1, b"b") + _field(2, b"y") + _field(4, b"Add")
    tensor_type = _varint(1 << 3) + _varint(1)  # elem_type FLOAT, shape left open
    value = lambda name: _field(1, name) + _field(2, _field(1, tensor_type))  # noqa: E731
    graph = (
        _field(1, node)
        + _field(1, add)
        + _field(2, b"g")
        + _field(5, w)
        + _field(5, b)
        + _field(11, value(b"x"))
        + _field(12, value(b"y"))
    )
    opset = _field(1, b"") + _varint(2 << 3) + _varint(13)
    meta = _field(1, b"character") + _field(2, b"a\nb\nc")
    return _varint(1 << 3) + _varint(8) + _field(7, graph) + _field(8, opset) + _field(14, meta)


def _run(model: bytes, x: np.ndarray) -> np.ndarray:
    sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": x})[0]


def test_keep_classes_gives_the_chosen_columns_of_the_full_layer() -> None:
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(4, 6)).astype(np.float32)
    bias = rng.normal(size=6).astype(np.float32)
    model = _tiny_model(weight, bias)
    assert onnx_slice.metadata(model) == {"character": "a\nb\nc"}
    assert onnx_slice.output_layer(model, 6) == ("W", "b")
    x = rng.normal(size=(3, 4)).astype(np.float32)
    full = _run(model, x)
    np.testing.assert_allclose(full, x @ weight + bias, rtol=1e-5, atol=1e-5)
    cut = onnx_slice.keep_classes(model, "W", "b", [5, 0, 2])
    np.testing.assert_allclose(_run(cut, x), full[:, [5, 0, 2]], rtol=1e-6, atol=1e-6)
    assert onnx_slice.metadata(cut) == {"character": "a\nb\nc"}  # the rest is copied as it was


def test_edits_refuse_models_they_do_not_understand() -> None:
    model = _tiny_model(np.zeros((2, 3), np.float32), np.zeros(3, np.float32))
    with pytest.raises(onnx_slice.OnnxEditError):
        onnx_slice.keep_classes(model, "W", "missing", [0])
    with pytest.raises(onnx_slice.OnnxEditError):
        onnx_slice.output_layer(model, 5)
    with pytest.raises(onnx_slice.OnnxEditError):
        onnx_slice.metadata(b"\x0a\xff\xff")  # a length past the end


def test_class_columns_put_readable_classes_first_then_the_shadow() -> None:
    charset = ["", "a", "中", "b", "口", " ", "a"]
    cols, n_read = ppocr.class_columns(charset, "ab", frozenset({"口", "a"}))
    assert cols[:n_read] == [0, 1, 3, 5, 6]  # blank, the letters (each copy), the space
    assert cols[n_read:] == [4]  # only the shadow classes not already read; 中 is left out


def test_cut_recogniser_reads_as_the_full_one() -> None:
    """On a generated page the cut model reads the same text, with about the same confidence."""
    font = ImageFont.load_default(size=22)
    img = Image.new("L", (640, 150), 255)
    draw = ImageDraw.Draw(img)
    lines = ["Invoice 2024-07 total", "$1,234.50 -98.7%", "Miller & Sons (Leeds)"]
    for k, text in enumerate(lines):
        draw.text((20, 15 + 44 * k), text, fill=0, font=font)
    gray = np.asarray(img)
    cut = ppocr.PpocrReader(("eng",), threads=1)
    full = ppocr.PpocrReader(("eng",), threads=1)
    m = ppocr._load(1, None)
    cols, n_read = ppocr.class_columns(m.charset, ppocr._lang_chars(("eng",)), frozenset())
    full._m = lambda: m  # type: ignore[method-assign]
    full._allowed = np.asarray(cols[:n_read])
    assert len(cut._m().charset) < 2000 < len(m.charset)
    boxes = cut.detect(gray, 16.0)
    got, want = cut.recognize(gray, boxes), full.recognize(gray, boxes)
    assert [ln.text for ln in got] == [ln.text for ln in want]
    assert [ln.text for ln in got] == lines
    for a, b in zip(got, want, strict=True):
        assert abs(a.conf - b.conf) < 0.02
