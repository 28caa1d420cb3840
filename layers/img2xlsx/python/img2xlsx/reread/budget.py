"""The re-read policy, in one place: which cells get a second look and how many at most (bounded time).

Each pass takes the most doubtful candidates first and stops at its budget, so a huge badly printed
table costs a bounded number of extra reads.
"""

from __future__ import annotations

CELL_BELOW = 0.5  # page-pass confidence under which a cell is read again on its own
CELL_BUDGET = 24  # doubtful or empty-but-inked cells re-read per table (least confident first)
NUMBER_BUDGET = 40  # garbled cells of numeric columns re-read per table
# Numbers the page pass read with a word confidence under DOUBT_BELOW are read again (1-4 calls each, least
# confident first, at most DOUBT_BUDGET cells a table: <= 80 calls, ~0.4 s). Bench: 0.85 re-reads ~600 cells
# with ~700 calls and fixes 19 more numbers than it breaks (0.8: 14); with the 4x tie-breaker, 0.9 fixes one
# more than 0.85 ("5,289" -> "5,259") and breaks none, for 1017 -> 1273 re-read calls over the bench (+1 CPU s
# over 158 images); no bench table has more than 29 such cells, and a budget of 20 scores the same as 30
DOUBT_BELOW = 0.9  # numbers read with a word confidence under this get outvoting re-reads
DOUBT_BUDGET = 20  # at most this many such cells per table
MISSED_STRIPS = 40  # text-line strips of missed ink re-read per page (the most ink first)
