"""Rows from text inside a grid whose columns are ruled but whose rows are not.

Tables ruled only between columns (column rules with an outer box, heavy rules between column groups, a
total rule below) form a network of crossing rules, but the rules between rows are missing: every body row
would fall into one rule row and come back as a few giant cells. When the rule rows hold far more lines of
text spread over several columns than there are rule rows, the text lines are grouped into rows the way a
borderless table's are (wrapped cell lines join their row, never across a drawn rule), and the rule rows are
cut between those groups.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from .borderless import _group_rows
from .columns import line_cols
from .textlines import Line, WordLike, build_lines

# Lines that fill at least two columns, per rule row: a table whose rule rows hold this many times as many of
# them as there are rule rows has unruled body rows (a fully ruled grid holds about one per rule row, a
# few more where cells wrap).
LINES_PER_RULE_ROW = 2.0
# ... and at least one rule row holds this many such lines (a wrapped two-line row never does).
MIN_LINES_IN_ONE = 3


def text_row_cuts(
    words: Sequence[WordLike],
    col_edges: Sequence[float],
    rule_ys: Sequence[float],
    h: float,
    phrase_gap: float,
    text_edges: Sequence[float] = (),
    short: Sequence[float] = (),
) -> list[float]:
    """Heights (at the table's centre) where unruled rows meet, between the given rule heights; [] when the
    grid's own rules already separate its rows. ``text_edges``: those of ``col_edges`` drawn by the text,
    not by rules (a label may run across them). ``short``: those of ``rule_ys`` drawn across a small part
    of the table only (a rule under a group label, a piece of a lost rule): they still part rows, but do
    not count as rows of the grid when telling whether the grid rules its rows."""
    if len(rule_ys) < 2 or len(col_edges) < 3 or not words:
        return []
    lines = sorted(build_lines(words, phrase_gap), key=lambda ln: ln.yc)
    lines = [ln for ln in lines if rule_ys[0] < ln.yc < rule_ys[-1]]
    if len(lines) < MIN_LINES_IN_ONE:
        return []
    filled = [len(line_cols(ln, col_edges)) >= 2 for ln in lines]
    full_ys = [y for k, y in enumerate(rule_ys) if k in (0, len(rule_ys) - 1) or y not in short]
    per_row = [0] * (len(full_ys) - 1)
    for ln, f in zip(lines, filled, strict=True):
        if f:
            per_row[_slot(ln.yc, full_ys)] += 1
    if max(per_row) < MIN_LINES_IN_ONE or sum(per_row) < LINES_PER_RULE_ROW * len(per_row):
        return []
    seps = list(rule_ys[1:-1])
    groups = _group_rows(lines, col_edges, seps, h, text_edges)
    cuts: list[float] = []
    for above, below in itertools.pairwise(groups):
        if _slot(_mid(above), rule_ys) != _slot(_mid(below), rule_ys):
            continue  # a drawn rule separates them already
        y_above = max(ln.y1 for ln in above)
        y_below = min(ln.y0 for ln in below)
        cuts.append((y_above + y_below) / 2)
    return cuts


def _mid(group: list[Line]) -> float:
    return (min(ln.y0 for ln in group) + max(ln.y1 for ln in group)) / 2


def _slot(y: float, ys: Sequence[float]) -> int:
    """Index of the rule row holding height ``y``."""
    k = sum(1 for v in ys[1:-1] if v <= y)
    return min(k, len(ys) - 2)
