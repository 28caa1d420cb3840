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
# Notes written in the margin ("call back", a "v"), which the reader may read with confidence, fill few
# lines of an outer column, under a heading line with nothing over that column: up to NOTE_LINES lines
# beside at least NOTE_BODY lines below the heading, or (right only) one line beside at least NOTE_BESIDE
# lines of the table. A real column without a heading holds more values; a sparse one has a heading.
NOTE_BESIDE = 4
NOTE_LINES = 2
NOTE_BODY = 8
# The table beside the marks keeps at least this many columns (a two-column list with a short second
# column is a key/value list, not a table with marks beside it).
MIN_TABLE_COLS = 2


def _is_mark(text: str) -> bool:
    return 0 < len("".join(text.split())) <= MARK_CHARS


def _is_note(k: int, n_lines: int, below_heading: int) -> bool:
    """Column ``k`` (0: the left one) has text on ``n_lines`` lines beside ``below_heading`` lines of the
    table: notes in the margin. On the left only a long table's: one label beside a few rows there is
    more often a row group's name spanning them."""
    if n_lines <= NOTE_LINES and below_heading >= NOTE_BODY:
        return True
    return k > 0 and n_lines == 1 and below_heading + 1 >= NOTE_BESIDE


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
    only short, doubtful reads, or text in a line or two of a long table (notes beside rows): marks and notes
    in the margin, left to the page's free text."""
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
        if _is_note(k, len(hit), len(lines) - head - 1):
            out.update(id(w) for w in ws)
            continue
        if len(hit) < 2 or not all(_is_mark(w.text) for w in ws):
            continue
        if sum(w.conf for w in ws) / len(ws) >= MARK_CONF:
            continue
        out.update(id(w) for w in ws)
    return out
