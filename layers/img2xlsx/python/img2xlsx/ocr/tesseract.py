"""The Tesseract backend of :class:`~img2xlsx.ocr.reader.TextReader`.

tesserocr (libtesseract in-process, ~5 ms per small crop) is used when importable; otherwise pytesseract
(one subprocess per call, ~100 ms). Each thread gets its own tesserocr API object because a TessBaseAPI is
not thread-safe; OpenMP inside Tesseract is limited to one thread (``OMP_THREAD_LIMIT=1``) since
oversubscribed OpenMP threads make Tesseract several times slower. Parallelism is ours instead: the page pass
reads horizontal bands of the page on up to ``ocr_threads()`` threads (tesserocr releases the GIL).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # must be set before libtesseract / OpenMP initialise

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import cv2
import numpy as np

from img2xlsx.page.clean import has_dark_fill

from . import pool
from .bands import BAND_PAD, band_cuts, cut_bands, pin_threshold
from .words import BBox, OcrUnavailableError, Word, clip_box

# Page segmentation for the whole-page pass. Sparse text (11) finds words anywhere without assuming a reading
# order of paragraphs, which suits table cells separated by wide gaps or rulings. Bag-of-words recall against
# the bench cell texts (50 normalised images; clean/lowres/photo/scan): 11 -> .96/.83/.95/.97,
# 3 -> .97/.81/.92/.97, 12 -> .96/.82/.94/.96, 6 -> .92/.75/.91/.94.
PAGE_PSM = 11
MODES = {"sparse": PAGE_PSM, "block": 6, "line": 7}  # TextReader modes -> page segmentation modes
LANG = "eng"
_BLOCKS_PER_BAND = 1_000_000  # line_id block offset per band
_TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)


@lru_cache(maxsize=1)
def tessdata_dir() -> str | None:
    """Folder holding ``eng.traineddata``: TESSDATA_PREFIX first, then the usual distro locations."""
    env = os.environ.get("TESSDATA_PREFIX")
    candidates = ([env, os.path.join(env, "tessdata")] if env else []) + list(_TESSDATA_CANDIDATES)
    for folder in candidates:
        if folder and os.path.isfile(os.path.join(folder, f"{LANG}.traineddata")):
            return folder
    return None


def check_language_data(langs: Sequence[str]) -> None:
    """Raise :class:`OcrUnavailableError` naming the first of ``langs`` whose ``.traineddata`` is missing
    (and the Debian package that has it), before any page is read: a clear message, not a crash mid-page.
    Without a known tessdata folder the check is left to Tesseract itself."""
    folder = tessdata_dir()
    if folder is None:
        return
    for lang in langs:
        if not os.path.isfile(os.path.join(folder, f"{lang}.traineddata")):
            package = "tesseract-ocr-" + lang.replace("_", "-")
            raise OcrUnavailableError(
                f"Tesseract has no language data for {lang!r} in {folder} (install the {package} package)"
            )


@lru_cache(maxsize=1)
def _tesserocr() -> Any | None:
    try:
        import tesserocr
    except ImportError:  # pragma: no cover - depends on the deployment
        return None
    return tesserocr


def _pytesseract() -> Any:
    try:
        import pytesseract
    except ImportError as exc:  # pragma: no cover - depends on the deployment
        raise OcrUnavailableError("no OCR backend: install tesserocr or pytesseract + tesseract") from exc
    return pytesseract


def _check_gray(gray: np.ndarray) -> np.ndarray:
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray, cv2.COLOR_RGB2GRAY)
    if gray.dtype != np.uint8:
        gray = np.clip(gray, 0, 255).astype(np.uint8)
    return gray


def _set_image(api: Any, gray: np.ndarray) -> None:
    img = np.ascontiguousarray(gray, dtype=np.uint8)
    h, w = img.shape[:2]
    api.SetVariable("tessedit_do_invert", "1" if has_dark_fill(img) else "0")
    api.SetImageBytes(img.tobytes(), w, h, 1, w)


class TesseractReader:
    """Tesseract through tesserocr (one API per thread), pytesseract when tesserocr is missing."""

    name = "tesseract"
    misses_isolated_text = True

    def __init__(self, langs: Sequence[str] = ("eng",)) -> None:
        self.langs = tuple(langs)
        self._lang = "+".join(self.langs)
        check_language_data(self.langs)
        self._local = threading.local()
        pool.set_serial(_tesserocr() is None)  # pytesseract: one subprocess after another

    def _api(self, psm: int) -> Any:
        """This thread's tesserocr API, initialised once; the PSM is switched per call (cheap)."""
        tesserocr = _tesserocr()
        assert tesserocr is not None
        api = getattr(self._local, "api", None)
        if api is None:
            folder = tessdata_dir()
            kwargs: dict[str, Any] = {"lang": self._lang, "oem": tesserocr.OEM.LSTM_ONLY}
            if folder:
                kwargs["path"] = folder.rstrip("/") + "/"
            try:
                api = tesserocr.PyTessBaseAPI(**kwargs)
            except RuntimeError as exc:
                raise OcrUnavailableError(
                    f"Tesseract could not load language data '{self._lang}': {exc}"
                ) from exc
            self._local.api = api
        api.SetPageSegMode(psm)
        return api

    def read_words(self, gray: np.ndarray, *, mode: str = "sparse") -> list[Word]:
        """Every word of ``gray`` with its box and confidence, in Tesseract's reading order."""
        if mode not in MODES:
            raise ValueError(f"unknown read mode {mode!r}: choose one of {', '.join(MODES)}")
        gray = _check_gray(gray)
        if gray.size == 0:
            return []
        return self._words(gray, MODES[mode])

    def _words(self, gray: np.ndarray, psm: int) -> list[Word]:
        if _tesserocr() is not None:
            return self._words_tesserocr(gray, psm)
        return self._words_pytesseract(gray, psm)

    def read_page(self, gray: np.ndarray, *, threads: int | None = None) -> list[Word]:
        """A whole page in sparse mode (rules not erased), its bands read on parallel threads.

        Words keep page coordinates; each band's Tesseract blocks get their own ``line_id`` range.
        """
        gray = _check_gray(gray)
        gray, ink_below = pin_threshold(gray)
        threads = pool.ocr_threads() if threads is None else threads
        cuts = band_cuts(gray, threads, ink_below) if _tesserocr() is not None else []
        if not cuts:
            return self.read_words(gray)
        bounds, bands = cut_bands(gray, cuts)
        results = list(pool.pool(threads).map(lambda band: self._words_tesserocr(band, PAGE_PSM), bands))
        words: list[Word] = []
        for i, ((y0, _), band_words) in enumerate(zip(bounds, results, strict=True)):
            dy = y0 - BAND_PAD
            for w in band_words:
                x0, b0, x1, b1 = w.bbox
                block = i * _BLOCKS_PER_BAND + w.line_id[0]
                words.append(Word(w.text, w.conf, (x0, b0 + dy, x1, b1 + dy), (block, *w.line_id[1:])))
        return words

    def read_region(
        self, gray: np.ndarray, bbox: BBox, *, single_line: bool = False, pad: int = 6
    ) -> tuple[str, float]:
        """Re-read one box (a cell): the text (lines joined by newlines) and its mean confidence 0..1.

        The crop is surrounded by a white margin because Tesseract misreads glyphs touching the image edge.
        """
        gray = _check_gray(gray)
        clipped = clip_box(bbox, gray.shape)
        if clipped is None:
            return "", 0.0
        x0, y0, x1, y1 = clipped
        crop = np.pad(gray[y0:y1, x0:x1], pad, mode="constant", constant_values=255)
        psm = 7 if single_line else 6
        if _tesserocr() is not None:
            api = self._api(psm)
            _set_image(api, crop)
            try:
                text = api.GetUTF8Text() or ""
            except RuntimeError:
                text = ""
            conf = api.MeanTextConf() / 100.0
            api.Clear()
        else:
            words = self._words_pytesseract(crop, psm)
            lines: dict[tuple[int, ...], list[str]] = {}
            for word in words:
                lines.setdefault(word.line_id, []).append(word.text)
            text = "\n".join(" ".join(v) for v in lines.values())
            conf = float(np.mean([wd.conf for wd in words])) if words else 0.0
        text = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
        if not text:
            return "", 0.0
        return text, max(0.0, min(1.0, conf))

    def _words_tesserocr(self, gray: np.ndarray, psm: int) -> list[Word]:
        tesserocr = _tesserocr()
        assert tesserocr is not None
        ril = tesserocr.RIL
        api = self._api(psm)
        _set_image(api, gray)
        api.Recognize()
        it = api.GetIterator()
        words: list[Word] = []
        if it is None:
            return words
        block = par = line = -1
        while True:
            if it.IsAtBeginningOf(ril.BLOCK):
                block, par, line = block + 1, -1, -1
            if it.IsAtBeginningOf(ril.PARA):
                par, line = par + 1, -1
            if it.IsAtBeginningOf(ril.TEXTLINE):
                line += 1
            box = it.BoundingBox(ril.WORD)
            try:
                text = (it.GetUTF8Text(ril.WORD) or "").strip()
            except RuntimeError:  # tesserocr raises on an empty result instead of returning ""
                text = ""
            if text and box is not None:
                x0, y0, x1, y1 = box
                conf = max(0.0, min(1.0, it.Confidence(ril.WORD) / 100.0))
                words.append(Word(text, conf, (int(x0), int(y0), int(x1), int(y1)), (block, par, line)))
            if not it.Next(ril.WORD):
                break
        api.Clear()
        return words

    def _words_pytesseract(self, gray: np.ndarray, psm: int) -> list[Word]:
        pytesseract = _pytesseract()
        data = pytesseract.image_to_data(
            gray, lang=self._lang, config=f"--oem 1 --psm {psm}", output_type=pytesseract.Output.DICT
        )
        words: list[Word] = []
        for i, raw in enumerate(data["text"]):
            text = (raw or "").strip()
            conf = float(data["conf"][i])
            if not text or conf < 0:
                continue
            x0, y0 = int(data["left"][i]), int(data["top"][i])
            x1, y1 = x0 + int(data["width"][i]), y0 + int(data["height"][i])
            line_id = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
            words.append(Word(text, max(0.0, min(1.0, conf / 100.0)), (x0, y0, x1, y1), line_id))
        return words
