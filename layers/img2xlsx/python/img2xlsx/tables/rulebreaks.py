"""Where a table's column rules break, and what the break means: a table's end or a section label.

Column rules that do not outline a grid of their own (the text runs past the outer ones) still tell where
tables begin and end. Two tables stacked close, a note line between them, read as one text block; but every
rule of the first stops above the note and the second's rules start below it, at other abscissas (other
columns): the block is cut there (:func:`split_at_rule_breaks`). Rules that stop at a section label and
start again at the same abscissas are one table's: its last section, closed by a total row's rules, made a
grid apart from the rows above, and is joined back to them (:func:`grids_continuing`).
"""

from __future__ import annotations

from collections.abc import Sequence

from .blockends import is_columnar
from .lines import VLine
from .region import Region, overlap
from .textlines import Line

# A rule counted here is at least this many text heights long (a header and a row of cells).
MIN_RULE = 2.0
# Rules on each side of a break, at least: one rule is a box or a stroke.
MIN_SIDE = 2
# Tallest break between the rules above and the rules below, in text heights (a note or a title and the
# blank around it; further apart the blocks are cut at the blank already).
MAX_BREAK = 4.0
# The rules of one table end (and start) within this many text heights of each other ...
EVEN = 1.0
# ... and no other rule ends this many text heights above the break (a taller table's rules all end at it).
TABLE_END = 6.0
# Lines of cells on each side of a cut, at least (a header and two rows).
MIN_ROWS = 3
# The rows above a grid may end this many text heights over it (a section label between them).
LABEL_GAP = 3.0


def _positions(rules: Sequence[VLine], tol: float) -> list[float]:
    """Distinct abscissas of ``rules`` (both edges of a thick rule are one)."""
    out: list[float] = []
    for x in sorted(v.x for v in rules):
        if not out or x - out[-1] > tol:
            out.append(x)
    return out


def _same_places(a: Sequence[float], b: Sequence[float], tol: float) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def free_rules(regions: Sequence[Region], vlines: Sequence[VLine]) -> list[VLine]:
    """The vertical rules no region has taken (rules of tables left to their text)."""
    taken = {id(v) for r in regions for v in r.vlines}
    return [v for v in vlines if id(v) not in taken]


def across_break(r: Region, y0: float, y1: float, breaks: Sequence[float]) -> bool:
    """Whether a text block (heights y0..y1) and the text region ``r`` lie on either side of a height where
    :func:`split_at_rule_breaks` cut: two tables, not to be joined again as one block continuing another."""
    return r.kind == "plain" and not r.bands and any(min(y1, r.y1) <= y <= max(y0, r.y0) for y in breaks)


def split_at_rule_breaks(
    block: list[Line], vlines: Sequence[VLine], h: float, tol: float
) -> list[list[Line]]:
    """The block cut where all its column rules stop and others start a little below (a note under the
    first table between them), at other abscissas (other columns): two tables, the second starting at the
    first line under its rules' top. Rules that start again at the same abscissas are one table's, broken
    at a section label."""
    x0 = min(ln.x0 for ln in block) - h
    x1 = max(ln.x1 for ln in block) + h
    y0 = min(ln.y0 for ln in block) - h
    y1 = max(ln.y1 for ln in block) + h
    # (a rule runs on a little past the last line's text: the cell's padding)
    rules = [
        v
        for v in vlines
        if v.length >= MIN_RULE * h and x0 <= v.x <= x1 and overlap(v.y0, v.y1, y0, y1) >= 0.8 * v.length
    ]
    if len(rules) < 2 * MIN_SIDE:
        return [block]
    for start in sorted({v.y0 for v in rules}):
        above = [v for v in rules if v.y1 < start]
        below = [v for v in rules if v.y0 >= start]
        if not above or len(above) + len(below) != len(rules):
            continue  # a rule runs across
        end = max(v.y1 for v in above)
        if start - end > MAX_BREAK * h:
            continue  # a blank that tall parts the text blocks already
        # every rule of the table above ends at its last row, every rule of the one below starts at its
        # top (pieces of rule ending here and there are a bent or crumpled page's, not a break)
        ending = [v for v in above if v.y1 >= end - EVEN * h]
        starting = [v for v in below if v.y0 <= start + EVEN * h]
        if sum(1 for v in above if v.y1 >= end - TABLE_END * h) != len(ending) or len(starting) != len(below):
            continue
        pa, pb = _positions(ending, tol), _positions(starting, tol)
        if len(pa) < MIN_SIDE or len(pb) < MIN_SIDE or _same_places(pa, pb, tol):
            continue
        k = next((j for j, ln in enumerate(block) if ln.yc > start), len(block))
        top, rest = block[:k], block[k:]
        if sum(map(is_columnar, top)) < MIN_ROWS or sum(map(is_columnar, rest)) < MIN_ROWS:
            continue
        return [top, *split_at_rule_breaks(rest, vlines, h, tol)]
    return [block]


def grids_continuing(regions: list[Region], vlines: Sequence[VLine], h: float, tol: float) -> list[Region]:
    """Grids joined to the region right above them whose column rules they continue: rules of one table
    broken at a section label; the rows above the label hold pieces of rule at every abscissa of the
    grid's column rules. The region above grows over the grid and takes its rules."""
    out = list(regions)
    for g in sorted(regions, key=lambda r: r.y0):
        if g.kind != "grid" or g not in out:
            continue
        places = _positions([v for v in g.vlines if v.length >= MIN_RULE * h], tol)
        if len(places) < MIN_SIDE:
            continue
        above = next(
            (
                r
                for r in out
                if r is not g
                and r.kind != "grid"
                and 0 <= g.y0 - r.y1 <= LABEL_GAP * h
                and overlap(r.x0, r.x1, g.x0, g.x1) >= 0.8 * (g.x1 - g.x0)
            ),
            None,
        )
        if above is None:
            continue
        inside = [
            v
            for v in vlines
            if v.length >= MIN_RULE * h
            and above.y0 - h <= v.y0
            and v.y1 <= above.y1 + h
            and above.x0 <= v.x <= above.x1
        ]
        if not _same_places(_positions(inside, tol), places, tol):
            continue
        above.y1 = g.y1
        above.x0, above.x1 = min(above.x0, g.x0), max(above.x1, g.x1)
        above.hlines.extend(g.hlines)
        out.remove(g)
    return out
