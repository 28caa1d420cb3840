"""Columns of a block of text lines from its whitespace: the empty vertical channels shared by the lines that
hold most cells (group headers that span columns would close the channels, so lines with few phrases are
left out of that vote). Used by borderless tables and inside ruled columns (:mod:`.subcolumns`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from .textlines import Line, Phrase, WordLike, space_width


def _column_edges(lines: Sequence[Line], x0: int, x1: int, min_gap: float) -> list[float]:
    counts = [len(ln.phrases) for ln in lines]
    ref = float(np.percentile(counts, 90)) if counts else 1.0
    need = max(2, math.ceil(0.6 * ref))
    voters = [ln for ln in lines if len(ln.phrases) >= need] or list(lines)
    width = max(1, x1 - x0 + 1)
    cover = _line_cover(voters, x0, width)
    occupied = np.flatnonzero(cover > 0)
    if occupied.size == 0:
        return [float(x0), float(x1)]
    lo, hi = int(occupied[0]), int(occupied[-1])
    # an empty channel is a column gap when the lines are, typically, widely spaced across it (a narrow
    # channel may come from a long value in one row; aligned word spaces stay narrow)
    exact = [
        (a, b)
        for a, b in _runs(cover[lo : hi + 1] == 0, lo)
        if b - a >= 0.25 * min_gap and _typical_gap(voters, x0 + (a + b) / 2) >= min_gap
    ]
    cuts = [x0 + (a + b) / 2 for a, b in exact]
    cuts.extend(_bridged_gaps(voters, cover, lo, hi, exact, x0, min_gap))
    label = _label_column_cut(lines, x0 + lo, min_gap)
    if label is not None:
        cuts.append(label)
    return [float(x0), *sorted(cuts), float(x1)]


# Letters and digits the words left of the voting lines hold at least: a label, not a tick box or a speck.
LABEL_CHARS = 3


def _label_column_cut(lines: Sequence[Line], start: float, min_gap: float) -> float | None:
    """A cut before the voting lines' text for a first column that only lines of their own fill: row labels
    centred on a group of rows (an even number of them puts the label between two rows' lines). Its words
    end a column gap before the voters' text starts, and every other word starts after that gap."""
    words = [w for ln in lines for w in ln.words]
    left = [w for w in words if w.bbox[2] <= start - min_gap]
    if sum(ch.isalnum() for w in left for ch in w.text) < LABEL_CHARS:
        return None
    end = max(w.bbox[2] for w in left)
    ids = {id(w) for w in left}
    rest = [w.bbox[0] for w in words if id(w) not in ids]
    if not rest or min(rest) - end < min_gap:  # a word runs across the gap (or closes it)
        return None
    return (end + min(rest)) / 2


def _line_cover(lines: Sequence[Line], x0: int, width: int) -> np.ndarray:
    """Per pixel column, how many lines have ink there."""
    cover = np.zeros(width, np.int32)
    for ln in lines:
        mask = np.zeros(width, bool)
        for w in ln.words:
            mask[max(0, w.bbox[0] - x0) : max(0, min(width, w.bbox[2] - x0))] = True
        cover += mask
    return cover


def _runs(flags: np.ndarray, offset: int = 0) -> list[tuple[int, int]]:
    """Half-open index ranges where ``flags`` is true."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    d = np.flatnonzero(np.diff(padded))
    return [(int(a) + offset, int(b) + offset) for a, b in zip(d[::2], d[1::2], strict=True)]


# Share of the voting lines that may run across a column gap (a header cell read together with its
# neighbour, a stray mark, a spanning label) without closing it: dev_0069's "Hours - Rating" header closed
# the gap that its 5 body rows leave open.
BRIDGE_SHARE = 0.2


# Share of the voting lines with ink right beside such a gap, on each side.
FLANK_SHARE = 0.5


def _bridged_gaps(
    voters: Sequence[Line],
    cover: np.ndarray,
    lo: int,
    hi: int,
    exact: Sequence[tuple[int, int]],
    x0: int,
    min_gap: float,
) -> list[float]:
    """Column gaps that all but a few lines leave empty. A stretch of low cover that holds an empty channel
    already found is the ragged end of a text column, not a gap of its own; the cut goes through the least
    covered part of the stretch, so the few long texts that reach into it are not split."""
    allowed = int(BRIDGE_SHARE * len(voters))
    if allowed < 1:
        return []
    out: list[float] = []
    for a, b in _runs(cover[lo : hi + 1] <= allowed, lo):
        inner = a > lo and b <= hi  # a stretch at the outer edge only holds a few long texts or specks
        if not inner or b - a < 0.5 * min_gap or any(ea < b and eb > a for ea, eb in exact):
            continue
        # a gap has the bulk of the lines' ink right beside it on both sides; inside a text column of
        # varied lengths the cover only thins out gradually
        w = int(2 * min_gap)
        if min(cover[max(lo, a - w) : a].max(), cover[b : b + w].max()) < max(
            allowed + 1, FLANK_SHARE * len(voters)
        ):
            continue
        seg = cover[a:b]
        floor_runs = _runs(seg == seg.min(), a)
        fa, fb = max(floor_runs, key=lambda r: r[1] - r[0])
        xc = x0 + (fa + fb) / 2
        if _typical_gap(voters, xc) >= min_gap:
            out.append(xc)
    return out


def _typical_gap(lines: Sequence[Line], xc: float) -> float:
    """Median whitespace across ``xc`` in the lines that have words on both sides of it."""
    gaps: list[float] = []
    for ln in lines:
        left = max((w.bbox[2] for w in ln.words if w.bbox[2] <= xc), default=None)
        right = min((w.bbox[0] for w in ln.words if w.bbox[0] >= xc), default=None)
        if left is not None and right is not None:
            gaps.append(right - left)
    return float(np.median(gaps)) if gaps else 1e9


def _merge_phrase_split_columns(lines: Sequence[Line], edges: list[float]) -> list[float]:
    """Drop a column edge that only ever cuts through phrases (a header like "On hand" over one column,
    a long value's inner space); keep it when some line has separate phrases on its two sides."""
    changed = True
    while changed and len(edges) > 2:
        changed = False
        for k in range(1, len(edges) - 1):
            cut = apart = 0
            for ln in lines:
                sides = []
                for p in ln.phrases:
                    cs = {word_col(w, edges) for w in p.words}
                    sides.append(cs)
                if any((k - 1) in cs and k in cs for cs in sides):
                    cut += 1
                left = any((k - 1) in cs and k not in cs for cs in sides)
                right = any(k in cs and (k - 1) not in cs for cs in sides)
                if left and right:
                    apart += 1
            if cut and not apart:
                del edges[k]
                changed = True
                break
    return edges


def _drop_mark_columns(lines: Sequence[Line], edges: list[float]) -> list[float]:
    """A column holding nothing but marks (a dash or rule piece read between two header labels, a speck)
    is no column: it joins the neighbour whose text comes closer."""
    k = 0
    while k < len(edges) - 1 and len(edges) > 2:
        ws = _col_words(lines, edges, k)
        if not ws or any(ch.isalnum() for w in ws for ch in w.text):
            k += 1
            continue
        left = max((w.bbox[2] for w in _col_words(lines, edges, k - 1)), default=None)
        right = min((w.bbox[0] for w in _col_words(lines, edges, k + 1)), default=None)
        mx0, mx1 = min(w.bbox[0] for w in ws), max(w.bbox[2] for w in ws)
        if k == 0 or (
            k < len(edges) - 2 and (left is None or (right is not None and right - mx1 < mx0 - left))
        ):
            del edges[k + 1]  # joins the column on its right
        else:
            del edges[k]
    return edges


def _col_words(lines: Sequence[Line], edges: Sequence[float], k: int) -> list[WordLike]:
    if k < 0 or k >= len(edges) - 1:
        return []
    return [w for ln in lines for w in ln.words if word_col(w, edges) == k]


def col_of(x: float, edges: Sequence[float]) -> int:
    for k in range(len(edges) - 1):
        if x < edges[k + 1]:
            return k
    return len(edges) - 2


def word_col(w: WordLike, edges: Sequence[float]) -> int:
    """The column holding the word's centre."""
    return col_of((w.bbox[0] + w.bbox[2]) / 2, edges)


def line_cols(line: Line, edges: Sequence[float]) -> set[int]:
    return {word_col(w, edges) for w in line.words}


def words_by_col(words: Iterable[WordLike], edges: Sequence[float]) -> dict[int, list[WordLike]]:
    """The words grouped by the column holding their centre."""
    out: dict[int, list[WordLike]] = {}
    for w in words:
        out.setdefault(word_col(w, edges), []).append(w)
    return out


def column_extents(words: Iterable[WordLike], edges: Sequence[float]) -> list[tuple[float, float]]:
    """Per column, the extent of the words whose centre lies in it (its bounds where none does): where a
    spanning label is centred."""
    by_col = words_by_col(words, edges)
    out: list[tuple[float, float]] = []
    for k in range(len(edges) - 1):
        ws = by_col.get(k)
        out.append(
            (min(w.bbox[0] for w in ws), max(w.bbox[2] for w in ws)) if ws else (edges[k], edges[k + 1])
        )
    return out


def spans_columns(p: Phrase, edges: Sequence[float]) -> bool:
    """The phrase's words sit in two columns or more."""
    return len({word_col(w, edges) for w in p.words}) >= 2


def find_columns(lines: Sequence[Line], words: Sequence[WordLike], min_gap: float) -> list[float]:
    x0 = min(w.bbox[0] for w in words)
    x1 = max(w.bbox[2] for w in words)
    edges = _merge_phrase_split_columns(lines, _column_edges(lines, x0, x1, min_gap))
    return _drop_mark_columns(lines, edges)


def min_column_gap(words: Sequence[WordLike], h: float) -> float:
    """Narrowest whitespace that separates two columns: wider than a word space, monospace ones too."""
    return max(0.6 * h, 1.8 * space_width(words, h))
