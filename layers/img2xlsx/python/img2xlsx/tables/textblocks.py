"""Runs of close text lines that may hold a table, and their ends: where a block of lines is cut (wide
blanks, unless the lines on both sides keep one set of columns: the rows of a table with a wrapped column
stand well apart) and which lines at its ends belong to the table (not a title, a note or a paragraph).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from .blockends import CROSSING_SHARE, channels, column_gaps, is_columnar, without_stray_ends, wordy
from .region import overlap
from .textlines import Line


def text_blocks(lines: Sequence[Line], h: float) -> list[list[Line]]:
    """Runs of vertically close lines that contain at least two multi-phrase (column-aligned) lines."""
    # first cut at wide empty stretches, then inside each piece at gaps well above its own typical gap
    # (generous row padding is a style, not a break between tables)
    coarse: list[list[Line]] = []
    cur: list[Line] = []
    for ln in lines:
        if cur and ln.y0 - max(c.y1 for c in cur) > 4.5 * h:
            coarse.append(cur)
            cur = []
        cur.append(ln)
    if cur:
        coarse.append(cur)
    blocks: list[list[Line]] = []
    for piece in coarse:
        gaps = [b.y0 - max(c.y1 for c in piece[: i + 1]) for i, b in enumerate(piece[1:])]
        limit = max(2.2 * h, 1.8 * _row_gap(piece, gaps, h))
        # over the median of all gaps (wrapped lines' included) a gap is a break unless columns carry on
        soft = max(2.2 * h, 1.8 * float(np.median(gaps))) if gaps else limit
        cur = []
        for i, ln in enumerate(piece):
            if cur and gaps[i - 1] > limit:
                blocks += _cut_unless_columns_carry(cur, soft, h)
                cur = []
            cur.append(ln)
        if cur:
            blocks += _cut_unless_columns_carry(cur, soft, h)
    out: list[list[Line]] = []
    for block in blocks:
        core = trim(block, h)
        if core:
            out.append(core)
    return out


def _cut_unless_columns_carry(block: list[Line], limit: float, h: float) -> list[list[Line]]:
    """``block`` cut at its gaps wider than ``limit`` where the lines above and below do not keep each
    other's column gaps: the rows of one table set apart by a wrapped column stay together. (A table on a
    bent page drifts sideways; its column gaps close over its whole height: it is read in pieces.)"""
    pieces: list[list[Line]] = [[block[0]]]
    for a, b in itertools.pairwise(block):
        if b.y0 - a.y1 > limit and b.y0 - max(ln.y1 for ln in pieces[-1]) > limit:
            pieces.append([])
        pieces[-1].append(b)
    out = [pieces[0]]
    for piece in pieces[1:]:
        joined = out[-1] + piece
        whole = channels(joined, h, CROSSING_SHARE)
        if all(
            any(overlap(a, b, c, d) >= 0.5 * (b - a) for c, d in whole)
            for part in (out[-1], piece)
            for a, b in _piece_gaps(part, h)
        ):
            out[-1] = joined
        else:
            out.append(piece)
    return out


def _piece_gaps(piece: Sequence[Line], h: float) -> list[tuple[int, int]]:
    """The column gaps (a text height wide at least) of a few lines: those they share, or the gaps
    between the cells of their one line of cells."""
    multi = [ln for ln in piece if is_columnar(ln)]
    if len(multi) >= 2:
        return column_gaps(piece, h)
    gaps = [(a.x1, b.x0) for ln in multi for a, b in itertools.pairwise(ln.phrases)]
    return [(a, b) for a, b in gaps if b - a >= h]


def _row_gap(piece: Sequence[Line], gaps: Sequence[float], h: float) -> float:
    """The usual blank between rows: the median gap above the lines that start a row (multi-phrase lines).
    Wrapped cells add lines set tight under their row's first line; counted in, their small gaps made
    every row gap of a table with a wrapped column look like a break between tables."""
    starts = [g for g, ln in zip(gaps, piece[1:], strict=True) if is_columnar(ln)]
    return float(np.median(starts if len(starts) >= 3 else gaps)) if gaps else h


def trim(block: list[Line], h: float, *, strays: bool = False) -> list[Line]:
    """The block without the single-phrase lines above and below its column-aligned core; ``strays``:
    nor the multi-phrase lines at its ends that ignore its columns (only once side-by-side tables are
    apart: their two titles on one line are what tells them apart)."""
    # cut off leading and trailing single-phrase lines (titles, notes); keep inner ones (wrapped cells)
    idx = [i for i, ln in enumerate(block) if is_columnar(ln)]
    if not idx:
        return []
    if strays:
        idx = without_stray_ends([block[i] for i in idx], h, idx)
        idx = _below_running_line(block, idx, h)
    core = block[idx[0] : idx[-1] + 1]
    # single-phrase lines directly above the first columnar line may be a spanning group header
    # (kept when they do not start at the table's left edge); below, wrapped last-row lines
    lead = block[: idx[0]]
    left = min(ln.x0 for ln in core)
    core_gaps = [b.y0 - a.y1 for a, b in itertools.pairwise(core)]
    near = max(1.5 * h, 1.3 * float(np.median(core_gaps))) if core_gaps else 1.5 * h
    while lead and not is_columnar(lead[-1]):
        if lead[-1].x0 > left + 2 * h:
            if core[0].y0 - lead[-1].y1 >= near:
                break
            core.insert(0, lead.pop())
        elif (g := _group_over_stub(lead, core, left, near, h)) is not None:
            core[:0] = [lead[g], lead[-1]]  # lines between them lie off the table (a margin mark)
            del lead[g:]
        else:
            break
    trail = block[idx[-1] + 1 :]
    xs_cols = [(p.x0, p.x1) for ln in core for p in ln.phrases]
    while trail and core and trail[0].y0 - core[-1].y1 < 0.8 * h:
        t = trail[0]
        inside = [c for c in xs_cols if overlap(c[0], c[1], t.x0, t.x1) > 0]
        if len(t.phrases) == 1 and len(inside) >= 1 and t.x0 > left + 2 * h:
            core.append(trail.pop(0))
        else:
            break
    return core


def _group_over_stub(
    lead: Sequence[Line], core: Sequence[Line], left: float, near: float, h: float
) -> int | None:
    """The position in ``lead`` (single-phrase lines above a table's rows ``core``) of a group header over
    the later columns when the last of ``lead`` is the stub header set beside it: a label at the table's
    left edge between that group header and the header row under it, as "Account" beside "Year ended
    December 31" over "FY2024 FY2021". A title or note at the left edge sits above the group header, not
    beside it. Lines off the table's width (a mark in the margin) are passed over."""
    stub, first = lead[-1], core[0]
    right = max(ln.x1 for ln in core)
    if stub.x0 > left + 2 * h or not stub.yc < first.yc:
        return None
    for g in range(len(lead) - 2, -1, -1):
        group = lead[g]
        if group.x0 > right + h or group.x1 < left - h:
            continue
        ok = (
            not is_columnar(group)
            and left + 2 * h < group.x0
            and stub.x1 < group.x0
            and group.yc < stub.yc
            and first.y0 - group.y1 < near
        )
        return g if ok else None
    return None


def within_later_column(run: Sequence[Line], gaps: Sequence[tuple[int, int]]) -> bool:
    """Every line of ``run`` starts past the first column gap of the rows above and runs across none of
    their gaps: the wrapped text of a cell further right, where a note or a title between two tables
    starts at their left edge or runs across their columns."""
    if not gaps:
        return False
    crossing = any(p.x0 < a and p.x1 > b for ln in run for p in ln.phrases for a, b in gaps)
    return not crossing and all(ln.x0 > gaps[0][1] for ln in run)


def _below_running_line(block: Sequence[Line], idx: list[int], h: float) -> list[int]:
    """``idx`` (the positions of the block's multi-phrase lines) without the first when a single-phrase
    line of words under it runs from the table's left edge across two column gaps of the lines below (a
    paragraph under a title and a stamp that read as one line of two cells); a group header spans some
    columns but never starts over the first. A first line filling half the columns or more is the header
    row over a long section label."""
    if len(idx) < 4:
        return idx
    rest = [block[i] for i in idx[1:]]
    gaps = column_gaps(rest, h)
    if len(block[idx[0]].phrases) > 0.5 * (len(gaps) + 1):
        return idx
    left = min(ln.x0 for ln in rest)
    for ln in block[idx[0] + 1 : idx[1]]:
        p = ln.phrases[0]
        if ln.x0 <= left + h and wordy(p) and sum(1 for a, b in gaps if p.x0 < a and p.x1 > b) >= 2:
            return idx[1:]
    return idx
