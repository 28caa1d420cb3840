"""Frames drawn over running text: a stamp's box ('RECEIVED', 'PAID') laid over a paragraph, found as a
one-row grid. A table's frame holds its cells; text never runs through it. Over a paragraph, the words under
the frame's sides belong to lines that go on outside the box: a word crosses the side and the next word
of its line, outside, follows at a word's spacing."""

from __future__ import annotations

from collections.abc import Sequence

from .region import Region, overlap
from .textlines import WordLike

# the most rules a stamp's frame shows: its top and bottom (a double frame's inner lines are too short)
STAMP_RULES = 3


def _runs_through(w: WordLike, edge: int, words: Sequence[WordLike], h: float, gap: float) -> bool:
    """``w`` crosses the side at ``edge`` and a word of its line lies next to it outside the frame."""
    x0, y0, x1, y1 = w.bbox
    if not (x0 < edge - 0.5 * h and x1 > edge + 0.5 * h):
        return False
    return any(
        v is not w
        and overlap(y0, y1, v.bbox[1], v.bbox[3]) > 0.5 * min(y1 - y0, v.bbox[3] - v.bbox[1])
        and (0 <= x0 - v.bbox[2] < gap or 0 <= v.bbox[0] - x1 < gap)
        and not (v.bbox[0] > edge - 0.5 * h and v.bbox[2] < edge + 0.5 * h)
        for v in words
    )


def over_text(region: Region, words: Sequence[WordLike], h: float, phrase_gap: float) -> bool:
    """A grid of a row or two whose sides lines of text run through (two words at least)."""
    if region.kind != "grid" or len(region.hlines) > STAMP_RULES:
        return False
    inside = [
        w for w in words if region.y0 <= (w.bbox[1] + w.bbox[3]) / 2 <= region.y1 and w.bbox[2] > region.x0
    ]
    inside = [w for w in inside if w.bbox[0] < region.x1]
    edges = (region.x0, region.x1)
    through = [w for w in inside if any(_runs_through(w, e, words, h, phrase_gap) for e in edges)]
    return len(through) >= 2
