"""PP-OCR's model bytes as its sessions load them: edited, optimised, and kept in the model cache.

The detector's denormal weights are flushed (:mod:`.onnx_denormals`), the recogniser's output layer is cut
to a page's classes (:mod:`.onnx_slice`). A fresh process used to redo both (~0.1 s of CPU, beside the page
preparation); :mod:`.model_cache` now stores the result once, together with onnxruntime's extended graph
optimisations of it, and later processes read it back (model load: 0.33 -> 0.17 s of CPU).
"""

from __future__ import annotations

import hashlib
import tempfile
from functools import cache
from pathlib import Path

from . import model_cache, onnx_denormals, onnx_slice, ppocr_alphabet
from .ppocr_alphabet import class_columns, shadow_chars


def prepared_detector(path: Path) -> bytes:
    """The detector at ``path`` with its denormal weights flushed (see :mod:`.onnx_denormals`)."""
    return _prepared(path, "flush-denormals", _flushed)


def prepared_recogniser(path: Path, chars: str | None) -> tuple[bytes, bool]:
    """The recogniser's bytes, its output layer cut to ``chars`` and the shadow signs, and whether it was cut
    (not for None, the whole alphabet, nor for an export laid out otherwise). A cut model keeps its full
    character list in its metadata."""
    if chars is None:
        return path.read_bytes(), False
    shadow = shadow_chars()

    def cut(model: bytes) -> bytes:
        keys = onnx_slice.metadata(model).get("character")
        if not keys:
            raise onnx_slice.OnnxEditError("no character list")
        charset = ["", *keys.splitlines(), " "]
        cols, _ = class_columns(charset, chars, shadow)
        weight, bias = onnx_slice.output_layer(model, len(charset))
        return onnx_slice.keep_classes(model, weight, bias, cols)

    recipe = "keep-classes\0" + chars + "\0" + "".join(sorted(shadow))
    try:
        return _prepared(path, recipe, cut), True
    except onnx_slice.OnnxEditError:
        return path.read_bytes(), False


def _prepared(path: Path, recipe: str, make: model_cache.Make) -> bytes:
    """``make(path's bytes)`` through the model cache; a stored entry is also optimised already (see
    :func:`optimized`), so that its sessions start faster too."""
    import onnxruntime as ort

    recipe = f"{recipe}\0optimized by onnxruntime {ort.__version__} (extended)\0code {code_digest()}"
    return model_cache.prepared(path, recipe, make, optimized)


@cache
def code_digest() -> str:
    """A digest of the modules that make the prepared bytes: an entry made by other code is never read."""
    h = hashlib.sha256()
    for name in (onnx_slice.__file__, onnx_denormals.__file__, ppocr_alphabet.__file__, __file__):
        try:
            h.update(Path(name or "").read_bytes())
        except OSError:  # an install without sources: its modules' names at least
            h.update(str(name).encode())
    return h.hexdigest()


def optimized(model: bytes) -> bytes:
    """``model`` as onnxruntime's extended graph optimisations leave it (fused nodes, folded constants).
    Sessions are made at ORT_ENABLE_ALL either way; from these bytes only the layout step is left to do at
    load (about half the recogniser's session time). Not the ENABLE_ALL form: its NCHWc layout is for the
    CPU it was made on, and the converter image is built on another machine than the one it runs on. The
    same outputs, checked bit for bit on bench pages. The model as it was when onnxruntime cannot save it."""
    import onnxruntime as ort

    try:
        with tempfile.TemporaryDirectory(prefix="img2xlsx-ort-") as tmp:
            out = Path(tmp) / "model.onnx"
            opts = ort.SessionOptions()
            opts.log_severity_level = 3
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
            opts.optimized_model_filepath = str(out)
            ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])
            saved = out.read_bytes()
    except Exception:  # any failure to save only costs the saving
        return model
    # the character list travels in the metadata: a model saved without it would be unusable
    return saved if onnx_slice.metadata(saved) == onnx_slice.metadata(model) else model


def _flushed(model: bytes) -> bytes:
    return onnx_denormals.flush_denormals(model)[0]
