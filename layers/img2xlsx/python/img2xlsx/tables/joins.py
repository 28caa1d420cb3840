"""Pieces of one table found apart, joined: a header row over its grid or ruled body (its fill hid the
rules that would have framed it), a shaded header over a body whose rules start a tall row below, rules
of a row or two inside a striped table, a table's own cues found as regions inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .blockends import CROSSING_SHARE, channels
from .lines import HLine
from .region import Region, overlap
from .textlines import Line

# Share of a region's area that must lie inside a larger one for it to be that region's own cue.
NESTED_SHARE = 0.8


def join_header_to_grid(block: Sequence[Line], r: Region, h: float) -> bool:
    """A row of cells right above a grid whose column rules start at its top rule, each cell between two
    of them and most columns filled, is its header row whose fill hid its rules (a dark band too light or
    broken to be seen as one): the grid is framed up to it (its column rules run up to a rule above it).
    Whether the block was so joined."""
    if not 0 <= r.y0 - max(ln.y1 for ln in block) < 2.0 * h:
        return False
    # its last lines within the grid's width; above the last, only group headers over the data columns
    # (a title or a paragraph above starts at the table's left edge)
    head: list[Line] = []
    for ln in reversed(block):
        if ln.x0 < r.x0 - h or ln.x1 > r.x1 + h or len(head) == 3 or (head and ln.x0 <= r.x0 + 2 * h):
            break
        head.insert(0, ln)
    if not head:
        return False
    block = head
    tol = max(4.0, 0.6 * h)
    starts = [v for v in r.vlines if abs(v.y0 - r.y0) <= tol]
    xs: list[int] = []
    for x in sorted(v.x for v in starts):  # boxed cells: two rules between columns
        if not xs or x - xs[-1] > h:
            xs.append(x)
    if len(xs) < 3:
        return False
    # (lines above the last may hold group headers spanning columns)
    phrases = list(block[-1].phrases)
    m = 0.3 * h
    if any(p.x0 + m < x < p.x1 - m for p in phrases for x in xs):
        return False  # runs across a column rule: a title or a note
    cells = [p for ln in block for p in ln.phrases if not any(p.x0 + m < x < p.x1 - m for x in xs)]
    filled = {sum(1 for x in xs if x < (p.x0 + p.x1) / 2) for p in cells}
    if len(filled) < max(2, 0.6 * (len(xs) - 1)):
        return False
    top = min(ln.y0 for ln in block) - round(0.3 * h)
    if not any(abs(s.y - r.y0) <= tol for s in r.hlines):  # its top rule drowned in the fill too
        r.hlines.append(HLine(r.x0, r.x1, r.y0, 1))
    r.hlines.append(HLine(r.x0, r.x1, top, 1))
    moved = {id(v) for v in starts}
    r.vlines = [replace(v, y0=top) if id(v) in moved else v for v in r.vlines]
    r.y0 = top
    return True


def heads_columns(line: Line, body: Sequence[Line], h: float) -> bool:
    """The line reads as the header row of ``body``: a cell over most of its columns, none running across
    a column gap (a paragraph line spaced wide breaks into phrases, but they ignore the columns)."""
    chans = channels(body, h, CROSSING_SHARE)
    if not chans or len(line.phrases) < max(2, 0.6 * (len(chans) + 1)):
        return False
    return not any(p.x0 < a and p.x1 > b for p in line.phrases for a, b in chans)


def headers_joined(regions: list[Region], h: float) -> list[Region]:
    """A shaded header (with the rows its text block took along) standing right on a ruled or striped
    body of its own width is that body's head: the body's rules start below a tall first row, too far
    down to be seen as under the band."""
    out: list[Region] = []
    for r in sorted(regions, key=lambda r: r.y0):
        top = next(
            (
                q
                for q in out
                if q.kind == "plain"
                and q.bands
                and r.kind in ("hrules", "zebra")
                and -0.25 * h <= r.y0 - q.y1 < 0.75 * h
                and overlap(q.x0, q.x1, r.x0, r.x1) >= 0.85 * max(q.x1 - q.x0, r.x1 - r.x0)
            ),
            None,
        )
        if top is None:
            out.append(r)
            continue
        r.y0, r.x0, r.x1 = top.y0, min(r.x0, top.x0), max(r.x1, top.x1)
        r.bands = top.bands + r.bands
        out[out.index(top)] = r
    return out


def without_nested(regions: list[Region]) -> list[Region]:
    """The regions minus ruled and striped ones lying (nearly) wholly inside a larger region: no table
    sits inside another, so these are that table's own cues (a few row rules, stripes of crumpled paper's
    shading, a photo's shadow) found before the text around them made the larger region; their words go
    to the larger one, which grows to cover them."""

    def area(r: Region) -> float:
        return max(1, r.x1 - r.x0) * max(1, r.y1 - r.y0)

    def nested(q: Region, r: Region) -> bool:
        shared = overlap(q.x0, q.x1, r.x0, r.x1) * overlap(q.y0, q.y1, r.y0, r.y1)
        return shared >= NESTED_SHARE * area(q) and area(r) >= area(q)

    alive = list(regions)
    for q in sorted(regions, key=area):
        if q.kind == "grid":
            continue
        host = next((r for r in alive if r is not q and nested(q, r)), None)
        if host is not None:
            # (or the same table found twice, from its rules and from its text: one region over both)
            host.x0, host.y0 = min(host.x0, q.x0), min(host.y0, q.y0)
            host.x1, host.y1 = max(host.x1, q.x1), max(host.y1, q.y1)
            alive = [r for r in alive if r is not q]
    return alive


def within_rows(q: Region, r: Region, h: float) -> bool:
    """The ruled region ``q`` spans a small part of the striped region ``r`` and lies within it (rules
    running on past the stripes' ends say the stripes are shadows on a ruled table)."""
    inside = q.y0 >= r.y0 - h and q.y1 <= r.y1 + h and q.x0 >= r.x0 - h and q.x1 <= r.x1 + h
    return r.kind == "zebra" and inside and (q.y1 - q.y0) < 0.4 * (r.y1 - r.y0)


def ruled_below(band: Region, regions: Sequence[Region], h: float) -> Region | None:
    """The ruled region starting right under shaded bands of its own width (at most a row between them):
    the bands are that table's header."""
    width = band.x1 - band.x0
    for q in regions:
        if q.kind != "hrules":
            continue
        ys = sorted(s.y for s in q.hlines)
        row = float(np.median(np.diff(ys))) if len(ys) >= 2 else h
        if not 0 <= q.y0 - band.y1 <= max(3.0 * h, 1.3 * row):
            continue
        if overlap(band.x0, band.x1, q.x0, q.x1) >= 0.85 * max(width, q.x1 - q.x0):
            return q
    return None
