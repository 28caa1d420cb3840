"""Cut a classifier's output layer down to some of its classes, editing the ONNX file's bytes directly.

The PP-OCR recogniser scores 18,710 classes at every time step, almost all of them CJK signs that a Latin
page never shows; computing, normalising and copying out those scores is a fifth of its time. Keeping only
the needed columns of the last MatMul's weight and of its bias gives the same network on fewer classes.

The ``onnx`` package would do this too, but importing it takes longer than the whole saving on a cold
start (protobuf), so the few protobuf fields involved are walked by hand: ModelProto.graph (7) →
GraphProto.initializer (5) → TensorProto dims (1), data_type (2), name (8), raw_data (9); the model's
metadata_props (14) are read the same way. Everything else is copied byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5
_FLOAT = 1  # TensorProto.DataType.FLOAT


class OnnxEditError(ValueError):
    """The model bytes are not laid out as expected (another exporter, or not an ONNX model)."""


def _varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise OnnxEditError("truncated varint")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def _put_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


Field = tuple[int, int, int, int, int]  # (number, wire type, start of the whole field, payload start, end)


def _fields(buf: bytes | memoryview) -> Iterator[Field]:
    """The top-level fields of a protobuf message, as offsets into ``buf``."""
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = _varint(buf, pos)
        num, wire = key >> 3, key & 7
        if wire == _VARINT:
            _, end = _varint(buf, pos)
            payload = pos
        elif wire == _I64:
            payload, end = pos, pos + 8
        elif wire == _I32:
            payload, end = pos, pos + 4
        elif wire == _LEN:
            n, payload = _varint(buf, pos)
            end = payload + n
        else:
            raise OnnxEditError(f"unsupported wire type {wire}")
        if end > len(buf):
            raise OnnxEditError("truncated field")
        yield num, wire, start, payload, end
        pos = end


def _len_field(num: int, payload: bytes) -> bytes:
    return _put_varint(num << 3 | _LEN) + _put_varint(len(payload)) + payload


def metadata(model: bytes) -> dict[str, str]:
    """The model's metadata_props (key → value), e.g. PP-OCR's "character" list."""
    out: dict[str, str] = {}
    view = memoryview(model)
    for num, wire, _, a, b in _fields(view):
        if num == 14 and wire == _LEN:
            sub = view[a:b]
            entry = {n: bytes(sub[p:e]).decode("utf-8") for n, w, _, p, e in _fields(sub) if w == _LEN}
            out[entry.get(1, "")] = entry.get(2, "")
    return out


def _tensor(buf: memoryview) -> tuple[str, list[int], int, memoryview | None]:
    """(name, dims, data type, raw data) of a TensorProto; the raw data a view into ``buf``, not a copy."""
    name, dims, dtype, raw = "", [], 0, None
    for num, wire, _, a, b in _fields(buf):
        if num == 8 and wire == _LEN:
            name = bytes(buf[a:b]).decode("utf-8")
        elif num == 1 and wire == _LEN:  # packed dims
            pos = a
            while pos < b:
                v, pos = _varint(buf, pos)
                dims.append(v)
        elif num == 1 and wire == _VARINT:
            dims.append(_varint(buf, a)[0])
        elif num == 2 and wire == _VARINT:
            dtype = _varint(buf, a)[0]
        elif num == 9 and wire == _LEN:
            raw = buf[a:b]
    return name, dims, dtype, raw


def _encode_tensor(name: str, array: np.ndarray) -> bytes:
    dims = b"".join(_put_varint(d) for d in array.shape)
    return (
        _len_field(1, dims)
        + _put_varint(2 << 3 | _VARINT)
        + _put_varint(_FLOAT)
        + _len_field(8, name.encode("utf-8"))
        + _len_field(9, np.ascontiguousarray(array, "<f4").tobytes())
    )


def keep_classes(model: bytes, weight: str, bias: str, columns: Sequence[int]) -> bytes:
    """``model`` with only ``columns`` (in that order) of the float initializers ``weight`` (in x out) and
    ``bias`` (out): the layer then scores just those classes. Raises OnnxEditError when either is missing."""
    cols = np.asarray(columns, np.int64)
    view = memoryview(model)
    parts: list[bytes] = []
    found: set[str] = set()
    for num, wire, start, a, b in _fields(view):
        if not (num == 7 and wire == _LEN):
            parts.append(bytes(view[start:b]))
            continue
        graph: list[bytes] = []
        gview = view[a:b]
        for gnum, gwire, gstart, ga, gb in _fields(gview):
            chunk = bytes(gview[gstart:gb])
            if gnum == 5 and gwire == _LEN:
                name, dims, dtype, raw = _tensor(gview[ga:gb])
                if name in (weight, bias):
                    if dtype != _FLOAT or raw is None:
                        raise OnnxEditError(f"{name}: not a raw float tensor")
                    array = np.frombuffer(raw, "<f4").reshape(dims)
                    array = array[:, cols] if name == weight else array[cols]
                    chunk = _len_field(5, _encode_tensor(name, array))
                    found.add(name)
            graph.append(chunk)
        parts.append(_len_field(7, b"".join(graph)))
    missing = {weight, bias} - found
    if missing:
        raise OnnxEditError(f"initializers not found: {', '.join(sorted(missing))}")
    return b"".join(parts)


def output_layer(model: bytes, n_classes: int) -> tuple[str, str]:
    """Names of the float initializers shaped (k, ``n_classes``) and (``n_classes``,): the weight and bias
    of the layer that scores the classes. Raises OnnxEditError unless exactly one of each exists."""
    weights: list[str] = []
    biases: list[str] = []
    view = memoryview(model)
    for num, wire, _, a, b in _fields(view):
        if num == 7 and wire == _LEN:
            gview = view[a:b]
            for gnum, gwire, _, ga, gb in _fields(gview):
                if gnum == 5 and gwire == _LEN:
                    name, dims, dtype, _raw = _tensor(gview[ga:gb])
                    if dtype == _FLOAT and len(dims) == 2 and dims[1] == n_classes:
                        weights.append(name)
                    elif dtype == _FLOAT and dims == [n_classes]:
                        biases.append(name)
    if len(weights) != 1 or len(biases) != 1:
        raise OnnxEditError(f"no single output layer of {n_classes} classes ({weights}, {biases})")
    return weights[0], biases[0]
