"""Read again, alone, the cells of a numeric column whose page-pass text is not a number.

The page pass reads a whole table at once; on low-resolution and photographed pages it garbles some
numbers ("4s8", "a 3, 660", "1200 an") while their neighbours come out clean. A single-line re-read of the
cell alone often gets the digits right. The re-read is kept only when it parses as a number under the
column's conventions and the page-pass text did not, so a correctly read word is never replaced.

The page pass also drops a short minus glyph ("-827,222.0" comes back as "827,222.0") though the cell shows
it; a number whose first word starts with a short level stroke (or with ink left of the word) is re-read
too, and the re-read is kept only when it shows the very
same digits, so only a sign or a currency symbol can be added.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from .tables.skeleton import RawCell, RawTable, words_text
from .values import ColumnHints, infer_hints, parse_value

_CURRENCIES = "$€£¥₹"
REREAD_BUDGET = 40  # re-reads per table: bounded time on huge, badly printed tables
_AMOUNTS = ("number", "currency", "percent")

Reader = Callable[..., tuple[str, float]]


def _text(cell: RawCell, h: float) -> str:
    return cell.reread[0] if cell.reread is not None else words_text(cell.words, h)


def reread_numbers(raw: RawTable, gray: np.ndarray, h: float, read: Reader) -> int:
    """Re-read garbled cells of numeric body columns with ``read(gray, bbox, single_line=True)``; returns
    how many cells took the re-read."""
    columns: dict[int, list[tuple[RawCell, str]]] = {}
    for cell in raw.cells:
        if cell.row >= raw.n_header_rows and cell.colspan == 1 and cell.rowspan == 1:
            columns.setdefault(cell.col, []).append((cell, " ".join(_text(cell, h).split())))
    todo: list[tuple[RawCell, ColumnHints, str]] = []  # cell, its column's hints, digits a re-read must keep
    for cells in columns.values():
        hints = infer_hints([t for _, t in cells])
        if not hints.repair:
            continue  # not a numeric column: words there are meant as words
        # a dropped minus is only looked for where the column writes its negatives with one ("(12)" columns
        # do not, and there the faint left edge of a lowres "3" or "6" would pass for a stroke)
        minus_column = any(t.startswith(("-", "\u2212")) for _, t in cells)
        for cell, text in cells:
            if not text:
                continue
            if parse_value(text, hints).kind not in _AMOUNTS:
                todo.append((cell, hints, ""))
            elif not (text[0].isdigit() or text[0] in _CURRENCIES):
                continue  # already signed, bracketed or decorated
            elif minus_column and not text.startswith("4") and _dash_first(cell, gray):
                # the page pass saw the stroke (inside the word's box) but not the sign; a 4 is skipped, it
                # opens with its crossbar, a level stroke just like a minus
                conf = float(np.mean([w.conf for w in cell.words]))
                cell.reread = ("-" + text, conf)
            elif _ink_before_words(cell, gray):
                todo.append((cell, hints, _digits(text)))
    taken = 0
    for cell, hints, digits in todo[:REREAD_BUDGET]:
        x0, y0, x1, y1 = cell.bbox
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        text, conf = read(gray, cell.bbox, single_line=True)
        text = " ".join(text.split())
        if not digits and parse_value(text, hints).kind not in _AMOUNTS:
            # small print: a second look at twice the size (the crop alone, so the page is not resized)
            crop = cv2.resize(gray[y0:y1, x0:x1], None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            text, conf = read(crop, (0, 0, crop.shape[1], crop.shape[0]), single_line=True)
            text = " ".join(text.split())
        if not text or parse_value(text, hints).kind not in _AMOUNTS:
            continue
        if digits and (_digits(text) != digits or text.lstrip("-($€£¥") == text):
            continue  # a sign or symbol re-read must add exactly that
        cell.reread = (text, conf)
        taken += 1
    return taken


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _dash_first(cell: RawCell, gray: np.ndarray) -> bool:
    """The first word begins with a short, level stroke in the middle of the line: a minus sign."""
    if not cell.words:
        return False
    x0, y0, x1, y1 = (int(v) for v in min(cell.words, key=lambda w: w.bbox[0]).bbox)
    crop = gray[max(0, y0) : max(0, y1), max(0, x0 - 2) : max(0, x1)]
    if crop.shape[0] < 6 or crop.shape[1] < 6:
        return False
    lo, hi = float(crop.min()), float(np.median(crop))
    if hi - lo < 40:
        return False
    ink = crop < (lo + hi) / 2
    cols = np.flatnonzero(ink.any(axis=0))
    if cols.size == 0:
        return False
    start = end = int(cols[0])
    while end + 1 < ink.shape[1] and ink[:, end + 1].any():
        end += 1
    if end + 1 >= ink.shape[1]:
        return False  # no gap after the stroke: it is part of a glyph
    rows = np.flatnonzero(ink[:, start : end + 1].any(axis=1))
    height = crop.shape[0]
    thin = rows[-1] - rows[0] + 1 <= 0.2 * height
    level = 0.3 * height <= (rows[0] + rows[-1]) / 2 <= 0.8 * height
    wide = end - start + 1 >= 2
    return bool(thin and level and wide)


def _ink_before_words(cell: RawCell, gray: np.ndarray) -> bool:
    """Dark pixels between the cell's left edge and its first word, level with the words (a dropped glyph)."""
    if not cell.words:
        return False
    x_first = min(int(w.bbox[0]) for w in cell.words)
    top = min(int(w.bbox[1]) for w in cell.words)
    bottom = max(int(w.bbox[3]) for w in cell.words)
    strip = gray[max(0, top) : max(0, bottom), max(0, int(cell.bbox[0]) + 3) : max(0, x_first - 2)]
    return strip.size > 0 and int((strip < 128).sum()) >= 4
