"""Flushing denormal weights: the edit, the same outputs, and the PP-OCR detector loaded without them."""

from __future__ import annotations

import numpy as np
import pytest
from img2xlsx.ocr import onnx_denormals, onnx_slice
from PIL import Image, ImageDraw, ImageFont

ort = pytest.importorskip("onnxruntime")
ppocr = pytest.importorskip("img2xlsx.ocr.ppocr")

DENORMAL = np.float32(3e-39)  # below float32's smallest normal (1.18e-38)


def _tiny_model(weight: np.ndarray, bias: np.ndarray) -> bytes:
    """A hand-encoded ONNX model y = x @ W + b (opset 13), with one metadata entry (as in test_onnx_slice)."""
    field, varint = onnx_slice._len_field, onnx_slice._put_varint
    node = field(1, b"x") + field(1, b"W") + field(2, b"xw") + field(4, b"MatMul")
    add = field(1, b"xw") + field(1, b"b") + field(2, b"y") + field(4, b"Add")
    tensor_type = varint(1 << 3) + varint(1)  # elem_type FLOAT, shape left open
    graph = field(1, node) + field(1, add) + field(2, b"g")
    graph += field(5, onnx_slice._encode_tensor("W", weight)) + field(5, onnx_slice._encode_tensor("b", bias))
    for num, name in ((11, b"x"), (12, b"y")):
        graph += field(num, field(1, name) + field(2, field(1, tensor_type)))
    opset = field(1, b"") + varint(2 << 3) + varint(13)
    meta = field(1, b"character") + field(2, b"a\nb\nc")
    return varint(1 << 3) + varint(8) + field(7, graph) + field(8, opset) + field(14, meta)


def _run(model: bytes, x: np.ndarray) -> np.ndarray:
    return ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]


def _denormals(model: bytes) -> int:
    """Nonzero float initializer values below the smallest normal float, over the whole model."""
    count = 0
    view = memoryview(model)
    for num, wire, _, a, b in onnx_slice._fields(view):
        if num == 7 and wire == onnx_slice._LEN:
            gview = view[a:b]
            for gnum, gwire, _, ga, gb in onnx_slice._fields(gview):
                if gnum == 5 and gwire == onnx_slice._LEN:
                    _, _, dtype, raw = onnx_slice._tensor(gview[ga:gb])
                    if dtype == onnx_slice._FLOAT and raw is not None:
                        arr = np.abs(np.frombuffer(raw, "<f4"))
                        count += int(((arr > 0) & (arr < onnx_denormals.TINY)).sum())
    return count


def test_flush_zeroes_denormal_weights_and_keeps_the_outputs() -> None:
    rng = np.random.default_rng(1)
    weight = rng.normal(size=(4, 6)).astype(np.float32)
    weight[0, :3] = DENORMAL
    weight[2, 5] = -DENORMAL
    bias = rng.normal(size=6).astype(np.float32)
    bias[4] = DENORMAL
    model = _tiny_model(weight, bias)
    flushed, n = onnx_denormals.flush_denormals(model)
    assert n == 5 and _denormals(model) == 5 and _denormals(flushed) == 0
    assert onnx_slice.metadata(flushed) == {"character": "a\nb\nc"}  # the rest is copied as it was
    x = rng.normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_array_equal(_run(flushed, x), _run(model, x))


def test_flush_leaves_clean_or_unreadable_models_alone() -> None:
    clean = _tiny_model(np.ones((2, 3), np.float32), np.zeros(3, np.float32))
    assert onnx_denormals.flush_denormals(clean) == (clean, 0)
    broken = b"\x3a\xff\xff"  # a graph field whose length runs past the end
    assert onnx_denormals.flush_denormals(broken) == (broken, 0)


def test_detector_session_is_built_without_denormal_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped detector has ~256,000 denormal weights (2/3 of its time); the session gets none, and the
    page reads the same as with the file as shipped."""
    shipped = ppocr.det_model_path().read_bytes()
    assert _denormals(shipped) > 100_000
    seen: list[bytes] = []
    real = ort.InferenceSession

    def capture(model: object, *args: object, **kwargs: object) -> object:
        if isinstance(model, bytes):
            seen.append(model)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(ppocr, "_models", {})
    monkeypatch.setattr(ppocr, "_dets", {})
    monkeypatch.setattr(ort, "InferenceSession", capture)
    reader = ppocr.PpocrReader(("eng",), threads=1)
    reader.ready()
    det_models = [m for m in seen if len(m) < len(shipped) * 1.01 and len(m) > len(shipped) * 0.99]
    assert det_models and _denormals(det_models[0]) == 0

    font = ImageFont.load_default(size=22)
    img = Image.new("L", (560, 110), 255)
    draw = ImageDraw.Draw(img)
    draw.text((20, 15), "Total 1,234.50 EUR", fill=0, font=font)
    draw.text((20, 60), "Miller & Sons 12 %", fill=0, font=font)
    gray = np.asarray(img)
    x = np.repeat((gray.astype(np.float32) / 127.5 - 1.0)[None, None], 3, axis=1)
    x = np.ascontiguousarray(x[:, :, :96, :544])
    as_shipped = real(shipped, providers=["CPUExecutionProvider"])
    flushed = real(det_models[0], providers=["CPUExecutionProvider"])
    name = as_shipped.get_inputs()[0].name
    np.testing.assert_array_equal(flushed.run(None, {name: x})[0], as_shipped.run(None, {name: x})[0])
    assert [w.text for w in reader.read_page(gray, text_px=16.0)] == [
        "Total",
        "1,234.50",
        "EUR",
        "Miller",
        "&",
        "Sons",
        "12",
        "%",
    ]
