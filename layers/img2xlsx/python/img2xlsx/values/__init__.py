"""Turn recognised cell text into typed values (numbers, percentages, currency, dates, times) for Excel.

A cell alone is often ambiguous — ``1,234`` is a thousand-odd in Boston and one-point-something in Berlin,
``05/03/2024`` is March or May — so :func:`type_table` first looks at the whole column (:func:`infer_hints`)
and then parses every cell with the column's conventions; the document's languages (:mod:`.locale`) only set
the priors a column that proves nothing falls back on, and the month and weekday names of its dates.
Anything that merely looks numeric but is an identifier (leading zeros, phone numbers, codes, version
strings, > 15 significant digits) stays text, because turning it into a number would silently change what
the user sees.
"""

from .columns import infer_hints, parse_value, type_table
from .numbers import ColumnHints

__all__ = ["ColumnHints", "infer_hints", "parse_value", "type_table"]
