"""The decimal or grouping mark a single cell shows, the evidence a column's conventions are voted from."""

from __future__ import annotations

import re

from .numbers import Decimal_, _normalise, _strip_decorations


def separator_vote(text: str) -> Decimal_ | None:
    """Which decimal mark a single cell proves (None when it is ambiguous or not a number)."""
    parts = _strip_decorations(_normalise(text))
    if parts is None:
        return None
    core = parts.core
    if not re.fullmatch(r"[\d.,' ]+", core):
        return None
    has_dot, has_comma = "." in core, "," in core
    if has_dot and has_comma:
        return "." if core.rfind(".") > core.rfind(",") else ","
    for mark in (",", "."):
        if mark not in core:
            continue
        proven: Decimal_ = "," if mark == "," else "."
        grouping: Decimal_ = "." if mark == "," else ","
        pieces = core.split(mark)
        if len(pieces) > 2:
            grouped = all(len(p) == 3 and p.isdigit() for p in pieces[1:])
            return grouping if grouped else None  # 1,234,567 → mark groups thousands
        head, tail = pieces
        if len(tail) == 3 and 1 <= len(head.replace(" ", "")) <= 3 and head[:1] != "0":
            return None  # 1,234 or 1.234: either reading works
        return proven if tail.isdigit() else None
    return None


def ambiguous_mark(text: str) -> str | None:
    """The mark of a cell like "1,234" or "$25.000" (one mark, 1-3 digits before, 3 after), else None."""
    parts = _strip_decorations(_normalise(text))
    if parts is None:
        return None
    m = re.fullmatch(r"[1-9]\d{0,2}([.,])\d{3}", parts.core)
    return m.group(1) if m else None
