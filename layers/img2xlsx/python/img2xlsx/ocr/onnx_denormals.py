"""Flush a model's denormal float weights to zero, editing the ONNX file's bytes (see :mod:`.onnx_slice`).

The PP-OCR detector ships two 1x1 convolutions (768 -> 384 channels, in its neck) whose weights are 24 % and
63 % denormal floats (below 1.2e-38, the residue of weight decay), and two per-channel scales likewise. x86
CPUs take a microcode assist on every multiply with a denormal operand, so those two small layers took two
thirds of the detector's time (ORT profile on train pages). A denormal weight w adds w * x to a sum: even for
x in the thousands that is below 1e-34, far under half a unit in the last place of any sum the network
makes (its activations are around 1e-3 .. 1e3), so the sum rounds to the same float and the outputs stay
the same (checked: identical probability maps on bench pages, identical workbooks). Zeros multiply at full
speed.
"""

from __future__ import annotations

import numpy as np

from .onnx_slice import _FLOAT, _LEN, OnnxEditError, _encode_tensor, _fields, _len_field, _tensor

TINY = float(np.finfo(np.float32).tiny)  # the smallest normal float32; nonzero values below it are denormal


def flush_denormals(model: bytes) -> tuple[bytes, int]:
    """``model`` with every denormal value of its raw float initializers set to 0, and how many were; the
    bytes are returned unchanged (the same object) when there are none or they are not laid out as expected
    (onnxruntime then judges them). Other fields are copied as they are.
    """
    try:
        return _flush(model)
    except OnnxEditError:
        return model, 0


def _flush(model: bytes) -> tuple[bytes, int]:
    view = memoryview(model)
    parts: list[bytes | memoryview] = []
    flushed = 0
    for num, wire, start, a, b in _fields(view):
        if not (num == 7 and wire == _LEN):  # only the graph holds initializers
            parts.append(view[start:b])
            continue
        graph: list[bytes | memoryview] = []
        gview = view[a:b]
        for gnum, gwire, gstart, ga, gb in _fields(gview):
            chunk: bytes | memoryview = gview[gstart:gb]
            if gnum == 5 and gwire == _LEN:  # GraphProto.initializer
                name, dims, dtype, raw = _tensor(gview[ga:gb])
                if dtype == _FLOAT and raw is not None:
                    array = np.frombuffer(raw, "<f4")
                    tiny = (array != 0) & (np.abs(array) < TINY)
                    n = int(tiny.sum())
                    if n:
                        flat = np.where(tiny, np.float32(0), array)
                        chunk = _len_field(5, _encode_tensor(name, flat.reshape(dims)))
                        flushed += n
            graph.append(chunk)
        parts.append(_len_field(7, b"".join(graph)))
    if not flushed:
        return model, 0
    return b"".join(parts), flushed
