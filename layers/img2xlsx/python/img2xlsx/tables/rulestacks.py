"""Ruled tables without vertical rules: stacks of long horizontal rules over one extent, with text between
them. Where a stack ends is read from the text: a tall blank, a note and a title under the last rule, the
next table's rules agreeing on another width.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .blockends import CROSSING_SHARE, channels, column_gaps
from .lines import HLine
from .region import Region, overlap
from .textlines import Line


def _words_within(lines: Sequence[Line], x0: int, x1: int) -> list[tuple[int, int]]:
    """Vertical spans of the words within x0..x1. Words, not lines: a line runs on across tables side by
    side, and there a wrapped cell of the neighbour makes it two rows tall, across this table's rules."""
    return [
        (w.bbox[1], w.bbox[3]) for ln in lines for w in ln.words if overlap(w.bbox[0], w.bbox[2], x0, x1) > 0
    ]


def _text_gap_between(lines: Sequence[Line], x0: int, x1: int, y0: float, y1: float) -> float:
    """Largest vertical stretch without text (within x0..x1) between heights y0 and y1."""
    spans = sorted((a, b) for a, b in _words_within(lines, x0, x1) if b > y0 and a < y1)
    cur = y0
    best = 0.0
    for a, b in spans:
        if a > cur:
            best = max(best, a - cur)
        cur = max(cur, b)
    return max(best, y1 - cur)


def _has_text_between(lines: Sequence[Line], x0: int, x1: int, y0: float, y1: float) -> bool:
    return any(y0 <= (a + b) / 2 <= y1 for a, b in _words_within(lines, x0, x1))


@dataclass(frozen=True)
class _Stroke:
    """A short stroke between rules, standing in for the text it marks (WordLike)."""

    bbox: tuple[int, int, int, int]
    text: str = ""
    conf: float = 0.0


def _strokes(hl: Sequence[HLine], h: float) -> list[Line]:
    """Short strokes as lines of text: a row's label in bold italics taken for a rule (and painted out
    before reading), a partial rule under a group header. Either says the row between two rules holds
    something: no blank between two tables."""
    half = max(1, round(h / 2))
    return [Line([_Stroke((s.x0, s.y - half, s.x1, s.y + half))]) for s in hl if s.length < 6 * h]


def rule_regions(hl: list[HLine], lines: Sequence[Line], h: float) -> list[Region]:
    """Stacks of long rules over one extent, with text between them and no tall empty stretch."""
    long = sorted((s for s in hl if s.length >= 6 * h), key=lambda s: s.y)
    marked = [*lines, *_strokes(hl, h)]
    used = [False] * len(long)
    out: list[Region] = []
    for i, top in enumerate(long):
        if used[i]:
            continue
        group = [top]
        used[i] = True
        gx0, gx1 = top.x0, top.x1
        for j in range(i + 1, len(long)):
            if used[j]:
                continue
            s = long[j]
            ov = overlap(gx0, gx1, s.x0, s.x1)
            full = max(gx1 - gx0, s.length)
            inner = ov >= 0.9 * s.length and s.length < 0.9 * (gx1 - gx0)  # partial rule under a group header
            if ov < 0.7 * full and not inner:
                if _spans_past(s, gx0, gx1, h):
                    break  # a wider table's rule below: the group (a stray edge, a narrower table) ends
                continue
            # a rule running on to the left over the first column (whose row-spanning labels the rules so
            # far left out), one row further down, is the same table's
            widens = (
                len(group) >= 2
                and s.x0 < gx0 - 2 * h
                and abs(s.x1 - gx1) <= h
                and s.y - group[-1].y <= 1.3 * _pitch(group)
            )
            if not inner and not widens and _other_extent(group, s, long[j + 1 :], gx0, gx1, h):
                break  # the rules so far agree on the table's width, the next ones on another: the next table
            # from the last full rule: a partial one (under a group header, or a strike through a cell)
            # sits inside a row
            whole = [g for g in group if g.length >= 0.9 * (gx1 - gx0)] or group
            last_y = whole[-1].y
            # an empty row between two row rules is one rule spacing, like any other row (its label may be
            # struck through, the strike taken as a rule and painted out)
            empty_row = not inner and _rows_ruled(whole) and s.y - last_y <= EMPTY_ROW * _pitch(whole)
            if (
                _text_gap_between(marked, gx0, gx1, last_y, s.y) > 3.0 * h
                and not empty_row
                and not _closes_sectioned_body(whole, s, lines, long[j + 1 :], h)
            ):
                break
            between = _has_text_between(marked, s.x0, s.x1, last_y, s.y)
            if not between and not inner and s.y - last_y > 1.2 * h and not empty_row:
                break  # a bottom rule then, after a blank, the top rule of the next table
            if inner and not between:
                continue  # a partial rule sits right under the group header text it underlines
            if not inner and _only_loose_text(whole, lines, gx0, gx1, s.y, h):
                break  # a note and a title under the table's bottom rule, then the next table's top rule
            group.append(s)
            used[j] = True
            if not inner:
                gx0, gx1 = min(gx0, s.x0), max(gx1, s.x1)
        # a table ends on a full-width rule: trailing partial rules belong to whatever follows (a narrower
        # table stacked below)
        while len(group) > 1 and group[-1].length < 0.9 * (gx1 - gx0):
            dropped = group.pop()
            used[long.index(dropped)] = False
        if (
            len(group) >= 2
            and group[-1].y - group[0].y > 1.5 * h
            and _holds_cells(lines, gx0, gx1, group[0].y, group[-1].y, h)
        ):
            out.append(Region("hrules", gx0, group[0].y, gx1, group[-1].y, hlines=group))
    return out


def _spans_past(s: HLine, gx0: int, gx1: int, h: float) -> bool:
    """``s`` runs on well past both ends of a group's extent: it rules a wider table, so a group that went
    on beneath it would straddle that table (a page edge caught as a short rule above a table, or the
    rules of a narrow table stacked over a wide one, then swept up the wide table's rules below it)."""
    return s.x0 < gx0 - 2 * h and s.x1 > gx1 + 2 * h


# How many of its usual rule spacings an empty stretch between two rules of a table ruled under every row
# may span and still be an empty row of it (not the blank between two tables).
EMPTY_ROW = 1.15


def _pitch(group: Sequence[HLine]) -> float:
    return float(np.median(np.diff([g.y for g in group])))


def _rows_ruled(group: Sequence[HLine]) -> bool:
    """A rule under every row so far: at least four rules, evenly spaced (header rules aside)."""
    if len(group) < 4:
        return False
    gaps = np.diff([g.y for g in group])
    pitch = float(np.median(gaps))
    return bool(np.sum(np.abs(gaps - pitch) <= 0.15 * pitch) >= len(gaps) - 1)


def _holds_cells(lines: Sequence[Line], x0: int, x1: int, y0: float, y1: float, h: float) -> bool:
    """Some line between the rules holds two phrases within their extent (a row of two cells at least):
    strokes through a column of names (struck-out entries) are rules over one cell only."""
    return any(
        sum(1 for p in ln.phrases if p.x0 >= x0 - h and p.x1 <= x1 + h) >= 2
        for ln in lines
        if y0 < ln.yc < y1
    )


def _only_loose_text(
    group: Sequence[HLine], lines: Sequence[Line], gx0: int, gx1: int, y: float, h: float
) -> bool:
    """Between the group's last rule and height ``y``: only lines that are no row of cells (one phrase, or
    two, one running across the column gaps of the rows above) over a stretch taller than the group's usual
    rule spacing (a section row between two rules is not taller)."""
    if len(group) < 3:
        return False
    ys = [g.y for g in group]
    pitch = _pitch(group)
    inside = [ln for ln in lines if ys[-1] < ln.yc < y and overlap(ln.x0, ln.x1, gx0, gx1) > 0]
    if not inside or y - ys[-1] <= 1.4 * pitch:
        return False
    # a note spaced wide reads as two phrases, but one of them runs across the table's column gaps
    rows = [ln for ln in lines if ys[0] < ln.yc < ys[-1] and overlap(ln.x0, ln.x1, gx0, gx1) > 0]
    gaps = [(a, b) for a, b in channels(rows, h, CROSSING_SHARE) if gx0 < a and b < gx1]

    def loose(ln: Line) -> bool:
        within = [p for p in ln.phrases if p.x1 > gx0 and p.x0 < gx1]
        crossing = any(p.x0 < a and p.x1 > b for p in within for a, b in gaps)
        return len(within) <= 1 or (len(within) == 2 and crossing)

    # or, under rules spaced evenly, a note right under the last one, then rows over a stretch as tall as
    # a few of them: the next table's header (its own rule hidden under its fill)
    noted = _rows_ruled(group) and loose(min(inside, key=lambda ln: ln.yc)) and y - ys[-1] > 2.5 * pitch
    return noted or all(loose(ln) for ln in inside)


def _other_extent(
    group: Sequence[HLine], s: HLine, below: Sequence[HLine], gx0: int, gx1: int, h: float
) -> bool:
    """At least two full rules of ``group`` agree on the table's ends; ``s`` ends elsewhere on either side
    than the last of them (drift along a bent page stays small from one rule to the next), and so does the
    next rule below it, which agrees with ``s`` instead (one rule detected short is not a new table)."""
    loose = max(1.5 * h, 0.03 * (gx1 - gx0))
    full = [g for g in group if abs(g.x0 - gx0) <= loose and abs(g.x1 - gx1) <= loose]
    if len(full) < 2:
        return False
    spread = max(max(abs(a.x0 - b.x0), abs(a.x1 - b.x1)) for a, b in itertools.pairwise(full))
    tol = max(0.8 * h, 2.0 * spread)

    def off(a: HLine, b: HLine) -> bool:
        return abs(a.x0 - b.x0) > tol or abs(a.x1 - b.x1) > tol

    if not off(s, full[-1]):
        return False
    nxt = next((t for t in below if overlap(t.x0, t.x1, s.x0, s.x1) >= 0.7 * max(t.length, s.length)), None)
    return nxt is not None and not off(nxt, s) and off(nxt, full[-1])


def _closes_sectioned_body(
    whole: Sequence[HLine], s: HLine, lines: Sequence[Line], below: Sequence[HLine], h: float
) -> bool:
    """``s`` is the bottom rule of a table ruled only at its top, under its header and at its bottom, whose
    body is set in sections (a label, rows, a blank, the next label): the rules so far are the top and the
    header rule (text only between them), ``s`` spans the same width, the lines between are rows of cells
    and section labels (no title or note running across their column gaps), and no rule follows ``s`` a few
    rows below at that width (it would be the header rule of a next table that ``s`` tops)."""
    if len(whole) != 2:
        return False
    top, head = whole
    tol = max(1.5 * h, 0.03 * (top.x1 - top.x0))
    if any(abs(g.x0 - s.x0) > tol or abs(g.x1 - s.x1) > tol for g in whole):
        return False
    body = [ln for ln in lines if head.y < ln.yc < s.y and overlap(ln.x0, ln.x1, s.x0, s.x1) > 0]
    rows = [ln for ln in body if len(ln.phrases) >= 2]
    if len(rows) < 3:
        return False
    gaps = column_gaps(rows, h)
    if len(gaps) < 2:
        return False
    if any(p.x0 < a and p.x1 > b for ln in body if len(ln.phrases) == 1 for p in ln.phrases for a, b in gaps):
        return False
    nxt = next((t for t in below if overlap(t.x0, t.x1, s.x0, s.x1) >= 0.7 * max(t.length, s.length)), None)
    return nxt is None or nxt.y - s.y > 8 * h
