"""The re-read policy, in one place: which cells get a second look and how many at most (bounded time).

Each pass takes the most doubtful candidates first and stops at its budget, so a huge badly printed
table costs a bounded number of extra reads.
"""

from __future__ import annotations

CELL_BELOW = 0.5  # page-pass confidence under which a cell is read again on its own
CELL_BUDGET = 24  # doubtful or empty-but-inked cells re-read per table (least confident first)
NUMBER_BUDGET = 40  # garbled cells of numeric columns re-read per table
DOUBT_BUDGET = 20  # confidently-typed but low-confidence numbers outvoted by enlarged reads, per table
MISSED_STRIPS = 40  # text-line strips of missed ink re-read per page (the most ink first)
