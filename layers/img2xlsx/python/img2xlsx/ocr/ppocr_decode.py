"""PP-OCR's raw outputs turned into what the engine uses: line boxes from the detector's probability map,
characters (with where they were read) from the recogniser's CTC output, and words with tight boxes.

Pure NumPy/OpenCV, no model: :mod:`img2xlsx.ocr.ppocr` runs the networks and calls these.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from .words import BBox, Word

DET_THRESH = 0.3  # probability above which a pixel is text (DB binarisation)
DET_BOX_THRESH = 0.5  # mean probability a text box must reach
DET_UNCLIP = 1.6  # DB kernels are shrunk text: grow them back by area * ratio / perimeter
MIN_CONF = 0.3  # characters below this probability are dropped (noise read as text)
CONTENT_INK = 160  # grey below which a pixel may be ink (a normalised page's paper is near white)
Char = tuple[str, float, float, float]  # (character, probability, x0, x1) in the image read


def as_gray(img: np.ndarray) -> np.ndarray:
    """A contiguous 2-D uint8 copy of ``img`` (RGB is converted): what both networks' inputs are made of."""
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(img)


@dataclass
class Line:
    """One recognised text line: its box, text, confidence and characters with their positions."""

    box: BBox  # in the image read
    text: str
    conf: float
    chars: list[Char]


def _ink_threshold(gray: np.ndarray) -> float:
    t, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(t)


def ink_box(gray: np.ndarray) -> BBox | None:
    """The box around the dark ink of a crop (Otsu), or None when the crop is blank."""
    if int(gray.max()) - int(gray.min()) < 40:
        return None
    ink = gray < _ink_threshold(gray)
    ys, xs = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if ys.size == 0:
        return None
    return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1


def pad_box(box: BBox, shape: tuple[int, ...], frac: float) -> BBox:
    x0, y0, x1, y1 = box
    p = max(2, round((y1 - y0) * frac))
    return max(0, x0 - p), max(0, y0 - p), min(shape[1], x1 + p), min(shape[0], y1 + p)


def content_box(gray: np.ndarray, text_px: float) -> tuple[int, int, int, int]:
    """(x, y, w, h) around every pixel darker than CONTENT_INK, with a margin of two text heights;
    the whole image when that would not save a fifth of it."""
    h, w = gray.shape[:2]
    step = 4 if min(h, w) >= 64 else 1
    ink = gray[::step, ::step] < CONTENT_INK
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return 0, 0, 0, 0
    m = int(2 * text_px)
    x0, x1 = max(0, cols[0] * step - m), min(w, (cols[-1] + 1) * step + m)
    y0, y1 = max(0, rows[0] * step - m), min(h, (rows[-1] + 1) * step + m)
    if (x1 - x0) * (y1 - y0) > 0.8 * w * h:
        return 0, 0, w, h
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def db_boxes(prob: np.ndarray, sx: float, sy: float, w: int, h: int) -> list[BBox]:
    """Axis-aligned text-line boxes from a DB probability map (the page is deskewed already)."""
    mask = cv2.dilate((prob > DET_THRESH).astype(np.uint8), np.ones((2, 2), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    boxes: list[BBox] = []
    for k in range(1, n):
        bx, by, bw, bh, _area = (int(v) for v in stats[k])
        if min(bw, bh) < 2:
            continue
        region = labels[by : by + bh, bx : bx + bw] == k
        if float(prob[by : by + bh, bx : bx + bw][region].mean()) < DET_BOX_THRESH:
            continue
        d = bw * bh * DET_UNCLIP / (2.0 * (bw + bh))  # the offset DB's unclip gives a rectangle
        x0 = max(0, math.floor((bx - d) * sx))
        y0 = max(0, math.floor((by - d) * sy))
        x1 = min(w, math.ceil((bx + bw + d) * sx))
        y1 = min(h, math.ceil((by + bh + d) * sy))
        if x1 - x0 >= 3 and y1 - y0 >= 3:
            boxes.append((x0, y0, x1, y1))
    boxes.sort(key=lambda b: ((b[1] + b[3]) / 2, b[0]))
    return boxes


def ctc_chars(
    idx: np.ndarray, probs: np.ndarray, charset: list[str], px_per_step: float, ox: int
) -> list[Char]:
    """Greedy CTC decode keeping where each character was emitted: (char, prob, x0, x1) with x in the
    image read (``ox`` the crop's left edge). A run of equal labels is one character; its time steps
    give its horizontal extent."""
    out: list[Char] = []
    prev = 0
    start = 0
    for t in range(len(idx) + 1):
        cur = int(idx[t]) if t < len(idx) else 0
        if t < len(idx) and cur == prev:
            continue
        if prev != 0:
            p = float(probs[start:t].max())
            out.append((charset[prev], p, ox + start * px_per_step, ox + t * px_per_step))
        prev, start = cur, t
    return [c for c in out if c[1] >= MIN_CONF or c[0] == " "]


def _middle_run(rows: np.ndarray, gap: int = 1) -> tuple[int, int] | None:
    """The run of inked rows (blank gaps up to ``gap`` rows bridged) at or nearest the middle of a line box.

    A detected line box is grown beyond its text (DB's unclip), so on tightly set tables it reaches into the
    glyphs of the rows above and below; only the run holding the box's middle is this line's text.
    """
    idx = np.flatnonzero(rows)
    if idx.size == 0:
        return None
    breaks = np.flatnonzero(np.diff(idx) > gap + 1)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    ends = np.concatenate((idx[breaks], [idx[-1]])) + 1
    mid = len(rows) / 2.0
    dist = np.where((starts <= mid) & (mid < ends), 0.0, np.minimum(abs(starts - mid), abs(ends - mid)))
    k = int(np.argmin(dist))
    return int(starts[k]), int(ends[k])


def _word_conf(probs: Sequence[float]) -> float:
    """A word's confidence: the product of its characters' probabilities (the chance that all of them are
    right). The mean would not tell a misread from a clean read: on pages turned by 180° PP-OCR still
    averages 0.75 per character, the product 0.2-0.3 (upright 0.93-1.0), which is the scale the engine's
    thresholds were set on (Tesseract: upright >= 0.65, turned <= 0.5)."""
    return float(np.prod(probs)) if len(probs) else 0.0


def text_conf(chars: Sequence[Char]) -> float:
    """Character-weighted mean of the word confidences of a recognised line."""
    words: list[list[float]] = [[]]
    for c, p, _, _ in chars:
        if c == " ":
            words.append([])
        else:
            words[-1].append(p)
    n = sum(len(w) for w in words)
    return sum(_word_conf(w) * len(w) for w in words) / n if n else 0.0


# Blank (no ink from the top to the bottom of the line's text) inside one read "word", in text heights, that
# parts it in two: the recogniser often emits no space between two cells of tight columns
# ("-$2,945.71-2,684.50" for two amounts 1.3 h apart), and at times a dot in the gap ("42.51" for "42   51").
# A word space in a proportional font leaves ~0.3 h, letters far less; a monospace space ~0.8 h (then the
# space was lost).
BLANK_SPLIT = 0.6
# ... and at least this many characters' advances (the median step between successive characters).
ADVANCES = 1.5
# Characters the recogniser puts into such a blank: dropped when read where there is no ink at all.
_GAP_MARKS = frozenset(".,'`·")
# From here on (CJK and beyond) words are not parted by spaces: a blank between two characters is no break.
_WIDE_SCRIPTS = 0x2E80
# Signs that open an amount: a blank of BLANK_SPLIT text heights between a number's end and one of these
# (optionally after a minus sign or an opening bracket) parts two cells without ADVANCES. Proportional
# digits advance ~0.7 h, so two amounts a column gap of one advance apart ("143,499  $120,561") leave less
# than ADVANCES of them, yet a currency sign never starts a new piece of the same number.
_CURRENCY = frozenset("$€£¥₹₩")
_VALUE_END = frozenset("0123456789%)")


def _split_at_blanks(chars: list[Char], strip: np.ndarray, lx0: int) -> list[list[Char]]:
    """``chars`` (one word, no space read) cut at blank stretches of the line's ink at least BLANK_SPLIT
    text heights (and ADVANCES characters) wide with ink on both sides, where the two pieces hold two
    letters or digits each and one of them a digit; a dot or comma read inside such a stretch is dropped.

    Ink is told from paper on the middle half of the line box only, which holds this line's glyphs: the
    box's edges may reach into a dark band or the next row, and a threshold set there would leave the text
    itself (lighter than a band) out and every letter apart."""
    if len(chars) < 2 or any(ord(ch[0]) >= _WIDE_SCRIPTS for ch in chars):
        return [chars]
    bh = strip.shape[0]
    core = strip[bh // 4 : bh - bh // 4]
    if core.size == 0 or int(core.max()) - int(core.min()) < 40:
        return [chars]
    a = max(0, math.floor(chars[0][2]) - lx0)
    b = min(strip.shape[1], math.ceil(chars[-1][3]) - lx0)
    if b - a < 3:
        return [chars]
    ink = strip[:, a:b] < _ink_threshold(core)
    run = _middle_run(np.asarray(ink.any(axis=1)))
    if run is None:
        return [chars]
    # and some advances: a faint photo's strokes may leave a text run far lower than the text, a faint
    # decimal point a blank of about one advance in a monospace receipt ("60.44")
    advance = statistics.median(q[2] + q[3] - p[2] - p[3] for p, q in itertools.pairwise(chars)) / 2
    need = max(3.0, BLANK_SPLIT * (run[1] - run[0]), ADVANCES * advance)
    inked = np.flatnonzero(ink[run[0] : run[1]].any(axis=0))
    if inked.size < 2:
        return [chars]
    short = max(3.0, BLANK_SPLIT * (run[1] - run[0]))
    gaps = np.flatnonzero(np.diff(inked) > short)
    blanks = [(lx0 + a + int(inked[k]) + 1, lx0 + a + int(inked[k + 1])) for k in gaps]
    blanks = [(x0, x1) for x0, x1 in blanks if x1 - x0 + 1 > need or _opens_amount(chars, x0, x1)]
    if not blanks:
        return [chars]
    out: list[list[Char]] = [[]]
    k = 0
    for ch in chars:
        mid = (ch[2] + ch[3]) / 2
        while k < len(blanks) and mid >= (blanks[k][0] + blanks[k][1]) / 2:
            k += 1
            out.append([])
        inside = any(x0 <= mid < x1 for x0, x1 in blanks)
        if inside and ch[0] in _GAP_MARKS:
            continue
        out[-1].append(ch)
    # two cells side by side hold a number or a code on one side at least; a piece of punctuation only
    # ("Name" ":", "YOU" "!!") is the word's own, and two runs of letters may be one word printed wide
    parts: list[list[Char]] = []
    for g in out:
        if parts and not _cells_apart(parts[-1], g):
            parts[-1] = parts[-1] + g
        else:
            parts.append(g)
    return [g for g in parts if g]


def _opens_amount(chars: Sequence[Char], x0: float, x1: float) -> bool:
    """The blank from ``x0`` to ``x1`` lies between a number's last character and a currency sign (or a
    minus sign or bracket and one): the start of the next column's amount."""
    xc = (x0 + x1) / 2
    before = [c[0] for c in chars if (c[2] + c[3]) / 2 < xc]
    after = [c[0] for c in chars if (c[2] + c[3]) / 2 >= xc]
    if not before or not after or before[-1] not in _VALUE_END:
        return False
    head = after[1:] if after[0] in "-(" else after
    return bool(head) and head[0] in _CURRENCY


def _cells_apart(left: list[Char], right: list[Char]) -> bool:
    alnum = [sum(c[0].isalnum() for c in p) for p in (left, right)]
    digits = any(c[0].isdigit() for c in left + right)
    return min(alnum) >= 2 and digits


def split_line(gray: np.ndarray, line: Line, line_id: tuple[int, ...]) -> list[Word]:
    """The words of one recognised line: split at spaces, each box spanning its characters' time steps,
    cut halfway into the gaps to its neighbours and tightened to the ink inside."""
    groups: list[list[Char]] = [[]]
    for ch in line.chars:
        if ch[0] == " ":
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(ch)
    groups = [g for g in groups if g]
    if not groups:
        return []
    lx0, ly0, lx1, ly1 = line.box
    strip = gray[ly0:ly1, lx0:lx1]
    if strip.size:
        groups = [part for g in groups for part in _split_at_blanks(g, strip, lx0)]
    ink = strip < _ink_threshold(strip) if strip.size and int(strip.max()) - int(strip.min()) >= 40 else None
    words: list[Word] = []
    for g, chars in enumerate(groups):
        a = chars[0][2]
        b = chars[-1][3]
        step = (b - a) / max(1, len(chars))
        # the character emitted at the first step of a glyph: the glyph starts up to a step earlier
        lo = lx0 if g == 0 else (groups[g - 1][-1][3] + a) / 2
        hi = lx1 if g == len(groups) - 1 else (b + groups[g + 1][0][2]) / 2
        x0 = max(lo, a - step)
        x1 = min(hi, b + step)
        ix0, ix1 = max(lx0, math.floor(x0)), min(lx1, math.ceil(x1))
        y0, y1 = ly0, ly1
        if ink is not None and ix1 > ix0:
            cols = ink[:, ix0 - lx0 : ix1 - lx0]
            run = _middle_run(np.asarray(cols.any(axis=1)))
            if run is not None:
                xs = np.flatnonzero(cols[run[0] : run[1]].any(axis=0))
                if xs.size:
                    ix0, ix1 = ix0 + int(xs[0]), ix0 + int(xs[-1]) + 1
                    y0, y1 = ly0 + run[0], ly0 + run[1]
        if ix1 <= ix0:
            ix1 = ix0 + 1
        text = "".join(c for c, _, _, _ in chars)
        conf = _word_conf([p for _, p, _, _ in chars])
        words.append(Word(text, max(0.0, min(1.0, conf)), (ix0, y0, ix1, y1), line_id))
    return words
