"""Where the tables are: regions of the page, each with the graphical cues found inside it.

Three kinds of evidence, strongest first: connected networks of horizontal and vertical rules (bordered
grids), stacks of long horizontal rules sharing one extent (ruled tables), stacks of shaded bands sharing one
extent (zebra tables). Whatever text is left is searched for blocks of column-aligned lines (plain tables);
such a block directly touching a ruled or zebra region extends it (an unshaded last row, a header above a
single rule). Lines of a single phrase that cross the column gaps (titles, paragraphs, notes) never start or
extend a table.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from .blockends import CROSSING_SHARE, channels, column_gaps, is_columnar, with_totals_joined, wordy
from .colrules import column_rule_regions
from .cues import band_regions, grid_regions, stripes_end_mid_row
from .headcuts import cut_above_dark_heads
from .insetrules import adopt_inset_rules
from .joins import (
    header_rows_joined,
    headers_joined,
    heads_columns,
    join_header_to_grid,
    ruled_below,
    within_rows,
    without_nested,
)
from .lines import Band, Rulings
from .region import Kind, Region, overlap
from .rulebreaks import across_break, free_rules, grids_continuing, split_at_rule_breaks
from .rulestacks import rule_regions
from .stamps import over_text
from .textblocks import text_blocks, trim, within_later_column
from .textlines import Line, WordLike, build_lines

__all__ = ["Kind", "Region", "find_regions"]


def _split_side_by_side(block: list[Line], h: float, phrase_gap: float) -> list[list[Line]]:
    """A block whose widest empty vertical channel separates two sets of rows that do not line up."""
    words = [w for ln in block for w in ln.words]
    if len(block) < 3:
        return [block]
    x0 = min(w.bbox[0] for w in words)
    x1 = max(w.bbox[2] for w in words)
    cover = np.zeros(x1 - x0 + 1, np.int32)
    for w in words:
        cover[w.bbox[0] - x0 : w.bbox[2] - x0] += 1
    empty = cover == 0
    runs: list[tuple[int, int]] = []
    start = None
    for i, e in enumerate(empty):
        if e and start is None:
            start = i
        elif not e and start is not None:
            runs.append((start, i))
            start = None
    runs = [r for r in runs if r[1] - r[0] >= 0.8 * h]
    if not runs:
        return [block]
    best = max(runs, key=lambda r: r[1] - r[0])
    best_w = best[1] - best[0]
    if best_w < 2.5 * h:
        return [block]
    others = sorted((r[1] - r[0] for r in runs if r != best), reverse=True)
    split_x = x0 + (best[0] + best[1]) / 2
    left = [w for w in words if (w.bbox[0] + w.bbox[2]) / 2 < split_x]
    right = [w for w in words if (w.bbox[0] + w.bbox[2]) / 2 >= split_x]
    lb, rb = build_lines(left, phrase_gap), build_lines(right, phrase_gap)
    if len(lb) < 2 or len(rb) < 2:
        return [block]
    if sum(is_columnar(ln) for ln in lb) < 2 or sum(is_columnar(ln) for ln in rb) < 2:
        return [block]  # one side holds no table (row labels of a sparse first column): nothing to split off
    ry = [ln.yc for ln in rb]
    aligned = sum(1 for ln in lb if min(abs(ln.yc - y) for y in ry) < 0.25 * h)
    frac = aligned / max(1, min(len(lb), len(rb)))
    # a channel far wider than every other one, with at least two columns on each side of it
    # (counted at gaps between phrases: a gap between two words of a cell is no column)
    cols_left = 1 + sum(1 for r in runs if r[1] <= best[0] and r[1] - r[0] >= phrase_gap)
    cols_right = 1 + sum(1 for r in runs if r[0] >= best[1] and r[1] - r[0] >= phrase_gap)
    dominant = (not others or best_w >= 2.0 * others[0]) and best_w >= 4 * h
    wider = (not others or best_w >= 1.5 * others[0]) and best_w >= 3 * h
    row_h = (block[-1].y1 - block[0].y0) / max(1, len(block))
    ends_differ = max(abs(lb[0].y0 - rb[0].y0), abs(lb[-1].y1 - rb[-1].y1)) > 1.5 * row_h
    # rows that do not line up across the channel: two tables, unless one side has only two lines (a
    # sparse column, e.g. a column holding only its head and the total)
    misaligned = frac < 0.6 and min(len(lb), len(rb)) >= 3
    split = misaligned or (cols_left >= 2 and cols_right >= 2 and (dominant or (wider and ends_differ)))
    if not split:
        return [block]
    return _split_side_by_side(lb, h, phrase_gap) + _split_side_by_side(rb, h, phrase_gap)


def _standalone_table(block: Sequence[Line], h: float) -> bool:
    """Enough column-aligned lines to call a text block a table on its own: three, or two whose every
    phrase gap falls into one of at least two shared column gaps (two lines of a paragraph can share a gap
    by chance, rarely two)."""
    multi = [ln for ln in block if is_columnar(ln)]
    chans = channels(block, h, CROSSING_SHARE)
    # (a colon read as a speck is lost now and then)
    if not chans or len(multi) < 2 or sum(map(_form_field, multi)) >= 0.6 * len(multi):
        return False
    if len(multi) >= 3:
        return True
    gaps = [(a.x1, b.x0) for ln in multi for a, b in itertools.pairwise(ln.phrases)]
    in_chan = all(any(overlap(g0, g1, a, b) > 0 for a, b in chans) for g0, g1 in gaps)
    return len(chans) >= 2 and in_chan


def _form_field(line: Line) -> bool:
    """A label, a colon and its value ('Date : 07/05/2024', 'VAT No.: 6102'): a form's field, which a block
    of such lines (a receipt's or an invoice's head) is made of, not a table's row."""
    texts = [p.text.strip() for p in line.phrases]
    if len(texts) > 3:
        return False
    return texts[0].endswith(":") or any(t.startswith(":") for t in texts[1:])


def _split_stacked(block: list[Line], h: float) -> list[list[Line]]:
    """A text block holding tables one above the other, with a note or a title between them (set close
    enough to read as one block): cut above each run of single-phrase lines that runs across the column
    gaps of the lines above or below it, when both sides are tables of their own and their columns differ
    or the run is two lines or more (a note and a title); a section label inside one table is one line
    and keeps the columns on both sides."""
    multi = [i for i, ln in enumerate(block) if is_columnar(ln)]
    for a, b in itertools.pairwise(multi):
        if b == a + 1:
            continue
        above, run, below = block[: a + 1], block[a + 1 : b], block[b:]
        if not all(_standalone_table(t, h) and sum(map(is_columnar, t)) >= 3 for t in (above, below)):
            continue  # two lines of cells under a note are as often a key-value list or a wrapped paragraph
        # gaps at least a text height wide: a narrow channel inside a column of short labels is chance
        ca = column_gaps(above, h)
        cb = column_gaps(below, h)
        crossing = any(
            p.x0 < x0 and p.x1 > x1 and wordy(p) for ln in run for p in ln.phrases for x0, x1 in ca + cb
        )
        if crossing and within_later_column(run, ca):
            continue  # a long cell of a right-hand column wrapped over several lines
        if crossing and (len(run) >= 2 or _columns_differ(ca, cb)):
            return [above, *_split_stacked(run + below, h)]
    return [block]


def _columns_differ(ca: Sequence[tuple[int, int]], cb: Sequence[tuple[int, int]]) -> bool:
    """Some column gap of one set of lines has no counterpart in the other."""
    return any(not any(overlap(a0, a1, b0, b1) > 0 for b0, b1 in cb) for a0, a1 in ca) or any(
        not any(overlap(a0, a1, b0, b1) > 0 for a0, a1 in ca) for b0, b1 in cb
    )


def _fits_columns(block: Sequence[Line], region_lines: Sequence[Line], region: Region, h: float) -> bool:
    """Whether a text block continues a table region: within its width, and its phrases do not run across
    the region's column gaps (a paragraph above a table does)."""
    # (a line or two may run on: a handwritten note beside a row)
    outside = sum(1 for ln in block if ln.x0 < region.x0 - 3 * h or ln.x1 > region.x1 + 3 * h)
    if outside > 0.15 * len(block):
        return False
    chans = channels(region_lines, h)
    if not chans:
        return True
    phrases = [p for ln in block for p in ln.phrases]
    crossing = sum(1 for p in phrases if any(p.x0 < a and p.x1 > b for a, b in chans))
    # a header right above the body: as many cells per line as the body has columns (a paragraph has a
    # few long phrases), a wrapped header cell or two may bridge a gap
    most = max(len(ln.phrases) for ln in block)
    if most >= max(3, 0.6 * (len(chans) + 1)) and crossing <= 0.4 * len(phrases):
        return True
    if crossing > 0.2 * len(phrases):
        return False
    # the gaps between its phrases fall into the region's column gaps
    gaps = [(a.x1, b.x0) for ln in block for a, b in itertools.pairwise(ln.phrases)]
    if not gaps:
        return True
    aligned = sum(1 for g0, g1 in gaps if any(overlap(g0, g1, a, b) > 0 for a, b in chans))
    return aligned >= 0.7 * len(gaps)


def _cut_at_region_gaps(
    block: list[Line], regions: Sequence[Region], h: float, phrase_gap: float
) -> list[list[Line]]:
    """A text block running across tables that stand side by side (their zebra stripes, rules or shaded
    header bands do not overlap horizontally) is cut between them, so each part can join its own table."""
    by0 = min(ln.y0 for ln in block)
    by1 = max(ln.y1 for ln in block)
    near = sorted(
        (
            r
            for r in regions
            if (r.kind in ("zebra", "hrules") or r.seed) and r.y0 - 3 * h < by1 and r.y1 + 3 * h > by0
        ),
        key=lambda r: r.x0,
    )
    words = [w for ln in block for w in ln.words]
    cuts: list[float] = []
    for a, b in itertools.pairwise(near):
        # a header band broken by a fold or a shadow leaves a sliver between its pieces; tables side by
        # side stand a column gap or more apart, and no text stands in that gap (stripes cover their
        # table's width: pieces of stripes a fold broke up leave columns of text between them)
        apart = b.x0 - a.x1 >= 2 * h or not (a.seed or b.seed)
        gap_text = _text_between(words, a.x1 + 0.5 * h, b.x0 - 0.5 * h, min(a.y0, b.y0) - h)
        if a.x1 < b.x0 and apart and not gap_text:
            cuts.append((a.x1 + b.x0) / 2)
    if not cuts:
        return [block]
    edges = [-math.inf, *cuts, math.inf]
    parts: list[list[Line]] = []
    for lo, hi in itertools.pairwise(edges):
        sub = [w for w in words if lo <= (w.bbox[0] + w.bbox[2]) / 2 < hi]
        if sub:
            parts.append(build_lines(sub, phrase_gap))
    return parts


def _text_between(words: Sequence[WordLike], x0: float, x1: float, y0: float) -> bool:
    """Some word below height y0 reaches into the stretch between x0 and x1 (a title above may span)."""
    return any(w.bbox[0] < x1 and w.bbox[2] > x0 and w.bbox[1] + w.bbox[3] > 2 * y0 for w in words)


def find_regions(
    words: Sequence[WordLike],
    rulings: Rulings,
    bands: list[Band],
    h: float,
    phrase_gap: float,
) -> list[Region]:
    """All table regions of the page, in reading order, with the words that fall inside them."""
    tol = max(4, round(0.6 * h))
    regions = [
        r for r in grid_regions(rulings.hlines, rulings.vlines, tol) if not over_text(r, words, h, phrase_gap)
    ]
    adopt_inset_rules(regions, rulings.hlines, tol)
    lines = build_lines(words, phrase_gap)

    def free(rs: list[Region], r: Region) -> bool:
        return not any(
            overlap(r.x0, r.x1, q.x0, q.x1) > 0.5 * (r.x1 - r.x0)
            and overlap(r.y0, r.y1, q.y0, q.y1) > 0.5 * max(1, r.y1 - r.y0)
            for q in rs
        )

    # rules between columns only: no crossing rule made them a grid above
    used_v = {id(v) for r in regions for v in r.vlines}
    used_h = {id(s) for r in regions for s in r.hlines}
    for r in column_rule_regions(
        [v for v in rulings.vlines if id(v) not in used_v],
        [s for s in rulings.hlines if id(s) not in used_h],
        bands,
        words,
        h,
        tol,
    ):
        if free(regions, r):
            regions.append(r)
    grid_ids = {id(s) for r in regions for s in r.hlines}
    hl_rest = [s for s in rulings.hlines if id(s) not in grid_ids]
    for r in rule_regions(hl_rest, lines, h):
        if free(regions, r):
            regions.append(r)
    for r in band_regions(bands, h):
        if stripes_end_mid_row(r, words, h):
            continue  # highlighted cells of a table its text shows; the text blocks below find that table
        overlapping = [
            q
            for q in regions
            if overlap(r.x0, r.x1, q.x0, q.x1) > 0.5 * (r.x1 - r.x0) and overlap(r.y0, r.y1, q.y0, q.y1) > 0
        ]
        small = [q for q in overlapping if q.kind == "hrules" and within_rows(q, r, h)]
        if overlapping and len(small) == len(overlapping):
            # rules around a row or two of a striped table (a total row's rules): the stripes' table
            for q in small:
                r.hlines.extend(q.hlines)
                regions.remove(q)
            overlapping = []
        if overlapping:
            for q in overlapping:
                if q.kind == "hrules":
                    q.bands.extend(r.bands)
            continue
        ruled = ruled_below(r, regions, h)
        if ruled is not None:  # a header band over a ruled body: its heavy rules drown in the band's fill
            ruled.y0 = r.y0
            ruled.x0, ruled.x1 = min(ruled.x0, r.x0), max(ruled.x1, r.x1)
            ruled.bands.extend(r.bands)
            continue
        regions.append(r)

    # text blocks on the words outside graphical regions
    slack = int(0.3 * h)
    rest = [
        w
        for w in words
        if not any(r.contains(w, slack) for r in regions if not r.seed and (r.kind != "plain" or r.bands))
    ]
    rest_lines = build_lines(rest, phrase_gap)
    free_v = free_rules(regions, rulings.vlines)
    blocks: list[list[Line]] = []
    breaks: list[float] = []  # where column rules say a table ends and the next starts
    for b in text_blocks(rest_lines, h):
        for piece in cut_above_dark_heads(_cut_at_region_gaps(b, regions, h, phrase_gap), regions, h):
            for part in _split_side_by_side(piece, h, phrase_gap):
                for stacked in _split_stacked(part, h):
                    tables = split_at_rule_breaks(stacked, free_v, h, tol)
                    breaks += [t[0].y0 for t in tables[1:]]
                    for table in tables:
                        core = trim(table, h, strays=True)
                        if core:
                            blocks.append(core)
    blocks = with_totals_joined(blocks, h)
    for block in blocks:
        bx0 = min(ln.x0 for ln in block)
        bx1 = max(ln.x1 for ln in block)
        by0 = min(ln.y0 for ln in block)
        by1 = max(ln.y1 for ln in block)
        merged = False
        for r in regions:
            if r.kind == "grid":
                if join_header_to_grid(block, r, h):
                    merged = True
                    break
                continue
            ov = overlap(bx0, bx1, r.x0, r.x1)
            if ov < 0.5 * min(bx1 - bx0, r.x1 - r.x0):
                continue
            near_below = 0 <= by0 - r.y1 < 2.0 * h
            near_above = 0 <= r.y0 - by1 < 2.0 * h
            inside = by0 >= r.y0 and by1 <= r.y1
            if not (near_below or near_above or inside or (by0 < r.y1 and by1 > r.y0)):
                continue
            if across_break(r, by0, by1, breaks):
                continue  # the text block above, cut off at a break of the column rules
            inner = [ln for ln in lines if r.y0 <= ln.yc <= r.y1 and r.x0 - h <= ln.x0 and ln.x1 <= r.x1 + h]
            # a ruled region holding only a header (its last rule is the header rule, the bottom rule is
            # missing or too faint) continues with the body right below it
            header_only = (
                r.kind == "hrules"
                and len(inner) <= 3
                and len(block) > len(inner)
                and 0 <= by0 - r.y1 < 1.5 * h
            )
            # top, header and bottom rules: the table ends at its outer rules (notes below, titles above)
            closed = r.kind == "hrules" and len(r.hlines) >= 3 and not header_only
            # but a row of cells right above the first rule heads the table: its shaded band (whose
            # edges are its rules) went unseen
            header_above = near_above and len(block) <= 3 and heads_columns(block[-1], inner, h)
            if closed and ((by1 <= r.y0 + 0.5 * h and not header_above) or by0 >= r.y1 - 0.5 * h):
                continue
            if not inside and not header_only and not _fits_columns(block, inner, r, h):
                continue
            r.x0, r.x1 = min(r.x0, bx0), max(r.x1, bx1)
            r.y0, r.y1 = min(r.y0, by0), max(r.y1, by1)
            r.seed = False
            merged = True
            break
        if merged:
            continue
        if _standalone_table(block, h):
            regions.append(Region("plain", bx0, by0, bx1, by1))
    regions = grids_continuing(regions, free_v, h, tol)
    # a lone shaded band that never got a body is not a table
    regions = without_nested(headers_joined([r for r in regions if not r.seed], h))
    # assign words: each word to the first region containing it
    pad = int(0.25 * h)
    for w in words:
        for r in regions:
            if r.contains(w, pad):
                r.words.append(w)
                break
    regions = header_rows_joined([r for r in regions if r.words], h, phrase_gap)
    regions.sort(key=lambda r: (r.y0, r.x0))
    return _reading_order(regions)


def _reading_order(regions: list[Region]) -> list[Region]:
    """Top to bottom; regions side by side (overlapping vertically) left to right."""
    out: list[Region] = []
    rest = sorted(regions, key=lambda r: r.y0)
    while rest:
        first = rest[0]
        row = [r for r in rest if r.y0 < first.y1 and r.y1 > first.y0]
        row.sort(key=lambda r: r.x0)
        out.extend(row)
        rest = [r for r in rest if r not in row]
    return out
