"""Marks beside a borderless table that are not part of it: a column of tick boxes, check marks or
handwritten initials in the margin, which the reader turns into 1-2 character guesses (``'``, ``2'``,
``R``) of low confidence. Column finding sees them as one more column on the table's outer edge; a real
narrow column ("✓", a one-digit "Qty", a row number) has a heading over it or is read with confidence.
Handwritten notes ("call back", "ok") are read with confidence, but fill a line or two of a long table and
have no heading over them either.
"""

from __future__ import annotations

from collections.abc import Sequence

from .columns import word_col
from .textlines import Line

# A mark is read as this many visible characters at most ...
MARK_CHARS = 2
# ... and a column of marks is read with less than this mean confidence: the reader is sure of a digit or a
# letter that is printed, not of a tick box's outline or a stroke of a pen.
MARK_CONF = 0.8
# An outer column with text in this many lines at most, beside at least this many lines below the heading
# line, and nothing on or above it: notes written in the margin ("call back", a "v"), which the reader may
# read with confidence; a sparse column of the table has a heading over it.
NOTE_LINES = 2
NOTE_BODY = 8
# The table beside the marks keeps at least this many columns (a two-column list with a short second
# column is a key/value list, not a table with marks beside it).
MIN_TABLE_COLS = 2


def _is_mark(text: str) -> bool:
    return 0 < len("".join(text.split())) <= MARK_CHARS


def _heading_line(lines: Sequence[Line], edges: Sequence[float], k: int) -> int | None:
    """Index of the first line filling most of the other columns: the table's heading (or first row)."""
    others = len(edges) - 2
    need = max(2, (others + 1) // 2)
    for i, ln in enumerate(lines):
        if len({word_col(w, edges) for w in ln.words} - {k}) >= need:
            return i
    return None


def margin_marks(lines: Sequence[Line], edges: Sequence[float]) -> set[int]:
    """Ids of the words of an outer column that holds nothing on or above the table's heading line and
    only short, doubtful reads or text in a line or two of a long table: marks and notes in the margin,
    left to the page's free text."""
    if len(edges) - 1 < MIN_TABLE_COLS + 1:
        return set()
    out: set[int] = set()
    for k in (0, len(edges) - 2):
        head = _heading_line(lines, edges, k)
        if head is None:
            continue
        hit = [i for i, ln in enumerate(lines) if any(word_col(w, edges) == k for w in ln.words)]
        if not hit or hit[0] <= head:
            continue
        ws = [w for i in hit for w in lines[i].words if word_col(w, edges) == k]
        if len(hit) <= NOTE_LINES and len(lines) - head - 1 >= NOTE_BODY:
            out.update(id(w) for w in ws)
            continue
        if len(hit) < 2:
            continue
        if not all(_is_mark(w.text) for w in ws):
            continue
        if sum(w.conf for w in ws) / len(ws) >= MARK_CONF:
            continue
        out.update(id(w) for w in ws)
    return out
