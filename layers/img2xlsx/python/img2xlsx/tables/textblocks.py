"""Blocks of text lines that may hold a plain table: runs of close lines with column-aligned lines among
them, cut at wide vertical gaps and trimmed of the titles and notes at their ends (moved out of
:mod:`.segment`, which had grown past the module size limit)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from .blockends import is_columnar, without_stray_ends
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
        typical = float(np.median(gaps)) if gaps else h
        limit = max(2.2 * h, 1.8 * typical)
        cur = []
        for i, ln in enumerate(piece):
            if cur and gaps[i - 1] > limit:
                blocks.append(cur)
                cur = []
            cur.append(ln)
        if cur:
            blocks.append(cur)
    out: list[list[Line]] = []
    for block in blocks:
        core = trim(block, h)
        if core:
            out.append(core)
    return out


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
    core = block[idx[0] : idx[-1] + 1]
    # single-phrase lines directly above the first columnar line may be a spanning group header
    # (kept when they do not start at the table's left edge); below, wrapped last-row lines
    lead = block[: idx[0]]
    left = min(ln.x0 for ln in core)
    core_gaps = [b.y0 - a.y1 for a, b in itertools.pairwise(core)]
    near = max(1.5 * h, 1.3 * float(np.median(core_gaps))) if core_gaps else 1.5 * h
    while lead and not is_columnar(lead[-1]) and lead[-1].x0 > left + 2 * h:
        if core[0].y0 - lead[-1].y1 >= near:
            break
        core.insert(0, lead.pop())
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


def within_later_column(run: Sequence[Line], gaps: Sequence[tuple[int, int]]) -> bool:
    """Every line of ``run`` starts past the first column gap of the rows above and runs across none of
    their gaps: the wrapped text of a cell further right, where a note or a title between two tables
    starts at their left edge or runs across their columns."""
    if not gaps:
        return False
    crossing = any(p.x0 < a and p.x1 > b for ln in run for p in ln.phrases for a, b in gaps)
    return not crossing and all(ln.x0 > gaps[0][1] for ln in run)
