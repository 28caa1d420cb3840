"""A PDF page's own text as words on the rendered page: characters from PDFium's text page, grouped into
words with boxes in bitmap pixels (x1/y1 exclusive) and line ids from shared baselines, and the decision
whether the page's text layer can stand in for OCR.

Trusted when: enough visible characters, nearly all of them real text (fonts without a Unicode map give
private-use or replacement characters), nearly all of them on ink in the rendered page (a scan's invisible OCR
layer is fine when it sits on the scanned glyphs; text hidden under an image, or white on white, is not).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from img2xlsx.ocr import Word

if TYPE_CHECKING:
    import numpy as np

MIN_TEXT_CHARS = 3
MAX_GARBAGE_SHARE = 0.1
MIN_ON_INK_SHARE = 0.8
INK_CONTRAST = 40  # grey levels between the darkest and lightest pixel of a glyph box that count as ink
MAX_ANGLE_DEG = 2.0  # rotated characters (vertical column headers) are left to the page picture
LOOSE_BOX_EM = 1.2  # height of PDFium's loose character box (font ascent to descent) in font sizes
# A gap this wide (in font sizes) between two glyphs ends a word even where PDFium put no space (word
# spaces are ~0.25-0.35 em; cells of a table are further apart)
WORD_GAP_EM = 0.6

TEXT_LAYER_NOTE = "text from the PDF's text layer"


@dataclass
class _Char:
    text: str
    box: tuple[float, float, float, float]  # pixels: x0, y0, x1, y1 (floats)
    baseline: float  # pixels
    size: float  # font size in pixels
    space: bool


def affine(posconv: Any) -> Callable[[float, float], tuple[float, float]]:
    """Page points -> bitmap pixels as exact floats (PDFium's own converter rounds to whole pixels)."""
    far = 10000.0
    ox, oy = posconv.to_bitmap(0, 0)
    ax, ay = posconv.to_bitmap(far, 0)
    bx, by = posconv.to_bitmap(0, far)
    m = ((ax - ox) / far, (bx - ox) / far, (ay - oy) / far, (by - oy) / far)

    def convert(x: float, y: float) -> tuple[float, float]:
        return ox + m[0] * x + m[1] * y, oy + m[2] * x + m[3] * y

    return convert


def directions(
    textpage: Any, to_px: Callable[[float, float], tuple[float, float]], limit: int | None = None
) -> list[tuple[int, str, float]]:
    """(index, character, displayed angle in degrees counter-clockwise) of the visible characters."""
    import pypdfium2.raw as raw

    matrix = raw.FS_MATRIX()
    ox, oy = to_px(0, 0)
    out = []
    n = textpage.count_chars()
    for i in range(n if limit is None else min(n, limit)):
        code = raw.FPDFText_GetUnicode(textpage.raw, i)
        if code <= 32 or raw.FPDFText_IsGenerated(textpage.raw, i) == 1:
            continue
        if not raw.FPDFText_GetMatrix(textpage.raw, i, matrix):
            continue
        dx, dy = to_px(matrix.a, matrix.b)
        angle = math.degrees(math.atan2(-(dy - oy), dx - ox))  # pixel y runs down
        out.append((i, chr(code) if code < 0x110000 else "", angle))
    return out


def _chars(textpage: Any, posconv: Any) -> tuple[list[_Char], int]:
    """The page's left-to-right characters in content order, and how many characters were garbage."""
    import ctypes

    import pypdfium2.raw as raw

    tp = textpage.raw
    to_px = affine(posconv)
    px_per_pt = math.hypot(*(a - b for a, b in zip(to_px(1, 0), to_px(0, 0), strict=True)))
    sideways = {i for i, _, angle in directions(textpage, to_px) if abs(angle) > MAX_ANGLE_DEG}
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    loose = raw.FS_RECTF()
    out: list[_Char] = []
    garbage = 0
    for i in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(tp, i)
        text = chr(code) if 0 < code < 0x110000 else "\ufffd"
        space = text.isspace() or code in (0, 2) or bool(raw.FPDFText_IsGenerated(tp, i))
        if not space and (raw.FPDFText_HasUnicodeMapError(tp, i) == 1 or _is_garbage(text)):
            garbage += 1
            continue
        if i in sideways or not raw.FPDFText_GetCharBox(tp, i, left, right, bottom, top):
            continue  # rotated text (vertical column headers) is left to the page picture
        raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
        corners = [to_px(x, y) for x in (left.value, right.value) for y in (bottom.value, top.value)]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        baseline = to_px(ox.value, oy.value)[1]
        size = raw.FPDFText_GetFontSize(tp, i) * px_per_pt  # Tf size: wrong when a matrix scales the text
        if raw.FPDFText_GetLooseCharBox(tp, i, loose):  # ascent to descent: about 1.2 em, whatever scales it
            (tx, ty), (bx, by) = to_px(0, loose.top), to_px(0, loose.bottom)
            size = math.hypot(tx - bx, ty - by) / LOOSE_BOX_EM or size
        if not space and "\ufb00" <= text <= "\ufb06":  # ligatures: ﬁ -> fi
            text = unicodedata.normalize("NFKC", text)
        out.append(_Char(text, (min(xs), min(ys), max(xs), max(ys)), baseline, size, space))
    return out, garbage


def _is_garbage(text: str) -> bool:
    """A character no real text shows: replacement, private-use, control or unassigned code points."""
    return text == "\ufffd" or unicodedata.category(text) in ("Co", "Cc", "Cn", "Cs")


def _words(chars: list[_Char], page_size: tuple[int, int]) -> list[Word]:
    """Characters grouped into words (split at spaces, baseline jumps, backward steps and wide gaps), each
    with the union of its glyph boxes in pixels; line ids group words that share a baseline."""
    groups: list[list[_Char]] = []
    current: list[_Char] = []
    for ch in chars:
        if ch.space:
            if current:
                groups.append(current)
            current = []
            continue
        if current:
            prev = current[-1]
            em = max(prev.size, ch.size, 1.0)
            if (
                abs(ch.baseline - prev.baseline) > 0.4 * em
                or ch.box[0] < prev.box[0] - 0.1 * em
                or ch.box[0] - prev.box[2] > WORD_GAP_EM * em
            ):
                groups.append(current)
                current = []
        current.append(ch)
    if current:
        groups.append(current)
    width, height = page_size
    boxed: list[tuple[str, tuple[int, int, int, int], float, float]] = []
    for group in groups:
        x0 = max(0, math.floor(min(c.box[0] for c in group)))
        y0 = max(0, math.floor(min(c.box[1] for c in group)))
        x1 = min(width, math.ceil(max(c.box[2] for c in group)))
        y1 = min(height, math.ceil(max(c.box[3] for c in group)))
        if x1 <= x0 or y1 <= y0:
            continue  # off the page (or a zero-size glyph)
        text = "".join(c.text for c in group)
        baseline = sum(c.baseline for c in group) / len(group)
        size = max(c.size for c in group)
        boxed.append((text, (x0, y0, x1, y1), baseline, size))
    boxed.sort(key=lambda b: b[2])
    line = -1
    line_base = -math.inf
    words: list[tuple[int, float, Word]] = []
    for text, box, baseline, size in boxed:
        if baseline - line_base > 0.4 * max(size, 1.0):
            line += 1
            line_base = baseline
        words.append((line, box[0], Word(text, 1.0, box, (line,))))
    words.sort(key=lambda w: (w[0], w[1]))
    return [w for _, _, w in words]


def _on_ink(words: list[Word], rgb: np.ndarray) -> list[bool]:
    """Whether each word's box holds ink: enough contrast between its darkest and lightest pixel (dark
    text on paper and light text on a dark band both pass; an empty or uniformly filled box does not)."""
    out = []
    for w in words:
        x0, y0, x1, y1 = w.bbox
        box = rgb[y0:y1, x0:x1]
        out.append(box.size > 0 and int(box.max()) - int(box.min()) >= INK_CONTRAST)
    return out


def text_layer(textpage: Any, posconv: Any, rgb: np.ndarray) -> tuple[list[Word] | None, str]:
    """The page's words when its text layer can replace OCR, else None; and a note saying why."""
    chars, garbage = _chars(textpage, posconv)
    visible = sum(1 for c in chars if not c.space)
    if visible + garbage < MIN_TEXT_CHARS:
        return None, "no text layer"
    if garbage > MAX_GARBAGE_SHARE * (visible + garbage):
        return None, f"text layer not used: {garbage} of {visible + garbage} characters are unreadable"
    height, width = rgb.shape[:2]
    words = _words(chars, (width, height))
    if not words:
        return None, "no text layer on the page"
    ink = _on_ink(words, rgb)
    weights = [len(w.text) for w in words]
    on_share = sum(n for n, on in zip(weights, ink, strict=True) if on) / max(1, sum(weights))
    if on_share < MIN_ON_INK_SHARE:
        return None, f"text layer not used: only {on_share:.0%} of its text is visible on the page"
    kept = [w for w, on in zip(words, ink, strict=True) if on]
    return kept, f"{TEXT_LAYER_NOTE} ({len(kept)} words)"
