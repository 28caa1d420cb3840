"""The ends of a text block: which of its lines belong to the table it holds. Column gaps shared by a
block's lines, the stray lines at its ends that ignore them (a receipt's centred shop name), and the
totals set a little apart under a table's amounts, which continue it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from .region import overlap
from .textlines import Line, Phrase


def is_columnar(line: Line) -> bool:
    return len(line.phrases) >= 2


def channels(lines: Sequence[Line], h: float, crossing: float = 0.0) -> list[tuple[int, int]]:
    """Empty vertical strips shared by all multi-phrase lines: the column gaps of a table. Paragraph lines
    with uneven word spacing have none. ``crossing``: share of those lines that may run across a strip
    (a row read with its cells run together, a rule read as letters) when there are at least four."""
    multi = [ln for ln in lines if is_columnar(ln)]
    if len(multi) < 2:
        return []
    allowed = int(crossing * len(multi)) if len(multi) >= 4 else 0
    x0 = min(ln.x0 for ln in multi)
    x1 = max(ln.x1 for ln in multi)
    cover = np.zeros(x1 - x0 + 1, np.int32)
    for ln in multi:
        for w in ln.words:
            cover[w.bbox[0] - x0 : w.bbox[2] - x0] += 1
    out: list[tuple[int, int]] = []
    start = None
    for i, c in enumerate(cover):
        if c <= allowed and start is None:
            start = i
        elif c > allowed and start is not None:
            if i - start >= 0.6 * h:
                out.append((x0 + start, x0 + i))
            start = None
    return out


# Share of a text block's multi-phrase lines that may run across its column gaps and still leave it a table
# (a tightly set total row, a dotted rule read as letters): one such line no longer hides every column gap.
CROSSING_SHARE = 0.25


def column_gaps(lines: Sequence[Line], h: float) -> list[tuple[int, int]]:
    """The column gaps a text height wide at least that the lines share (some rows may cross them:
    ``CROSSING_SHARE``): narrower strips are word spacing that happens to line up."""
    return [(a, b) for a, b in channels(lines, h, CROSSING_SHARE) if b - a >= h]


def off_columns(line: Line, others: Sequence[Line], h: float, *, top: bool = False) -> bool:
    """The line ignores the column gaps of ``others``: none of its phrase gaps falls into one, or (a top
    line over two columns) it stops short of the last column. So do a centred shop name, an address or a
    'Thank you' above a receipt's items, whose words are spaced wide enough to read as two phrases; a
    header row's cells are separated where the body's columns are, and its last cell heads the last
    column."""
    chans = channels(others, h, CROSSING_SHARE)
    if not chans:
        return False
    # (two columns only: over more, a group header spans some of them and stops short of the last)
    if top and len(chans) == 1 and line.x1 < chans[-1][1]:
        return True
    gaps = [(a.x1, b.x0) for a, b in itertools.pairwise(line.phrases)]

    def missed(cs: Sequence[tuple[int, int]]) -> bool:
        return not any(overlap(g0, g1, a, b) > 0 for g0, g1 in gaps for a, b in cs)

    # the strict gaps too: a sparse column (filled in a line or two) is no gap for them
    return missed(chans) and missed(channels(others, h))


def without_stray_ends(columnar: list[Line], h: float, idx: list[int]) -> list[int]:
    """``idx`` (the positions of a block's multi-phrase lines ``columnar``) without those at either end
    that ignore the columns shared by the others; at least three lines stay."""
    lo, hi = 0, len(columnar)
    while hi - lo > 3 and off_columns(columnar[lo], columnar[lo + 1 : hi], h, top=True):
        lo += 1
    while hi - lo > 3 and off_columns(columnar[hi - 1], columnar[lo : hi - 1], h):
        hi -= 1
    return idx[lo:hi]


_AMOUNT = re.compile(r"^\D{0,4}\d[\d.,' ]*\D{0,2}$")


def _amount_edge(line: Line) -> float | None:
    """Right edge of the line's last phrase when that is an amount (a number, maybe with a currency)."""
    last = line.phrases[-1]
    return float(last.x1) if len(line.phrases) >= 2 and _AMOUNT.match(last.text) else None


def with_totals_joined(blocks: list[list[Line]], h: float) -> list[list[Line]]:
    """A small block of label/amount lines set a little apart below a block whose lines end in amounts,
    its amounts right under theirs, is that table's totals (subtotal, tax, total under a receipt's items),
    not a table of its own. A table stacked below starts with a header row instead, whose last cell is a
    column name, not an amount."""
    out: list[list[Line]] = []
    for block in sorted(blocks, key=lambda b: b[0].y0):
        prev = out[-1] if out else None
        if prev is not None and _totals_of(prev, block, h):
            out[-1] = prev + block
        else:
            out.append(block)
    return out


def _totals_of(above: list[Line], below: list[Line], h: float) -> bool:
    gap = below[0].y0 - max(ln.y1 for ln in above)
    if not 0 <= gap <= 4.5 * h or len(below) > 6:
        return False
    if min(ln.x0 for ln in below) < min(ln.x0 for ln in above) - 2 * h:
        return False
    edges = [e for ln in above if (e := _amount_edge(ln)) is not None]
    if len(edges) < max(3, 0.6 * len(above)):
        return False
    right = float(np.median(edges))
    return all((e := _amount_edge(ln)) is not None and abs(e - right) <= 2 * h for ln in below)


def wordy(p: Phrase) -> bool:
    """Mostly words, as a title or a note: a table row whose cells ran together is mostly numbers."""
    return sum(any(ch.isdigit() for ch in w.text) for w in p.words) < 0.5 * len(p.words)
