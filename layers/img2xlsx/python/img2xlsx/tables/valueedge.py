"""Values set flush against a column's right edge: "Sodium 100mg ........ 4%".

Label-and-value lists inside a frame (nutrition panels, spec sheets, price lists) set each value at the right
edge and each label at the left, so the labels' right ends and the values' left ends are ragged: the empty
strip they share can be narrower than any column gap (:func:`img2xlsx.tables.columns.find_columns` sees
none), yet every such line shows the two cells apart. The cut is just left of the widest right-aligned
value; :mod:`.subcolumns` keeps it only where as many lines support it as any other cut.
"""

from __future__ import annotations

from collections.abc import Sequence

from .textlines import Line, Phrase

VALUE_WORDS = 2  # a value is a short phrase: an amount, a share, a price, with at most its unit
MIN_VALUES = 3  # lines ending in a right-aligned value, at the least


def _is_value(p: Phrase) -> bool:
    return len(p.words) <= VALUE_WORDS and any(ch.isdigit() for ch in p.text)


def value_edge_cut(lines: Sequence[Line], phrase_gap: float) -> float | None:
    """The cut left of the right-aligned values that end many of ``lines``, or None if they show none."""
    tails = [ln.phrases[-1] for ln in lines if len(ln.phrases) >= 2 and _is_value(ln.phrases[-1])]
    if len(tails) < MIN_VALUES:
        return None
    right = max(p.x1 for p in tails)
    flush = [p for p in tails if p.x1 >= right - 2 * phrase_gap]  # right-aligned: ends at the column's edge
    if len(flush) < MIN_VALUES:
        return None
    return min(p.x0 for p in flush) - 1.0
