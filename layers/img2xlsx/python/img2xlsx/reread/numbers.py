"""Read again, alone, the cells of a numeric column whose page-pass text is not a number.

The page pass reads a whole table at once; on low-resolution and photographed pages it garbles some
numbers ("4s8", "a 3, 660", "1200 an") while their neighbours come out clean. A single-line re-read of the
cell alone often gets the digits right. The re-read is kept only when it parses as a number under the
column's conventions and the page-pass text did not, so a correctly read word is never replaced.

The page pass also drops a short minus glyph ("-827,222.0" comes back as "827,222.0") though the cell shows
it. A short, level stroke just before the number's first glyph (measured on the pixels, relative to the
cell's own paper and ink, :mod:`.minus`) is taken for that minus. Other ink left of the first word gets a
re-read, kept only when it shows the very same digits, so only a sign or a currency symbol can be added.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import cv2
import numpy as np

from img2xlsx.ocr.pool import MapReads, serial
from img2xlsx.ocr.reader import ReadRegion as Reader
from img2xlsx.ocr.words import clip_box
from img2xlsx.tables.skeleton import RawCell, RawTable, words_text
from img2xlsx.values import ColumnHints, infer_hints, parse_value

from .budget import DOUBT_BELOW, DOUBT_BUDGET, NUMBER_BUDGET
from .minus import ink_level, minus_stroke

_CURRENCIES = "$€£¥₹"
# A garbled number not read as one at 1x is read again at these scales, stopping at the first number. Bench:
# (2,) -> (2, 3, 4) types 3 more numbers ("0.381" read "0381", "7ALAB") for ~60 more calls over 158 images
GARBLED_SCALES = (2, 3, 4)
# Scales of a doubtful number's re-reads, in order. Bench: a 4x tie-breaker after (2, 3, 1) fixes 2 more
# numbers ("17,656" -> "17,056"), breaks none, for ~30 more calls over 158 images
OUTVOTE_SCALES = (2, 3, 1, 4)
_AMOUNTS = ("number", "currency", "percent")


Todo = list[tuple[RawCell, ColumnHints, str]]  # cell, its column's hints, digits a re-read must keep
Doubtful = list[tuple[float, RawCell, ColumnHints, str]]  # numbers read with low confidence


def _text(cell: RawCell, h: float) -> str:
    return cell.reread[0] if cell.reread is not None else words_text(cell.words, h)


def reread_numbers(
    raw: RawTable,
    gray: np.ndarray,
    h: float,
    read: Reader,
    map_reads: MapReads | None = None,
    langs: Sequence[str] = ("eng",),
) -> int:
    """Re-read garbled cells of numeric body columns with ``read(gray, bbox, single_line=True)``; returns
    how many cells took the re-read. ``map_reads(fn, items)`` may run the cells' re-reads in parallel;
    ``langs`` (the document's languages) set the columns' number conventions as typing will."""
    todo, doubtful = _plan(raw, gray, h, langs)
    mapper = map_reads or serial

    def garbled(item: tuple[RawCell, ColumnHints, str]) -> tuple[str, float] | None:
        cell, hints, digits = item
        x0, y0, x1, y1 = cell.bbox
        if x1 - x0 < 4 or y1 - y0 < 4:
            return None
        text, conf = read(gray, cell.bbox, single_line=True)
        text = " ".join(text.split())
        for scale in GARBLED_SCALES if not digits else ():
            if parse_value(text, hints).kind in _AMOUNTS:
                break
            text, conf = _read_scaled(read, gray, cell.bbox, scale)  # small print: another look, enlarged
        if not text or parse_value(text, hints).kind not in _AMOUNTS:
            return None
        if digits:
            return _lead_reread(text, conf, digits, cell, hints, gray, read)
        return text, conf

    taken = 0
    todo = todo[:NUMBER_BUDGET]
    for (cell, _, _), got in zip(todo, mapper(garbled, todo), strict=True):  # cells read independently
        if got is not None:
            cell.reread = got
            taken += 1
    doubtful.sort(key=lambda d: d[0])
    pending = [(cell, hints, text) for _, cell, hints, text in doubtful[:DOUBT_BUDGET] if cell.reread is None]
    votes = mapper(lambda d: _outvoted(d[0], d[2], d[1], gray, read), pending)
    for (cell, _, _), better in zip(pending, votes, strict=True):
        if better is not None:
            cell.reread = better
            taken += 1
    return taken


def _plan(raw: RawTable, gray: np.ndarray, h: float, langs: Sequence[str]) -> tuple[Todo, Doubtful]:
    """Mend what the pixels prove (lost minus, lost point, "?" for 7) and list the cells to read again."""
    columns: dict[int, list[tuple[RawCell, str]]] = {}
    for cell in raw.cells:
        if cell.row >= raw.n_header_rows and cell.colspan == 1 and cell.rowspan == 1:
            columns.setdefault(cell.col, []).append((cell, " ".join(_text(cell, h).split())))
    todo: Todo = []
    doubtful: Doubtful = []
    for cells in columns.values():
        hints = infer_hints([t for _, t in cells], langs=langs)
        if not (hints.repair or _glyphs_for_digits([t for _, t in cells], hints)):
            continue  # not a numeric column: words there are meant as words
        for cell, text in cells:
            if not text:
                continue
            if parse_value(text, hints).kind not in _AMOUNTS:
                if text == "?" and _undotted(cell, gray):
                    cell.reread = ("7", cell.words[0].conf)  # a faint 7's hook read as "?"
                    continue
                todo.append((cell, hints, ""))
                continue
            fixed = _with_lost_point(cell, gray, text, hints)
            if not (text[0].isdigit() or text[0] in _CURRENCIES):
                pass  # already signed, bracketed or decorated
            elif minus_stroke(cell, gray, text):
                fixed = "-" + fixed
            elif _ink_before_words(cell, gray):
                todo.append((cell, hints, _digits(text)))
            if fixed != text:
                cell.reread = (fixed, float(np.mean([w.conf for w in cell.words])))
            elif cell.words and (
                (conf := min(w.conf for w in cell.words)) < DOUBT_BELOW or _short(cell, text)
            ):
                doubtful.append((conf, cell, hints, text))
    return todo, doubtful


# A column of numbers whose other cells are each one stray glyph ("a", "?" for a small "0" or "7"): at least
# LONE_MIN_NUMBERS numbers, and numbers plus lone glyphs fill LONE_SHARE of its cells
LONE_MIN_NUMBERS = 3
LONE_SHARE = 0.8


def _glyphs_for_digits(texts: list[str], hints: ColumnHints) -> bool:
    """A column of small one-digit numbers the page pass read mostly as single letters: its lone glyphs are
    worth a re-read though the column does not pass for numeric (a re-read is kept only if it is a number)."""
    filled = [t for t in texts if t]
    numbers = sum(parse_value(t, hints).kind in _AMOUNTS for t in filled)
    lone = sum(len(t) == 1 and not t.isdigit() for t in filled)
    return numbers >= LONE_MIN_NUMBERS and numbers + lone >= LONE_SHARE * len(filled)


def _undotted(cell: RawCell, gray: np.ndarray) -> bool:
    """The cell's only word is one stroke from top to bottom: no separate dot under it as a "?" has."""
    if len(cell.words) != 1:
        return False
    x0, y0, x1, y1 = (max(0, int(v)) for v in cell.words[0].bbox)
    word = gray[y0:y1, x0:x1]
    if y1 - y0 < 6 or word.size == 0:
        return False
    level = ink_level(gray, cell, word)
    if level is None:
        return False
    mask = (word < level).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    blobs = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= 2]
    return len(blobs) == 1 and stats[blobs[0], cv2.CC_STAT_HEIGHT] >= 0.9 * (y1 - y0)


def _read_scaled(
    read: Reader, gray: np.ndarray, bbox: tuple[int, int, int, int], scale: int
) -> tuple[str, float]:
    """``read`` of the cell's crop alone, enlarged ``scale`` times (the page itself is not resized)."""
    box = clip_box(bbox, gray.shape)
    if box is None:  # a box at or past the page edge (a photo's border): nothing to read
        return "", 0.0
    x0, y0, x1, y1 = box
    if scale == 1:
        text, conf = read(gray, (x0, y0, x1, y1), single_line=True)
    else:
        crop = cv2.resize(gray[y0:y1, x0:x1], None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        text, conf = read(crop, (0, 0, crop.shape[1], crop.shape[0]), single_line=True)
    return " ".join(text.split()), conf


def _outvoted(
    cell: RawCell, text: str, hints: ColumnHints, gray: np.ndarray, read: Reader
) -> tuple[str, float] | None:
    """A doubtful number read again alone at 2x, 3x, 1x and 4x scale (stopping as soon as the outcome is
    settled); two re-reads agreeing on another value of the same sign and digit count outvote the page
    pass. Enlarged, lowres digits separate: "30" read "38" at the page's scale reads "30" at 2x and 3x."""
    x0, y0, x1, y1 = cell.bbox
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    current = parse_value(text, hints).value
    seen: list[tuple[object, tuple[str, float]]] = []
    for scale in OUTVOTE_SCALES:
        got = _read_scaled(read, gray, cell.bbox, scale)
        value = _comparable(got[0], text, hints, cell)
        if value is not None and value != current and any(v == value for v, _ in seen):
            return got
        if value == current and (scale == 2 or seen):
            return None  # the first enlarged read, or a later tie-breaker, agrees with the page pass
        seen.append((value, got))
    return None


def _comparable(candidate: str, text: str, hints: ColumnHints, cell: RawCell) -> object:
    """The value of a re-read that could replace ``text``: a number with the same sign and as many digits
    (or as many as the word box holds, when the page pass read too few for it); None otherwise (a re-read
    that drops or adds digits or a sign is a different misreading)."""
    n = len(_digits(candidate))
    if not candidate or (n != len(_digits(text)) and not _fills_box(cell, text, candidate)):
        return None
    value, current = parse_value(candidate, hints).value, parse_value(text, hints).value
    if not isinstance(value, int | float) or not isinstance(current, int | float):
        return None
    return value if (value < 0) == (current < 0) else None


def _lead_reread(
    text: str, conf: float, digits: str, cell: RawCell, hints: ColumnHints, gray: np.ndarray, read: Reader
) -> tuple[str, float] | None:
    """For a cell with ink left of its first word: a re-read that adds only what that ink was, a sign or
    symbol before the same digits, or digits before them that two reads agree on ("50" read "0": the page
    pass boxed the 0 alone). ``text`` is the 1x re-read; 2x and 3x reads follow when it adds nothing."""
    reads = [(text, conf)]
    leads: list[object] = []  # values of the reads that add leading digits
    for scale in (2, 3, 0):
        got = reads[-1][0]
        if _digits(got) == digits and got.lstrip("-($€£¥") != got:
            return reads[-1]  # a sign or symbol before the same digits
        if _digits(got).endswith(digits) and len(_digits(got)) > len(digits):
            value = parse_value(got, hints).value
            if value in leads:
                return reads[-1]
            leads.append(value)
        if scale:
            reads.append(_read_scaled(read, gray, cell.bbox, scale))
    return None


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _ink_before_words(cell: RawCell, gray: np.ndarray) -> bool:
    """Dark pixels between the cell's left edge and its first word, level with the words (a dropped glyph)."""
    if not cell.words:
        return False
    x_first = min(int(w.bbox[0]) for w in cell.words)
    top = min(int(w.bbox[1]) for w in cell.words)
    bottom = max(int(w.bbox[3]) for w in cell.words)
    strip = gray[max(0, top) : max(0, bottom), max(0, int(cell.bbox[0]) + 3) : max(0, x_first - 2)]
    return strip.size > 0 and int((strip < 128).sum()) >= 4


_BARE = re.compile(r"([-($€£¥₹]*)(\d{2,})([%)]*)")
# Decimal-point shape, in units of the word's height: bench points (lowres to PubTabNet) are 2-4 px at a
# 17-19 px word box, sitting on the digits' baseline
POINT_MAX_SIZE = 0.3
POINT_SLACK = 0.15  # how far (of the word height) a point's bottom may sit from the baseline
POINT_POSITION_SLACK = 0.3  # the point must fall this close (in digit widths) to a gap between digits


def _with_lost_point(cell: RawCell, gray: np.ndarray, text: str, hints: ColumnHints) -> str:
    """``text`` with its decimal point put back where the cell shows a dot on the baseline between the
    digits that the page pass skipped ("72.9" read "729": a 2-3 px dot is easily lost); else ``text``."""
    m = _BARE.fullmatch(text)
    if m is None or len(cell.words) != 1:
        return text
    digits = m.group(2)
    after = _point_after(cell, gray, len(digits))
    if after is None:
        return text
    # a dropped thousands comma leaves the value as read; three places only where the column shows three
    if after not in (1, 2) and after != hints.decimals:
        return text
    return f"{m.group(1)}{digits[:-after]}{hints.decimal}{digits[-after:]}{m.group(3)}"


def _point_after(cell: RawCell, gray: np.ndarray, n_digits: int) -> int | None:
    """How many of the word's ``n_digits`` digits stand right of a lone dot on their baseline; None when
    there is no such dot."""
    x0, y0, x1, y1 = (max(0, int(v)) for v in cell.words[0].bbox)
    height = y1 - y0
    word = gray[y0 : y1 + 2, max(0, x0 - 1) : x1 + 1]
    if height < 6 or word.size == 0:
        return None
    level = ink_level(gray, cell, word)
    if level is None:
        return None
    mask = (word < level).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    boxes = [tuple(int(v) for v in stats[i, :4]) for i in range(1, n)]
    tall = [b for b in boxes if b[3] >= 0.5 * height]
    if not tall:
        return None
    baseline = float(np.median([b[1] + b[3] for b in tall]))
    left, right = min(b[0] for b in tall), max(b[0] + b[2] for b in tall)
    dots = [
        b
        for b in boxes
        if b[2] <= POINT_MAX_SIZE * height
        and b[3] <= POINT_MAX_SIZE * height
        and abs(b[1] + b[3] - baseline) <= POINT_SLACK * height + 1
        and left < b[0]
        and b[0] + b[2] < right
        and not any(t[0] < b[0] + b[2] and b[0] < t[0] + t[2] for t in tall)  # in a gap between glyphs
    ]
    if len(dots) != 1:
        return None
    dx, _, dw, _ = dots[0]
    pitch = (right - left - dw) / n_digits
    before = (dx - left) / pitch
    k = round(before)
    if abs(before - k) > POINT_POSITION_SLACK or not 1 <= k <= n_digits - 1:
        return None
    return n_digits - k


# Width of one character of a number in units of its word box's height: bench words read confidently,
# p5-p95 0.50-0.80. A word box wider than SHORT_TEXT characters per character read holds digits the page
# pass skipped ("1" in a box three digits wide, "601")
CHAR_WIDTH = (0.45, 0.95)
SHORT_TEXT = 1.2


def _box_width(cell: RawCell) -> float:
    """Width of the cell's only word box in units of its height (0 for several words)."""
    if len(cell.words) != 1:
        return 0.0
    x0, y0, x1, y1 = cell.words[0].bbox
    return (x1 - x0) / max(1, y1 - y0)


def _short(cell: RawCell, text: str) -> bool:
    """The page pass read too few characters for the word box."""
    return bool(text) and _box_width(cell) / len(text) > SHORT_TEXT


def _fills_box(cell: RawCell, text: str, candidate: str) -> bool:
    """The page pass read too few characters for the word box, and ``candidate`` has a plausible count."""
    width = _box_width(cell)
    return (
        _short(cell, text)
        and len(candidate) > len(text)
        and CHAR_WIDTH[0] <= width / len(candidate) <= CHAR_WIDTH[1]
    )
