"""Row rules drawn short of their frame: boxed panels (nutrition labels, forms, printed boxes) often stop
each row rule a little before the frame's sides, so the rule never crosses a vertical and the network of
crossing rules (:func:`img2xlsx.tables.cues.grid_regions`) leaves it out: the rows it separates run together.

A horizontal rule lying inside a grid region, within its sides and spanning most of its width, is one of the
frame's row rules; it is adopted into that region (grid.py then weighs it like any drawn rule).
"""

from __future__ import annotations

from collections.abc import Sequence

from .lines import HLine
from .region import Region

# share of the frame's width an inset rule must span: row rules stop a margin short of the sides, an
# underline or a rule of a nested table spans far less
SPAN_SHARE = 0.8


def adopt_inset_rules(regions: Sequence[Region], hlines: Sequence[HLine], tol: float) -> None:
    """Add to each grid region of ``regions`` the rules of ``hlines`` (those in no region yet) that run inside
    it across most of its width; ``tol``: how far a rule may reach past the frame's sides."""
    taken = {id(s) for r in regions for s in r.hlines}
    for r in regions:
        if r.kind != "grid":
            continue
        width = r.x1 - r.x0
        for s in hlines:
            if id(s) in taken or not r.y0 + tol < s.y < r.y1 - tol:
                continue
            if s.x0 < r.x0 - tol or s.x1 > r.x1 + tol or s.length < SPAN_SHARE * width:
                continue
            r.hlines.append(s)
            taken.add(id(s))
