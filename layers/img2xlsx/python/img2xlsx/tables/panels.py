"""Stacked tables in one frame: a boxed panel (a nutrition label, a printed form) holds several tables one
above the other, each with its own columns, with wrapped notes between them running the frame's full width.
One set of columns cannot describe both tables, and the note is no table row: the frame is cut into one
region per table at each such note, and the note's words are left to the page's free text.

A note here is a run of at least two lines, each a single wordy phrase across most of the frame that no column
rule crosses (a wrapped paragraph); a single such line is a section label or a spanning cell, and stays. The
frame is cut only when at least two pieces above and below the notes hold a table's worth of lines each
(a note under a single table is left to the table's own structure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .region import Region
from .textlines import Line, build_lines

# a note line spans at least this share of the frame; a wrapped cell of a column is narrower
NOTE_SHARE = 0.6
NOTE_WORDS = 4  # a note line's words at the least: a title or a label is shorter


def _is_note_line(line: Line, region: Region) -> bool:
    """One wordy phrase across most of the frame, crossed by no column rule."""
    if len(line.phrases) != 1 or len(line.words) < NOTE_WORDS:
        return False
    if line.x1 - line.x0 < NOTE_SHARE * (region.x1 - region.x0):
        return False
    if sum(any(ch.isdigit() for ch in w.text) for w in line.words) >= 0.5 * len(line.words):
        return False
    yc = line.yc
    return not any(line.x0 < v.x < line.x1 and v.y0 <= yc <= v.y1 for v in region.vlines)


def _pieces(lines: Sequence[Line], region: Region) -> list[list[Line]]:
    """The runs of lines between notes (runs of two or more note lines)."""
    note = [_is_note_line(ln, region) for ln in lines]
    out: list[list[Line]] = []
    cur: list[Line] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and note[j]:
            j += 1
        if j - i >= 2:  # a run of note lines: a cut
            out.append(cur)
            cur = []
            i = j
            continue
        cur.extend(lines[i : max(j, i + 1)])
        i = max(j, i + 1)
    out.append(cur)
    return out


def _sub_region(region: Region, piece: Sequence[Line], y0: int, y1: int) -> Region:
    """``region`` between heights ``y0`` and ``y1`` with the rules there and ``piece``'s words."""
    inside = [v for v in region.vlines if v.y0 < y1 and v.y1 > y0]
    vlines = [replace(v, y0=max(v.y0, y0), y1=min(v.y1, y1)) for v in inside]
    return Region(
        region.kind,
        region.x0,
        y0,
        region.x1,
        y1,
        hlines=[s for s in region.hlines if y0 <= s.y <= y1],
        vlines=[v for v in vlines if v.y1 > v.y0],
        bands=[b for b in region.bands if b.y0 >= y0 and b.y1 <= y1],
        words=[w for ln in piece for w in ln.words],
    )


def split_panel(region: Region, phrase_gap: float) -> list[Region]:
    """``region`` cut into one region per table at the notes between them; itself if there is no such cut."""
    if region.kind != "grid" or not region.words:
        return [region]
    lines = build_lines(region.words, phrase_gap)
    pieces = _pieces(lines, region)
    tables = [p for p in pieces if len(p) >= 2 and any(len(ln.phrases) >= 2 for ln in p)]
    if len(tables) < 2:
        return [region]
    in_piece = {id(ln) for p in pieces for ln in p}
    notes = [ln for ln in lines if id(ln) not in in_piece]
    out: list[Region] = []
    for piece in tables:
        # from the end of the note above to the start of the note below (or the frame's sides)
        top = max((ln.y1 for ln in notes if ln.y1 <= piece[0].y0), default=region.y0)
        bottom = min((ln.y0 for ln in notes if ln.y0 >= piece[-1].y1), default=region.y1)
        out.append(_sub_region(region, piece, top, bottom))
    return out
