"""Words and their boxes from a normalised page, through Tesseract.

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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np

BBox = tuple[int, int, int, int]

# Page segmentation for the whole-page pass. Sparse text (11) finds words anywhere without assuming a reading
# order of paragraphs, which suits table cells separated by wide gaps or rulings. Bag-of-words recall against
# the bench cell texts (50 normalised images; clean/lowres/photo/scan): 11 -> .96/.83/.95/.97,
# 3 -> .97/.81/.92/.97, 12 -> .96/.82/.94/.96, 6 -> .92/.75/.91/.94.
PAGE_PSM = 11
LANG = "eng"
RULE_MIN_LEN = 40  # px: strokes at least this long are rulings, not glyphs (body text is ~15 px tall)
# Median grey below which an area is a dark fill that may carry light text (bench pages: paper and zebra
# or header fills >= 175; only photos with a dark table top around the page go lower)
DARK_FILL = 140
FILL_CLOSE = 15  # px: a closing this wide covers the light glyph strokes inside a dark fill
FILL_SOLID = 0.6  # share of its bounding box a dark fill covers (bands, cells ~1; a photo's surround ~0.1)
_TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)


@dataclass(frozen=True)
class Word:
    """One recognised word; ``bbox`` in pixels of the image given to :func:`read_words`, x1/y1 exclusive."""

    text: str
    conf: float  # 0..1
    bbox: BBox
    line_id: tuple[int, ...]  # (block, paragraph, line) as numbered by Tesseract: equal ids = same text line


class OcrUnavailableError(RuntimeError):
    """Neither tesserocr nor the tesseract binary can be used: a deployment problem, not bad input."""


@lru_cache(maxsize=1)
def tessdata_dir() -> str | None:
    """Folder holding ``eng.traineddata``: TESSDATA_PREFIX first, then the usual distro locations."""
    env = os.environ.get("TESSDATA_PREFIX")
    candidates = ([env, os.path.join(env, "tessdata")] if env else []) + list(_TESSDATA_CANDIDATES)
    for folder in candidates:
        if folder and os.path.isfile(os.path.join(folder, f"{LANG}.traineddata")):
            return folder
    return None


@lru_cache(maxsize=1)
def _tesserocr() -> Any | None:
    try:
        import tesserocr
    except ImportError:  # pragma: no cover - depends on the deployment
        return None
    return tesserocr


_local = threading.local()


def _api(psm: int) -> Any:
    """This thread's tesserocr API, initialised once; the PSM is switched per call (cheap)."""
    tesserocr = _tesserocr()
    assert tesserocr is not None
    api = getattr(_local, "api", None)
    if api is None:
        folder = tessdata_dir()
        kwargs: dict[str, Any] = {"lang": LANG, "oem": tesserocr.OEM.LSTM_ONLY}
        if folder:
            kwargs["path"] = folder.rstrip("/") + "/"
        try:
            api = tesserocr.PyTessBaseAPI(**kwargs)
        except RuntimeError as exc:
            raise OcrUnavailableError(f"Tesseract could not load language data '{LANG}': {exc}") from exc
        _local.api = api
    api.SetPageSegMode(psm)
    return api


def has_dark_fill(gray: np.ndarray) -> bool:
    """Some area of ``gray`` is dark under its text: a ~36 px window whose median is below DARK_FILL.

    Light-on-dark text can only sit on such a fill; a page without one never gains from Tesseract
    re-reading every doubtful line inverted (``tessedit_do_invert``, ~13 % of a page pass).
    """
    import cv2

    small = np.ascontiguousarray(gray[::4, ::4])
    if small.size == 0:
        return False
    return int(cv2.medianBlur(small, 9).min()) < DARK_FILL


def lighten_dark_fills(gray: np.ndarray, original: np.ndarray | None = None) -> np.ndarray:
    """``gray`` with its dark fills (header bands, shaded cells) inverted and their inverted fill stretched
    to white: light text on a dark band becomes black text on white, which Tesseract reads like the rest of
    the page. Its own inverted retry read "Reg" for "Region" and "Ma" for "Margin" in white on navy, and a
    bare inversion of a mid-grey fill binarises as one black box.

    ``original``: the same page before illumination flattening, if ``gray`` was flattened. Fills are found
    on ``gray`` (even light: a photo's dark corners are not fills) but their pixels are taken from
    ``original``, because flattening takes a band's light glyphs for paper and lifts the fill around them.
    """
    import cv2

    if not has_dark_fill(gray):
        return gray
    src = original if original is not None and original.shape == gray.shape else gray
    close = cv2.getStructuringElement(cv2.MORPH_RECT, (FILL_CLOSE, FILL_CLOSE))
    # windows are judged after a closing wider than glyph strokes: dense dark text is closed away (it could
    # make a window's median dark), a fill stays dark with its light glyphs
    small = np.ascontiguousarray(cv2.morphologyEx(gray, cv2.MORPH_CLOSE, close)[::4, ::4])
    _, _, stats, _ = cv2.connectedComponentsWithStats(
        (cv2.medianBlur(small, 9) < DARK_FILL).astype(np.uint8), connectivity=8
    )
    h, w = gray.shape[:2]
    region = np.zeros((h, w), np.uint8)
    for x, y, bw, bh, area in stats[1:]:
        if area < FILL_SOLID * bw * bh:
            continue  # a fill is a solid box; a frame or the dark table top around a photo's page is not
        # the box around the fill's windows, one window wider: the median shrinks a fill at its edges
        region[max(0, 4 * y - 8) : 4 * (y + bh) + 8, max(0, 4 * x - 8) : 4 * (x + bw) + 8] = 1
    if not region.any():
        return gray
    # the fill's own pixels: dark pixels closed over the glyphs they surround (paper beside the fill stays)
    fill = (cv2.morphologyEx((src < DARK_FILL).astype(np.uint8), cv2.MORPH_CLOSE, close) > 0) & (region > 0)
    inverted = 255.0 - src.astype(np.float32)
    paper = cv2.dilate(inverted, close)  # around each pixel, the inverted fill: the band's new paper
    out = gray.copy()
    out[fill] = np.clip(inverted[fill] * 255.0 / np.maximum(paper[fill], 1.0), 0, 255).astype(np.uint8)
    return out


def _set_image(api: Any, gray: np.ndarray) -> None:
    img = np.ascontiguousarray(gray, dtype=np.uint8)
    h, w = img.shape[:2]
    api.SetVariable("tessedit_do_invert", "1" if has_dark_fill(img) else "0")
    api.SetImageBytes(img.tobytes(), w, h, 1, w)


def _check_gray(gray: np.ndarray) -> np.ndarray:
    if gray.ndim == 3:
        import cv2

        gray = cv2.cvtColor(gray, cv2.COLOR_RGB2GRAY)
    if gray.dtype != np.uint8:
        gray = np.clip(gray, 0, 255).astype(np.uint8)
    return gray


def erase_rules(gray: np.ndarray, min_len: int = RULE_MIN_LEN) -> np.ndarray:
    """Copy of ``gray`` with long horizontal/vertical strokes (table rulings, underlines) painted white.

    Tesseract's layout analysis glues rulings to neighbouring glyphs ("|", "[", merged lines), which costs
    far more words on ruled tables than the rare glyph stroke that touches a ruling.
    """
    import cv2

    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    # a horizontal rule must be much longer than a word: the tops of blurred digits merge into runs of a
    # word's length, and erasing them cut numbers in half (lowres bench images)
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (3 * min_len, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_len)))
    rules = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((3, 3), np.uint8))
    if not rules.any():
        return gray
    out = gray.copy()
    out[rules > 0] = 255
    return out


def read_words(gray: np.ndarray, *, psm: int = PAGE_PSM, clear_rules: bool = True) -> list[Word]:
    """Every word on the page with its box and confidence, in Tesseract's reading order.

    ``clear_rules`` erases table rulings first (see :func:`erase_rules`); boxes are unaffected.
    """
    gray = _check_gray(gray)
    if gray.size == 0:
        return []
    if clear_rules:
        gray = erase_rules(gray)
    if _tesserocr() is not None:
        return _read_words_tesserocr(gray, psm)
    return _read_words_pytesseract(gray, psm)


def _read_words_tesserocr(gray: np.ndarray, psm: int) -> list[Word]:
    tesserocr = _tesserocr()
    assert tesserocr is not None
    ril = tesserocr.RIL
    api = _api(psm)
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


MAX_OCR_THREADS = 4
OCR_THREADS_ENV = "IMG2XLSX_OCR_THREADS"
BAND_INK = 128  # default: a pixel row with no pixel darker than this holds no glyph
BAND_GAP = 5  # px: only blank runs at least this tall are cut (whole inter-line gaps, not a glyph's inside)
BAND_PAD = 6  # px of blank margin added above and below each band: Tesseract misreads glyphs at an edge
MIN_BAND_PX = 120  # no band thinner than this (a few text lines): the per-call overhead would not pay
_BLOCKS_PER_BAND = 1_000_000  # line_id block offset per band
THRESHOLD_GAP = 0.1  # see pin_threshold
_T = TypeVar("_T")
_R = TypeVar("_R")
_pool_lock = threading.Lock()
_pools: dict[int, ThreadPoolExecutor] = {}


def ocr_threads() -> int:
    """Threads for one page's OCR: $IMG2XLSX_OCR_THREADS, else the CPUs this process may run on (at most
    MAX_OCR_THREADS). The converter Lambda (3584 MB, 2 vCPUs) sets 2; the local server runs a worker per
    core."""
    env = os.environ.get(OCR_THREADS_ENV, "").strip()
    if env.isdigit():
        return max(1, min(MAX_OCR_THREADS, int(env)))
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_OCR_THREADS, cpus))


def _forget_pools() -> None:
    """In a forked child the pools' threads do not exist: a pool copied from the parent would never run."""
    global _pool_lock
    _pools.clear()
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools)


def _pool(threads: int) -> ThreadPoolExecutor:
    with _pool_lock:
        pool = _pools.get(threads)
        if pool is None:
            pool = _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="img2xlsx-ocr")
        return pool


def map_reads(read: Callable[[_T], _R], items: Sequence[_T], threads: int | None = None) -> list[_R]:
    """``[read(item) for item in items]`` on the OCR threads: independent re-reads (cells, strips) in
    parallel, results in order. Each thread has its own Tesseract API, so ``read`` may use any reader."""
    threads = ocr_threads() if threads is None else threads
    if threads <= 1 or len(items) < 2 or _tesserocr() is None:
        return [read(item) for item in items]
    return list(_pool(threads).map(read, items))


def band_cuts(gray: np.ndarray, parts: int, ink_below: float = BAND_INK) -> list[int]:
    """Pixel rows that cut the page into up to ``parts`` bands holding about equal ink (grey < ``ink_below``).

    Only the middle of a blank run of rows (an inter-line gap) is cut, so no glyph is split; Tesseract's
    time follows the amount of text, hence ink rather than height is balanced.
    """
    h = gray.shape[0]
    if parts < 2 or h < 2 * MIN_BAND_PX:
        return []
    ink = (gray < ink_below).sum(axis=1)
    blank = np.concatenate(([False], ink == 0, [False])).astype(np.int8)
    edges = np.diff(blank)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long = (ends - starts) >= BAND_GAP
    mids = ((starts[long] + ends[long]) // 2).astype(np.int64)
    if mids.size == 0:
        return []
    cum = np.cumsum(ink, dtype=np.int64)
    total = int(cum[-1])
    if total == 0:
        return []
    cuts: list[int] = []
    for k in range(1, parts):
        target = int(np.searchsorted(cum, total * k / parts))
        best = int(mids[np.argmin(np.abs(mids - target))])
        prev = cuts[-1] if cuts else 0
        if best - prev >= MIN_BAND_PX and h - best >= MIN_BAND_PX:
            cuts.append(best)
    return cuts


def pin_threshold(gray: np.ndarray, gap: float = THRESHOLD_GAP) -> tuple[np.ndarray, float]:
    """Open an empty range of grey levels at the page's Otsu threshold: darker pixels are scaled towards black
    and lighter ones towards white by ``gap``.

    Tesseract finds words on an Otsu binarisation of whatever image it is given; with the gap, any band of
    the page splits into ink and paper exactly as the whole page does, so bands read on separate threads
    see the same words. The added contrast at the threshold also reads better on its own (full bench, one
    thread: TEDS 0.941 -> 0.944, numeric typing 0.906 -> 0.917; gap 0.25: 0.943 / 0.916). Also returns
    the threshold (grey levels below it are ink to Tesseract).
    """
    import cv2

    if gray.size == 0:
        return gray, 0.0
    t, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    v = np.arange(256, dtype=np.float64)
    lut = np.where(v <= t, v * (1 - gap), 255 - (255 - v) * (1 - gap))
    return cv2.LUT(gray, lut.round().clip(0, 255).astype(np.uint8)), float(t) * (1 - gap)


def read_page_words(gray: np.ndarray, *, psm: int = PAGE_PSM, threads: int | None = None) -> list[Word]:
    """As :func:`read_words` (rules not erased) for a whole page, its bands read on parallel threads.

    Words keep page coordinates; each band's Tesseract blocks get their own ``line_id`` range.
    """
    gray = _check_gray(gray)
    gray, ink_below = pin_threshold(gray)
    threads = ocr_threads() if threads is None else threads
    cuts = band_cuts(gray, threads, ink_below) if _tesserocr() is not None else []
    if not cuts:
        return read_words(gray, psm=psm, clear_rules=False)
    h = gray.shape[0]
    bounds = list(zip([0, *cuts], [*cuts, h], strict=True))
    # each band is padded by repeating its blank edge row: a margin without the neighbour band's glyphs
    bands = [np.pad(gray[y0:y1], ((BAND_PAD, BAND_PAD), (0, 0)), mode="edge") for y0, y1 in bounds]
    results = list(_pool(threads).map(lambda band: _read_words_tesserocr(band, psm), bands))
    words: list[Word] = []
    for i, ((y0, _), band_words) in enumerate(zip(bounds, results, strict=True)):
        dy = y0 - BAND_PAD
        for w in band_words:
            x0, b0, x1, b1 = w.bbox
            block = i * _BLOCKS_PER_BAND + w.line_id[0]
            words.append(Word(w.text, w.conf, (x0, b0 + dy, x1, b1 + dy), (block, *w.line_id[1:])))
    return words


def _pytesseract() -> Any:
    try:
        import pytesseract
    except ImportError as exc:  # pragma: no cover - depends on the deployment
        raise OcrUnavailableError("no OCR backend: install tesserocr or pytesseract + tesseract") from exc
    return pytesseract


def _read_words_pytesseract(gray: np.ndarray, psm: int) -> list[Word]:
    pytesseract = _pytesseract()
    data = pytesseract.image_to_data(
        gray, lang=LANG, config=f"--oem 1 --psm {psm}", output_type=pytesseract.Output.DICT
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


def read_region(
    gray: np.ndarray, bbox: BBox, *, single_line: bool = False, pad: int = 6
) -> tuple[str, float]:
    """Re-read one box (a cell) of ``gray``: the text (lines joined by newlines) and its mean confidence 0..1.

    The crop is surrounded by a white margin because Tesseract misreads glyphs touching the image edge.
    """
    gray = _check_gray(gray)
    h, w = gray.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in bbox)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return "", 0.0
    crop = gray[y0:y1, x0:x1]
    crop = np.pad(crop, pad, mode="constant", constant_values=255)
    psm = 7 if single_line else 6
    if _tesserocr() is not None:
        api = _api(psm)
        _set_image(api, crop)
        try:
            text = api.GetUTF8Text() or ""
        except RuntimeError:
            text = ""
        conf = api.MeanTextConf() / 100.0
        api.Clear()
    else:
        words = _read_words_pytesseract(crop, psm)
        lines: dict[tuple[int, ...], list[str]] = {}
        for word in words:
            lines.setdefault(word.line_id, []).append(word.text)
        text = "\n".join(" ".join(v) for v in lines.values())
        conf = float(np.mean([wd.conf for wd in words])) if words else 0.0
    text = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
    if not text:
        return "", 0.0
    return text, max(0.0, min(1.0, conf))
