"""The PP-OCR backend of :class:`~img2xlsx.ocr.reader.TextReader`: a learned text detector + recogniser
on onnxruntime.

The ONNX models ship inside the ``rapidocr`` wheel (``rapidocr/models/``): nothing is downloaded at run
time, and rapidocr's own Python code (config parsing, downloads, drawing) is never imported — only its model
files are read, by onnxruntime sessions created once per process and shared by every thread
(``InferenceSession.run`` is thread-safe). For Latin pages the recogniser's output layer is cut at load to
the classes a page may hold plus the CJK signs smudges go to (:mod:`.onnx_slice`; a fifth of its time went
to scoring 18,710 classes); the prepared models are kept on disk for the next process (:mod:`.ppocr_prepare`).
Detection (DB) finds text lines; recognition (CTC) reads each
line crop in batches of similar width. PP-OCR works on lines, the table code on words: a line is split at
the spaces the recogniser emits, each word's box taken from its characters' CTC time steps and tightened to
the ink inside.
"""

from __future__ import annotations

import importlib.util
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from . import onnx_slice
from .pool import ocr_threads, rec_pool
from .ppocr_alphabet import (
    FULL_ALPHABET_LANGS,
    LETTERS,
    SHADOW_FILE,
    class_columns,
    letter_prior,
    shadow_chars,
    with_prior,
)
from .ppocr_alphabet import lang_chars as _lang_chars
from .ppocr_decode import (
    Line,
    as_gray,
    content_box,
    ctc_chars,
    db_boxes,
    ink_box,
    pad_box,
    split_line,
    text_conf,
)
from .ppocr_prepare import prepared_detector, prepared_recogniser
from .words import BBox, OcrUnavailableError, Word, clip_box

__all__ = ["LETTERS", "SHADOW_FILE", "PpocrReader", "class_columns"]  # the alphabet's names, as before

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
MODELS_ENV = "IMG2XLSX_PPOCR_MODELS"  # a folder holding the two models, instead of the wheel's
# A detector model file to load instead of the models folder's: an experiment's, e.g. the 8-bit detector
# bench/ppocr_quantize.py makes (2.3x faster; not the default: it turned one val photo's reading upside down).
DET_ENV = "IMG2XLSX_PPOCR_DET"

# Detection runs on the page scaled so its text is about this tall (px, the normaliser's 75th-percentile
# glyph height): DB cost grows with the pixels, and text of this size is still found (see ppocr-probe).
DET_TEXT_PX = 10.0
PAGE_TEXT_PX = 18.0  # a normalised page's body text height (page.normalize.TARGET_TEXT_PX; a test checks)
DET_MAX_SIDE = 2400  # and never more than this many px per side
DET_MIN_SIDE = 64
REC_HEIGHT = 48
REC_STRIDE = 8  # input px per CTC time step
REC_BATCH = 8  # line crops per recognition call (sorted by width so little padding is wasted)
REC_BATCH_PX = 1536  # input columns per batch at most: bounds the output (~15 MB); 4096 was slower, +120 MB
REC_MIN_RATIO = 2.0  # a batch is at least this many heights wide (narrower crops are padded)
REC_PAD = 0.0  # value (after normalisation to -1..1) the batch is padded with: PaddleOCR's grey
REC_MAX_RATIO = 40.0  # a crop wider than this many heights is cut into pieces


@dataclass
class _Models:
    det: Any
    rec: Any
    det_input: str
    rec_input: str
    charset: list[str]  # the recogniser's output column -> character; 0 is the CTC blank
    read: np.ndarray  # the output columns a page may be read as (the others only share the softmax)


_lock = threading.Lock()
_models: dict[tuple[int, str | None], _Models] = {}
_dets: dict[int, Any] = {}


def models_dir() -> Path:
    """Where the ONNX models are: $IMG2XLSX_PPOCR_MODELS, else the installed rapidocr package's models/."""
    env = os.environ.get(MODELS_ENV)
    if env:
        return Path(env)
    spec = importlib.util.find_spec("rapidocr")  # located, not imported: its import pulls in much more
    if spec is None or not spec.submodule_search_locations:
        raise OcrUnavailableError("PP-OCR needs the rapidocr package (its wheel ships the models)")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def det_model_path() -> Path:
    """The detector to load: $IMG2XLSX_PPOCR_DET if set, else the one next to the recogniser."""
    env = os.environ.get(DET_ENV, "").strip()
    return Path(env) if env else models_dir() / DET_MODEL


def _session_threads() -> int:
    return ocr_threads()


def _options(threads: int) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    opts.enable_cpu_mem_arena = False  # the arena keeps the largest page's buffers for the process's life
    # reads overlap on the OCR pool's threads: waiting threads sleep instead of spinning on the CPU
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return opts


def _load(threads: int, chars: str | None = None) -> _Models:
    """The sessions for ``threads``; the recogniser cut down to ``chars`` (None: its whole alphabet)."""
    with _lock:
        m = _models.get((threads, chars))
        if m is not None:
            return m
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - depends on the deployment
            raise OcrUnavailableError("PP-OCR needs onnxruntime") from exc
        paths = [det_model_path(), models_dir() / REC_MODEL]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise OcrUnavailableError(f"PP-OCR model files missing: {', '.join(missing)}")
        providers = ["CPUExecutionProvider"]
        det = _dets.get(threads)
        if det is None:
            # the detector's denormal weights made two small layers 2/3 of its time (see onnx_denormals); the
            # recogniser holds a few hundred, flushing them measured no faster, so it is left as it is
            det_model = prepared_detector(paths[0])
            det = _dets[threads] = ort.InferenceSession(
                det_model, sess_options=_options(threads), providers=providers
            )
            del det_model
        model, sliced = prepared_recogniser(paths[1], chars)
        keys = onnx_slice.metadata(model).get("character")  # (a cut model keeps the full list)
        if not keys:
            raise OcrUnavailableError(f"{paths[1]} carries no character list")
        charset = ["", *keys.splitlines(), " "]
        read = np.arange(len(charset), dtype=np.int64)
        if chars is not None:
            cols, n_read = class_columns(charset, chars, shadow_chars())
            if sliced:
                charset = [charset[i] for i in cols]
                read = np.arange(n_read, dtype=np.int64)
            else:  # another export: read the full output, keep the columns
                read = np.asarray(cols[:n_read], np.int64)
        # one intra-op thread: recognition runs its batches side by side instead (see PpocrReader.recognize)
        rec = ort.InferenceSession(model, sess_options=_options(1), providers=providers)
        del model
        m = _Models(det, rec, det.get_inputs()[0].name, rec.get_inputs()[0].name, charset, read)
        _models[(threads, chars)] = m
        return m


_orphans: list[_Models] = []  # sessions a forked child inherited: kept, never destroyed (see _forget)


def _forget() -> None:
    """A forked child re-creates its sessions (onnxruntime's thread pools do not survive a fork).

    The inherited sessions are kept alive, never destroyed: their destructors would join thread-pool threads
    that do not exist in the child and hang it for good (seen here: a PDF render child, forked after an
    image was read, never started)."""
    global _lock
    _orphans.extend(_models.values())
    _models.clear()
    _dets.clear()
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)


_UNSET = "\0unset"  # a reader's characters not worked out yet (None means the whole alphabet)


class PpocrReader:
    """PP-OCR text reader (see the module docstring); thread-safe, its sessions shared per process.

    ``langs`` restricts the characters read: the recogniser's alphabet also holds ~18,000 CJK signs, which
    it otherwise picks for smudges on Latin pages.
    """

    name = "ppocr"
    misses_isolated_text = False  # DB detection finds every text line, lone digits included

    def __init__(
        self,
        langs: Sequence[str] = ("eng",),
        *,
        det_text_px: float = DET_TEXT_PX,
        det_max_side: int = DET_MAX_SIDE,
        rec_batch: int = REC_BATCH,
        rec_min_ratio: float = REC_MIN_RATIO,
        rec_pad: float = REC_PAD,
        rec_vgrow: float = 0.0,
        threads: int | None = None,
    ) -> None:
        self.langs = tuple(langs)
        self.det_text_px = det_text_px
        self.det_max_side = det_max_side
        self.rec_batch = rec_batch
        self.rec_min_ratio = rec_min_ratio
        self.rec_pad = rec_pad
        self.rec_vgrow = rec_vgrow
        self._threads = threads
        self._allowed: np.ndarray | None = None
        self._prior: np.ndarray | None = None  # per allowed class (ppocr_alphabet.letter_prior)
        self._chars: str | None = _UNSET

    # ---- sessions -------------------------------------------------------------------------------------
    def _m(self) -> _Models:
        if self._chars is _UNSET:  # worked out once: every read asks for the sessions
            full = bool(FULL_ALPHABET_LANGS & set(self.langs))
            self._chars = None if full else _lang_chars(self.langs)
        m = _load(self._threads or _session_threads(), self._chars)
        if self._allowed is None:
            self._prior = letter_prior([m.charset[i] for i in m.read], self.langs)
            self._allowed = m.read
        return m

    def alphabet(self) -> frozenset[str]:
        """The characters this reader can emit: its languages' (:func:`_lang_chars`) that the model knows."""
        charset = frozenset(self._m().charset)  # (and works out self._chars)
        return charset if self._chars is None else charset & frozenset(self._chars)

    def ready(self) -> None:
        """Load the models now (the image build checks them; a warm start reads sooner)."""
        self._m()

    # ---- detection ------------------------------------------------------------------------------------
    def detect(self, gray: np.ndarray, text_px: float | None = None) -> list[BBox]:
        """Text-line boxes (x0, y0, x1, y1) of ``gray``, top to bottom then left to right.

        ``text_px``: the text height of ``gray`` if known; the image is scaled so that text is about
        ``det_text_px`` tall for the detector (and to at most ``det_max_side``).
        """
        h, w = gray.shape[:2]
        if h < 4 or w < 4:
            return []
        scale = 1.0 if not text_px else self.det_text_px / float(text_px)
        scale = min(scale, self.det_max_side / max(h, w))
        # only the inked part of the page is detected on: DB's cost follows the pixels it is given
        ox, oy, cw, ch = content_box(gray, text_px or PAGE_TEXT_PX)
        if cw < 4 or ch < 4:
            return []
        crop = gray[oy : oy + ch, ox : ox + cw]
        # multiples of 32, at least DET_MIN_SIDE: the DB network downsamples by 32
        dh = max(DET_MIN_SIDE, round(ch * scale / 32) * 32)
        dw = max(DET_MIN_SIDE, round(cw * scale / 32) * 32)
        interp = cv2.INTER_AREA if dh < ch else cv2.INTER_LINEAR
        small = cv2.resize(crop, (dw, dh), interpolation=interp)
        x = (small.astype(np.float32) / 127.5 - 1.0)[None, None]
        x = np.ascontiguousarray(np.repeat(x, 3, axis=1))
        m = self._m()
        prob = m.det.run(None, {m.det_input: x})[0][0, 0]
        boxes = db_boxes(prob, cw / dw, ch / dh, cw, ch)
        return [(x0 + ox, y0 + oy, x1 + ox, y1 + oy) for x0, y0, x1, y1 in boxes]

    # ---- recognition ----------------------------------------------------------------------------------
    def recognize(self, gray: np.ndarray, boxes: Sequence[BBox]) -> list[Line]:
        """Read each box of ``gray`` as one text line, in batches; characters placed in ``gray`` px."""
        crops: list[tuple[int, np.ndarray, int, int]] = []  # (box index, crop, x offset, piece width)
        for i, (x0, y0, x1, y1) in enumerate(boxes):
            grow = round(self.rec_vgrow * (y1 - y0) / 2)
            crop = gray[max(0, y0 - grow) : y1 + grow, x0:x1]
            ch, cw = crop.shape[:2]
            if ch < 2 or cw < 2:
                continue
            piece = int(ch * REC_MAX_RATIO)
            for px in range(0, cw, piece):
                part = crop[:, px : px + piece]
                if part.shape[1] >= 2:
                    crops.append((i, part, x0 + px, y0))
        m = self._m()
        order = sorted(range(len(crops)), key=lambda k: crops[k][1].shape[1] / crops[k][1].shape[0])
        batches = self._batches([crops[k] for k in order])
        threads = self._threads or _session_threads()
        if threads > 1 and len(batches) > 1:
            # single-threaded sessions, batches side by side: less CPU than splitting each small batch's
            # convolutions over threads (train pages: -10% CPU), and as fast
            read = list(rec_pool(threads).map(lambda b: self._read_batch(m, b), batches))
        else:
            read = [self._read_batch(m, b) for b in batches]
        pieces: dict[int, list[tuple[int, list[tuple[str, float, float, float]]]]] = {}
        for batch_chars in read:
            for i, ox, chars in batch_chars:
                pieces.setdefault(i, []).append((ox, chars))
        # a line cut into pieces: its pieces left to right (batches hold them in order of width)
        results = {i: [c for _, cs in sorted(ps, key=lambda p: p[0]) for c in cs] for i, ps in pieces.items()}
        lines: list[Line] = []
        for i, box in enumerate(boxes):
            chars = results.get(i, [])
            text = "".join(c for c, _, _, _ in chars).strip()
            if not text:
                continue
            conf = text_conf(chars)
            lines.append(Line(box, " ".join(text.split()), conf, chars))
        return lines

    def _read_batch(
        self, m: _Models, batch: list[tuple[int, np.ndarray, int, int]]
    ) -> list[tuple[int, int, list[tuple[str, float, float, float]]]]:
        """One recognition call: each crop's box index, left edge and characters, in ``batch`` order."""
        allowed = self._allowed
        assert allowed is not None
        widths = [max(REC_STRIDE, math.ceil(REC_HEIGHT * c.shape[1] / c.shape[0])) for _, c, _, _ in batch]
        width = max(max(widths), int(REC_HEIGHT * self.rec_min_ratio))
        width = -(-width // REC_STRIDE) * REC_STRIDE
        x = np.full((len(batch), 3, REC_HEIGHT, width), self.rec_pad, np.float32)
        for j, ((_, crop, _, _), rw) in enumerate(zip(batch, widths, strict=True)):
            resized = cv2.resize(crop, (rw, REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
            x[j, :, :, :rw] = resized.astype(np.float32) / 127.5 - 1.0
        preds = m.rec.run(None, {m.rec_input: x})[0]
        sub = with_prior(preds, allowed, self._prior)  # a marked letter of no language of the page: unlikely
        best = sub.argmax(axis=2)
        probs = np.take_along_axis(sub, best[:, :, None], axis=2)[:, :, 0]
        steps = preds.shape[1]
        out = []
        for j, (i, crop, ox, _) in enumerate(batch):
            px_per_step = (width / steps) * crop.shape[1] / widths[j]
            out.append((i, ox, ctc_chars(allowed[best[j]], probs[j], m.charset, px_per_step, ox)))
        return out

    def _batches(
        self, crops: list[tuple[int, np.ndarray, int, int]]
    ) -> list[list[tuple[int, np.ndarray, int, int]]]:
        """Crops (sorted by width) grouped into batches of at most ``rec_batch`` crops and REC_BATCH_PX
        padded input columns: the full recogniser's output holds ~18,700 class scores per 8 columns, so a
        batch of wide lines would take hundreds of MB (Chinese pages read with it)."""
        out: list[list[tuple[int, np.ndarray, int, int]]] = []
        cur: list[tuple[int, np.ndarray, int, int]] = []
        for item in crops:
            w = max(REC_HEIGHT * self.rec_min_ratio, REC_HEIGHT * item[1].shape[1] / item[1].shape[0])
            if cur and (len(cur) >= self.rec_batch or (len(cur) + 1) * w > REC_BATCH_PX):
                out.append(cur)
                cur = []
            cur.append(item)
        if cur:
            out.append(cur)
        return out

    def words(self, gray: np.ndarray, lines: list[Line]) -> list[Word]:
        """The words of recognised lines, boxes in ``gray``; line ``n`` gets line_id ``(n,)``."""
        words: list[Word] = []
        for n, line in enumerate(lines):
            words.extend(split_line(gray, line, (n,)))
        return words

    # ---- the reader interface -------------------------------------------------------------------------
    def read_page(
        self, gray: np.ndarray, *, threads: int | None = None, text_px: float | None = None
    ) -> list[Word]:
        """Every word of a whole normalised page, in page coordinates (one line_id per detected line)."""
        gray = as_gray(gray)
        if gray.size == 0:
            return []
        boxes = self.detect(gray, text_px or PAGE_TEXT_PX)
        return self.words(gray, self.recognize(gray, boxes))

    def read_words(self, gray: np.ndarray, *, mode: str = "sparse") -> list[Word]:
        """Words of a crop or strip, boxes relative to it. ``mode`` "line": the crop is one text line and
        is read without detection; "sparse"/"block": lines are detected first."""
        gray = as_gray(gray)
        if gray.size == 0 or gray.shape[0] < 4 or gray.shape[1] < 4:
            return []
        if mode == "line":
            box = ink_box(gray)
            boxes = [] if box is None else [pad_box(box, gray.shape, 0.25)]
        else:
            boxes = self.detect(gray, None)
        return self.words(gray, self.recognize(gray, boxes))

    def read_region(self, gray: np.ndarray, bbox: BBox, *, single_line: bool = False) -> tuple[str, float]:
        """One cell re-read: its text (lines joined by newlines) and mean confidence 0..1."""
        gray = as_gray(gray)
        clipped = clip_box(bbox, gray.shape)
        if clipped is None:
            return "", 0.0
        x0, y0, x1, y1 = clipped
        crop = gray[y0:y1, x0:x1]
        if single_line:
            box = ink_box(crop)
            boxes = [] if box is None else [pad_box(box, crop.shape, 0.25)]
        else:
            boxes = self.detect(crop, None)
        lines = self.recognize(crop, boxes)
        if not lines:
            return "", 0.0
        text = "\n".join(ln.text for ln in lines)
        conf = float(np.mean([ln.conf for ln in lines]))
        return text, max(0.0, min(1.0, conf))
