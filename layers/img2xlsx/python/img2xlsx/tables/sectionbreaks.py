"""Column rules that stop together at a section label and go on below it are one rule each.

A table ruled between its columns often sets a section label ("Operating", "Financing") on a row of its own
across the whole table, and its column rules stop at that row and start again under it. Each piece is then
only a section's height: the pieces of one section share no height with the table's outer rules (or with
the pieces of another section), so no row of rules outlined the table and it was read from its whitespace
alone, its labels put in the first column with empty cells beside them. Joined without filling the gap, the
pieces outline the table again, and the grid sees no rule across the label's row: the label spans it, as
the picture shows it.

Only a gap where the table's rules stop and go on together counts: the rules stopping at its top start
again at its bottom at the same abscissas, two of them at least (a crease or a stamp breaks one rule here
and another there, see :func:`img2xlsx.tables.colrules._bridged`; a table stacked under another, a title
between them, has rules of its own), the gap is about one row of the table high (a title between two tables
stacked on one column layout stands further apart), and it holds one line of one phrase (a label, not a
row of cells).
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence

from .lines import VLine
from .region import overlap
from .textlines import WordLike, build_lines
from .unionfind import UnionFind

# A section label's row is at most this many text heights high (one line and its padding).
SECTION_GAP = 4.5
# ... and at most this many times the table's row pitch (a title between two tables stands further apart).
ROW_PITCHES = 1.6
# Pieces shorter than this many text heights are no rule's (a tick box's edges, a glyph's stroke).
MIN_PIECE = 2.0
# Rules stopping and starting again within this many text heights of each other stop at the same row.
SAME_STOP = 1.0


def joined_at_sections(
    rules: list[list[VLine]], words: Sequence[WordLike], h: float, tol: float
) -> list[list[VLine]]:
    """``rules`` (pieces of one rule each) with the pieces either side of a section label's row joined."""
    out = list(rules)
    while True:
        pairs = _gaps(out, h, tol)
        keep = [
            (i, j)
            for i, j in pairs
            if _stop_together(out, i, j, h, tol) and _label_between(out, i, j, words, h, tol)
        ]
        if not keep:
            return out
        sets = UnionFind(len(out))
        for i, j in keep:
            sets.union(i, j)
        chains: dict[int, list[VLine]] = {}
        for k, rule in enumerate(out):
            chains.setdefault(sets.find(k), []).extend(rule)
        out = list(chains.values())


def _extent(rule: list[VLine]) -> tuple[int, int]:
    return min(v.y0 for v in rule), max(v.y1 for v in rule)


def _x(rule: list[VLine], y: float) -> float:
    piece = min(rule, key=lambda v: 0 if v.y0 <= y <= v.y1 else min(abs(v.y0 - y), abs(v.y1 - y)))
    return piece.x_at(y)


def _gaps(rules: list[list[VLine]], h: float, tol: float) -> list[tuple[int, int]]:
    """(upper, lower) index pairs of pieces in line with each other, the lower the nearest below within
    :data:`SECTION_GAP`."""
    out: list[tuple[int, int]] = []
    for i, a in enumerate(rules):
        a1 = _extent(a)[1]
        if not _long(a, h):
            continue
        below = [
            (b0, j)
            for j, b in enumerate(rules)
            if j != i
            and _long(b, h)
            and 0 < (b0 := _extent(b)[0]) - a1 <= SECTION_GAP * h
            and abs(_x(a, a1) - _x(b, b0)) <= tol
        ]
        if below:
            out.append((i, min(below)[1]))
    return out


def _stop_together(rules: list[list[VLine]], i: int, j: int, h: float, tol: float) -> bool:
    """The rules stopping where piece ``i`` stops start again where piece ``j`` starts, at the same
    abscissas (within each other's reach: a rule beside the table may start there too), and there are two
    of them at least: one table's rules round a label's row (a table stacked below another has rules of its
    own, a crease breaks only some rules)."""
    a1, b0 = _extent(rules[i])[1], _extent(rules[j])[0]
    stop = [_x(r, a1) for r in rules if abs(_extent(r)[1] - a1) <= SAME_STOP * h and _long(r, h)]
    start = [_x(r, b0) for r in rules if abs(_extent(r)[0] - b0) <= SAME_STOP * h and _long(r, h)]
    if len(stop) < 2 or len(start) < 2:
        return False
    stop = [x for x in stop if min(start) - tol <= x <= max(start) + tol]
    start = [x for x in start if min(stop, default=0) - tol <= x <= max(stop, default=0) + tol]
    return (
        len(stop) >= 2
        and all(any(abs(x - o) <= tol for o in start) for x in stop)
        and all(any(abs(x - o) <= tol for o in stop) for x in start)
    )


def _long(rule: list[VLine], h: float) -> bool:
    """Longer than a tick box's or a glyph's edge: a rule beside one row of cells at least."""
    a0, a1 = _extent(rule)
    return a1 - a0 >= MIN_PIECE * h


def _label_between(
    rules: list[list[VLine]], i: int, j: int, words: Sequence[WordLike], h: float, tol: float
) -> bool:
    """The gap between pieces ``i`` and ``j`` holds a section label within the table's width."""
    (a0, a1), (b0, b1) = _extent(rules[i]), _extent(rules[j])
    xs = sorted(_x(r, (a1 + b0) / 2) for r in rules if overlap(*_extent(r), a0, b1) > 0)
    places = [x for k, x in enumerate(xs) if k == 0 or x - xs[k - 1] > tol]
    if len(places) < 2 or not label_row(words, places, a1, b0, h):
        return False
    # a row's height, not a title's with the space around it between two tables
    within = [w for w in words if places[0] < (w.bbox[0] + w.bbox[2]) / 2 < places[-1]]
    steps = [
        b.yc - a.yc
        for y0, y1 in ((a0, a1), (b0, b1))
        for a, b in itertools.pairwise(
            build_lines([w for w in within if y0 < (w.bbox[1] + w.bbox[3]) / 2 < y1], h)
        )
    ]
    return not steps or b0 - a1 <= ROW_PITCHES * statistics.median(steps)


def label_row(words: Sequence[WordLike], places: Sequence[float], y0: float, y1: float, h: float) -> bool:
    """Between heights ``y0`` and ``y1`` lies one line of one phrase (a section label), within the width of
    the rules at ``places`` (reaching a column's width past the outer ones: a label in an unruled first
    column), and nothing else."""
    reach = (places[-1] - places[0]) / max(1, len(places) - 1)
    inside = [
        w
        for w in words
        if y0 < (w.bbox[1] + w.bbox[3]) / 2 < y1
        and places[0] - reach < (w.bbox[0] + w.bbox[2]) / 2 < places[-1] + reach
    ]
    lines = build_lines(inside, h)
    return len(lines) == 1 and len(lines[0].phrases) == 1
