"""OCR words grouped into visual text lines and, inside a line, into phrases separated by wide gaps."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import numpy as np


class WordLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def conf(self) -> float: ...
    @property
    def bbox(self) -> tuple[int, int, int, int]: ...


class _HorizontalExtent:
    """Left and right edges of a group of words (a phrase or a whole line)."""

    words: list[WordLike]

    @property
    def x0(self) -> int:
        return min(w.bbox[0] for w in self.words)

    @property
    def x1(self) -> int:
        return max(w.bbox[2] for w in self.words)


@dataclass
class Phrase(_HorizontalExtent):
    """Consecutive words of one line closer than a column gap: usually the content of one cell."""

    words: list[WordLike]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Line(_HorizontalExtent):
    """Words whose vertical extents overlap, left to right."""

    words: list[WordLike] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)

    @property
    def y0(self) -> int:
        return min(w.bbox[1] for w in self.words)

    @property
    def y1(self) -> int:
        return max(w.bbox[3] for w in self.words)

    @property
    def yc(self) -> float:
        # statistics.median: the same value as np.median, ~20x cheaper on a handful of numbers
        return float(statistics.median([(w.bbox[1] + w.bbox[3]) / 2 for w in self.words]))


def median_height(words: Sequence[WordLike], default: float = 20.0) -> float:
    if not words:
        return default
    return float(statistics.median([w.bbox[3] - w.bbox[1] for w in words]))  # == np.median, cheaper


# A word this many median text heights tall is no text of a line: a stamp or a seal set at an angle over the
# page (a title in a large font is two or three heights tall, a Vietnamese word with its marks 2.7).
TALL_WORD = 4.0


def build_lines(words: Sequence[WordLike], phrase_gap: float) -> list[Line]:
    """Cluster words into lines by vertical overlap, then split each line into phrases at wide gaps.

    Linear in the words: each open line keeps its extent and its word centres (appended in increasing
    order, since words arrive sorted by centre), so its median centre is read off without a sort.
    """
    order = sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0]))
    ref_h = median_height(words) if words else 1.0
    lines: list[Line] = []
    state: list[list[float]] = []  # per line: [y0, y1, median centre], parallel to ``lines``
    centres: list[list[float]] = []
    for w in order:
        wy0, wy1 = w.bbox[1], w.bbox[3]
        wc = (wy0 + wy1) / 2
        best = -1
        best_d = 1e9
        tall = wy1 - wy0 > TALL_WORD * ref_h
        for k in range(max(0, len(lines) - 8), len(lines)):
            ly0, ly1, lc = state[k]
            if tall or ly1 - ly0 > TALL_WORD * ref_h:
                continue  # a stamp's word: it stands alone, not bridging the lines of text it covers
            overlap = min(wy1, ly1) - max(wy0, ly0)
            hmin = max(1, min(wy1 - wy0, ly1 - ly0))
            if overlap >= 0.45 * hmin and abs(wc - lc) < 0.6 * max(wy1 - wy0, ly1 - ly0):
                d = abs(wc - lc)
                if d < best_d:
                    best, best_d = k, d
        if best < 0:
            lines.append(Line([w]))
            state.append([wy0, wy1, wc])
            centres.append([wc])
        else:
            lines[best].words.append(w)
            cs = centres[best]
            cs.append(wc)
            n = len(cs)
            st = state[best]
            st[0], st[1] = min(st[0], wy0), max(st[1], wy1)
            st[2] = cs[n // 2] if n % 2 else (cs[n // 2 - 1] + cs[n // 2]) / 2
    for line in lines:
        line.words.sort(key=lambda w: w.bbox[0])
        # a line in a larger font (a title) has proportionally wider spaces
        scale = max(1.0, median_height(line.words) / max(ref_h, 1.0))
        line.phrases = split_phrases(line.words, phrase_gap * scale)
    lines.sort(key=lambda ln: ln.y0)
    return lines


def split_phrases(words: Sequence[WordLike], gap: float) -> list[Phrase]:
    phrases: list[Phrase] = []
    cur: list[WordLike] = []
    right = -1e9
    for w in sorted(words, key=lambda w: w.bbox[0]):
        if cur and w.bbox[0] - right >= gap:
            phrases.append(Phrase(cur))
            cur = []
        cur.append(w)
        right = max(right, w.bbox[2])
    if cur:
        phrases.append(Phrase(cur))
    return phrases


def _advances(words: Sequence[WordLike]) -> list[float]:
    return [(w.bbox[2] - w.bbox[0]) / len(w.text) for w in words if len(w.text) >= 4 and w.conf > 0.6]


def char_width(words: Sequence[WordLike], h: float) -> float:
    """Median advance per character (about 0.7 h for both proportional and monospace fonts)."""
    adv = _advances(words) or [(w.bbox[2] - w.bbox[0]) / len(w.text) for w in words if len(w.text) >= 3]
    if len(adv) < 3:
        return 0.7 * h
    return float(np.median(adv))


def is_monospace(words: Sequence[WordLike]) -> bool:
    """Every word has the same advance per character: the spread is ~2 % for monospace, >8 % otherwise.

    Only alphabetic words vote: digits have one common width in most proportional fonts too.
    """
    adv = _advances([w for w in words if w.text.isalpha()])
    if len(adv) < 6:
        return False
    q1, med, q3 = np.percentile(adv, [25, 50, 75])
    return bool((q3 - q1) / max(med, 1e-6) < 0.05)


def space_width(words: Sequence[WordLike], h: float) -> float:
    """Width of a space: one character advance in a monospace font, about half of one otherwise."""
    cw = char_width(words, h)
    return cw if is_monospace(words) else 0.55 * cw


def phrase_gap_for(words: Sequence[WordLike], h: float) -> float:
    """Gap that separates two phrases (cells) rather than two words of one phrase."""
    return max(0.75 * h, 1.75 * space_width(words, h))


W = TypeVar("W", bound=WordLike)


def clip_swallowing_boxes(words: Sequence[W], rebox: Callable[[W, tuple[int, int, int, int]], W]) -> list[W]:
    """Words whose box runs over the whole next word of its line get a box as long as their own text.

    Tesseract now and then reports a word's box up to the end of the following word ('Market' over
    'Market Market' in a tight header), and that one box closes the column gap under it.
    """
    lines = build_lines(words, 1e9)
    adv = char_width(words, median_height(words))
    fixed: dict[int, tuple[int, int, int, int]] = {}
    for ln in lines:
        for a, b in itertools.pairwise(ln.words):
            ax0, ay0, ax1, ay1 = a.bbox
            if ax0 < b.bbox[0] and ax1 >= b.bbox[2] - 1 and b.bbox[0] - ax0 > len(a.text) * adv:
                fixed[id(a)] = (ax0, ay0, min(b.bbox[0] - 1, ax0 + round(len(a.text) * adv) + 1), ay1)
    return [rebox(w, fixed[id(w)]) if id(w) in fixed else w for w in words]
