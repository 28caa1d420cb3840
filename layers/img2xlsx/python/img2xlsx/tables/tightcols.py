"""Numeric columns set one space apart: the cut that whitespace alone cannot see.

Monospace reports often right-align numbers in columns only one character apart ("62918 81629 144547").
That space is narrower than a column gap (:func:`.columns.min_column_gap`), so the columns run together and
the line reads as one phrase. What still tells them apart: every line leaves the same narrow channel empty
(right-aligned numbers of different lengths end at one x and the next column's start after it), and the
words on both of its sides are numbers. A word space inside a text cell never lines up over many rows, and
a unit, a currency sign or a percent sign beside a number is no number. Numbers grouped with spaces
("12 345") line up too, but then the words after the channel are all three-digit groups.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .columns import _runs, word_col
from .textlines import Line, Phrase, WordLike

# The channel is at least this wide (share of the column gap; a monospace space is ~0.55 of it, a
# proportional one ~0.5) ...
MIN_WIDTH = 0.3
# ... and the lines that have a number on each side of it are at least this many ...
MIN_LINES = 3
# ... and this share of the lines with text in the column (the others: header labels, a spanning title) ...
LINE_SHARE = 0.6
# ... and this share of the lines with words on both sides has a number on both sides.
NUMERIC_SHARE = 0.8

# Cuts found in one column at most (one per pass).
MAX_PASSES = 4

_GROUP = re.compile(r"^\d{3}([.,]\d+)?\W*$")


def _numeric(text: str) -> bool:
    """Mostly digits: an amount, a count, a percentage ("(12.5%)", "-$2,945.71"); not a number that a comma
    ties to the next word (a date's day: "May 27, 2022")."""
    if text.endswith((",", ";")):
        return False
    alnum = [ch for ch in text if ch.isalnum()]
    digits = sum(ch.isdigit() for ch in alnum)
    return digits >= 1 and digits >= 0.6 * len(alnum)


def _channels(words: Sequence[WordLike], x0: float, x1: float) -> list[tuple[int, int]]:
    """Empty x-ranges between the words of one column's lines, inside their extent."""
    a, b = int(x0), int(x1)
    cover = np.zeros(max(1, b - a + 1), bool)
    for w in words:
        cover[max(0, w.bbox[0] - a) : max(0, min(b - a + 1, w.bbox[2] - a))] = True
    ink = np.flatnonzero(cover)
    if ink.size == 0:
        return []
    return _runs(~cover[ink[0] : ink[-1] + 1], a + int(ink[0]))


def _tight_cut(col_lines: Sequence[list[WordLike]], min_gap: float) -> float | None:
    """The x of a channel that the column's multi-word lines leave empty and that parts numbers."""
    multi = [ws for ws in col_lines if len(ws) >= 2]
    if len(multi) < MIN_LINES:
        return None
    words = [w for ws in multi for w in ws]
    x0 = min(w.bbox[0] for w in words)
    x1 = max(w.bbox[2] for w in words)
    for a, b in _channels(words, x0, x1):
        if b - a < MIN_WIDTH * min_gap:
            continue
        xc = (a + b) / 2
        pairs: list[tuple[WordLike, WordLike]] = []
        for ws in col_lines:
            left = [w for w in ws if w.bbox[2] <= xc]
            right = [w for w in ws if w.bbox[0] >= xc]
            if left and right:
                pairs.append((max(left, key=lambda w: w.bbox[2]), min(right, key=lambda w: w.bbox[0])))
        if len(pairs) < MIN_LINES or len(pairs) < LINE_SHARE * len(col_lines):
            continue
        numeric = [p for p in pairs if _numeric(p[0].text) and _numeric(p[1].text)]
        if len(numeric) < max(MIN_LINES, NUMERIC_SHARE * len(pairs)):
            continue
        if all(_GROUP.match(r.text) for _, r in numeric):
            continue  # "12 345": one number grouped with spaces
        return xc
    return None


def _split(ln: Line, cuts: Sequence[float]) -> Line:
    """The line with its phrases also parted at ``cuts`` where a cut falls between two of their words."""
    phrases: list[Phrase] = []
    for p in ln.phrases:
        cur: list[WordLike] = [p.words[0]]
        for a, b in zip(p.words, p.words[1:], strict=False):
            if any(a.bbox[2] <= c <= b.bbox[0] for c in cuts):
                phrases.append(Phrase(cur))
                cur = []
            cur.append(b)
        phrases.append(Phrase(cur))
    return Line(ln.words, phrases)


def tight_columns(
    lines: Sequence[Line], edges: Sequence[float], min_gap: float
) -> tuple[list[float], list[Line]]:
    """``edges`` with the cuts of numeric columns set one space apart, and ``lines`` with their phrases
    parted there."""
    out = list(edges)
    new: list[float] = []
    for _ in range(MAX_PASSES):  # a column may hold several: each pass parts it at one channel
        found = []
        for k in range(len(out) - 1):
            col_lines = [[w for w in ln.words if word_col(w, out) == k] for ln in lines]
            cut = _tight_cut([ws for ws in col_lines if ws], min_gap)
            if cut is not None:
                found.append(cut)
        if not found:
            break
        new += found
        out = sorted([*out, *found])
    if not new:
        return out, list(lines)
    return out, [_split(ln, new) for ln in lines]
