"""A text block cut above a dark header band inside it: the band heads the table below it, so the lines
above it (the table before, its source note, the next table's title) are no rows of that table.

A lone header band is a seed that a text block joins (its own words are part of the block, so a plain body
under it joins it); a text block running from the table above down into the band would take both tables
and the title between them into one region. A dark fill is a header's (a highlighted row is a light
shade), and now that a dark fill is found whole (:mod:`.darkfills`) its top is where the header starts.
"""

from __future__ import annotations

from collections.abc import Sequence

from .lines import DARK_BAND
from .region import Region, overlap
from .textlines import Line

# Lines above the band a block must hold before it is cut there: a title or a group header line alone
# above the band is left to the block's trimming.
ABOVE_LINES = 2


def cut_above_dark_heads(blocks: list[list[Line]], regions: Sequence[Region], h: float) -> list[list[Line]]:
    """``blocks``, each cut at the top of every lone dark header band it runs into from above."""
    return [piece for block in blocks for piece in _cut(block, regions, h)]


def _cut(block: list[Line], regions: Sequence[Region], h: float) -> list[list[Line]]:
    bx0, bx1 = min(ln.x0 for ln in block), max(ln.x1 for ln in block)
    tops = sorted(
        r.y0
        for r in regions
        if r.seed
        and any(b.level < DARK_BAND for b in r.bands)
        and overlap(r.x0, r.x1, bx0, bx1) >= 0.5 * (r.x1 - r.x0)
    )
    pieces: list[list[Line]] = []
    rest = block
    for top in tops:
        above = [ln for ln in rest if ln.yc < top - 0.25 * h]
        below = [ln for ln in rest if ln.yc >= top - 0.25 * h]
        if len(above) >= ABOVE_LINES and below:
            pieces.append(above)
            rest = below
    return [*pieces, rest]
