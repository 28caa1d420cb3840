"""A table region of the page and the cues found inside it; shared by segmentation and structure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .lines import Band, HLine, VLine
from .textlines import WordLike

Kind = Literal["grid", "hrules", "zebra", "plain"]


@dataclass
class Region:
    kind: Kind
    x0: int
    y0: int
    x1: int
    y1: int
    hlines: list[HLine] = field(default_factory=list)
    vlines: list[VLine] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    words: list[WordLike] = field(default_factory=list)
    seed: bool = False  # a lone shaded header band: a table only once a text block below joins it

    def contains(self, w: WordLike, slack: int = 0) -> bool:
        cx = (w.bbox[0] + w.bbox[2]) / 2
        cy = (w.bbox[1] + w.bbox[3]) / 2
        return self.x0 - slack <= cx <= self.x1 + slack and self.y0 - slack <= cy <= self.y1 + slack


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Length shared by the spans a0..a1 and b0..b1 (on either axis), 0 when apart."""
    return max(0.0, min(a1, b1) - max(a0, b0))
