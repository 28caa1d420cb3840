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
from .textlines import Line, WordLike, build_lines

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
    frame_grid_up(r, min(ln.y0 for ln in block) - round(0.3 * h), h)
    return True


def frame_grid_up(r: Region, top: int, h: float) -> None:
    """The grid ``r`` framed up to height ``top``: a rule there, its column rules that start at its top
    rule run up to it (and the top rule, if it drowned in a header's fill, is restored)."""
    tol = max(4.0, 0.6 * h)
    if not any(abs(s.y - r.y0) <= tol for s in r.hlines):  # its top rule drowned in the fill too
        r.hlines.append(HLine(r.x0, r.x1, r.y0, 1))
    r.hlines.append(HLine(r.x0, r.x1, top, 1))
    r.vlines = [replace(v, y0=top) if abs(v.y0 - r.y0) <= tol else v for v in r.vlines]
    r.y0 = top


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
    down to be seen as under the band. Right on: the block's last line ends at most half a row's padding
    above the body's first rule (three quarters of a text height, or half the body's rule spacing)."""
    out: list[Region] = []
    for r in sorted(regions, key=lambda r: r.y0):
        top = next(
            (
                q
                for q in out
                if q.kind == "plain"
                and q.bands
                and r.kind in ("hrules", "zebra")
                and -0.25 * h <= r.y0 - q.y1 < max(0.75 * h, 0.5 * _rule_pitch(r))
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


def _rule_pitch(r: Region) -> float:
    """The usual spacing of a ruled region's rules (0 with fewer than three): a text block's last line
    ends half a row's padding above the rule under it, and rows ruled wide apart have wide padding."""
    ys = sorted(s.y for s in r.hlines)
    return float(np.median(np.diff(ys))) if len(ys) >= 3 else 0.0


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


# How far (text heights) a header row may stand above the body it heads: the band's lower edge, then the
# body's first rule a row's padding below.
HEAD_GAP = 2.0
# Tallest header row that can stand alone over its body, in text heights (a cell wrapped onto a few lines).
HEAD_TALL = 3.5
HEAD_COVER = 0.5  # share of the body's columns a header row's cells must stand over
HEAD_CROSSING = 0.25  # share of its cells that may run across a column gap (two cells read as one)


def header_rows_joined(regions: list[Region], h: float, phrase_gap: float) -> list[Region]:
    """A region holding one row of cells right on top of a table region, its cells over that table's
    columns, is that table's header row: its fill (a dark or shaded band framed by its own edges) made it a
    region apart, a row no table has alone. Over tables side by side, the row is shared out between them
    by where its cells stand. Regions must hold their words; the row's words move to the bodies."""
    alive = list(regions)
    for q in sorted(regions, key=lambda r: r.y0):
        if q not in alive or not q.words or q.y1 - q.y0 > HEAD_TALL * h:
            continue
        bodies = [
            r
            for r in alive
            if r is not q
            and r.words
            and -0.25 * h <= r.y0 - q.y1 <= HEAD_GAP * h
            and r.y1 - r.y0 > q.y1 - q.y0
            and overlap(q.x0, q.x1, r.x0, r.x1) > 0
        ]
        if not bodies:
            continue
        parts: dict[int, list[WordLike]] = {}
        for w in q.words:
            cx = (w.bbox[0] + w.bbox[2]) / 2
            home = next((i for i, r in enumerate(bodies) if r.x0 - h <= cx <= r.x1 + h), None)
            if home is None:
                break
            parts.setdefault(home, []).append(w)
        else:
            heads = {i: build_lines(ws, phrase_gap) for i, ws in parts.items()}
            if all(_heads_body(heads[i], bodies[i], h, phrase_gap) for i in parts):
                taken = {id(w) for i, ws in parts.items() if _take_header(bodies[i], q, ws, h) for w in ws}
                q.words = [w for w in q.words if id(w) not in taken]
                if not q.words:
                    alive.remove(q)
    return alive


def _heads_body(head: Sequence[Line], body: Region, h: float, phrase_gap: float) -> bool:
    """One to three lines whose cells stand over most of the body's columns, few running across a column
    gap (a header's cells wrap onto lines of their own, so the lines together, not each, head the
    columns; a stamp's or a title's words stand over a column or two)."""
    if not 1 <= len(head) <= 3:
        return False
    rows = build_lines(body.words, phrase_gap)
    gaps = [(a, b) for a, b in channels(rows, h, CROSSING_SHARE) if body.x0 < a and b < body.x1]
    if not gaps:
        return False
    phrases = [p for ln in head for p in ln.phrases]
    crossing = sum(1 for p in phrases if any(p.x0 < a and p.x1 > b for a, b in gaps))
    cols = {sum(1 for a, _b in gaps if a < (p.x0 + p.x1) / 2) for p in phrases}
    return len(cols) >= max(2, HEAD_COVER * (len(gaps) + 1)) and crossing <= max(
        1, HEAD_CROSSING * len(phrases)
    )


def _take_header(body: Region, q: Region, words: list[WordLike], h: float) -> bool:
    """``body`` grows up to take the header row ``words`` (a grid is framed up to it, when its column rules
    start at its top rule); the row's own rules and bands go with it."""
    top = min(w.bbox[1] for w in words) - round(0.3 * h)
    if body.kind == "grid":
        tol = max(4.0, 0.6 * h)
        if sum(1 for v in body.vlines if abs(v.y0 - body.y0) <= tol) < 3:
            return False  # its column rules do not start at its top rule: no frame to raise
        frame_grid_up(body, top, h)
    body.y0 = min(body.y0, top)
    body.x0 = min(body.x0, min(w.bbox[0] for w in words))
    body.x1 = max(body.x1, max(w.bbox[2] for w in words))
    body.words.extend(words)
    if body.kind != "grid":
        body.hlines.extend(s for s in q.hlines if overlap(s.x0, s.x1, body.x0, body.x1) > 0)
    body.bands.extend(b for b in q.bands if overlap(b.x0, b.x1, body.x0, body.x1) > 0)
    return True
