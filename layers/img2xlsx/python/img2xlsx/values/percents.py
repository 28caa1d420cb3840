"""Whether a column holds percentages, and how its numbers show them, when OCR read many of its "%" signs as
digits: the evidence :func:`.repairs._percent_reading` reads such numbers back by."""

from __future__ import annotations

import re
from collections import Counter

from .numbers import _Number
from .repairs import lost_percent, percent_as_digit

# a header naming a share or change in percent ("Variance %", "% Change"), or its "%" read as the digit the
# column's numbers end in ("Variance 8")
_PERCENT_HEADER = re.compile(r"%|\bpct\b|\bpercent|\bprozent|\bpourcent|\bporcentaje", re.IGNORECASE)
SAME_DIGIT_NUMBERS = 4  # numbers a column without any "%" needs, all ending in one digit, to have lost them


def column_percents(numbers: list[_Number], header: str = "") -> tuple[int | None, bool, bool]:
    """The places of a column of percentages (None when it is no such column), whether they put a space
    before the "%", and whether a "%" there may have been read as any digit (see
    :func:`.repairs.percent_as_digit`).

    Three percentages at least, 80 % of them showing the same places; with the numbers that look like one
    whose "%" was read as a digit (one place more, see :func:`.repairs.percent_as_digit`), they make 70 %
    of the column's numbers, so a few percentages among amounts make no percent column, but one where PP-OCR
    read most "%" as "8" or "3" still is one. A "%" read as another digit counts only where the
    percentages outnumber such numbers twice (two places on amounts beside three "12.5%"s are amounts). A
    column where OCR read every "%" as a digit is one too (see :func:`_every_percent_read_as_one_digit`)."""
    percents = [p for p in numbers if p.percent]
    if not percents:
        places = _every_percent_read_as_one_digit(numbers, header)
        return places, False, places is not None
    if len(percents) < 3:
        return None, False, False
    places, count = Counter(p.decimals for p in percents).most_common(1)[0]
    if count < 0.8 * len(percents):
        return None, False, False
    one_more = [str(p.value)[-1] for p in numbers if not p.percent and p.decimals == places + 1]
    usual = sum(percent_as_digit(last, places + 1, places, any_digit=False) for last in one_more)
    any_digit = places >= 1 and 2 * (len(one_more) - usual) <= len(percents)
    misread = len(one_more) if any_digit else usual
    # numbers showing the percentages' places that lost their "%" outright ("25,43" among "25,92 %"s) count
    # where the percentages are half the column's numbers at least: amounts beside a few percentages do not
    if 2 * len(percents) >= len(numbers):
        misread += sum(lost_percent(p, places) for p in numbers)
    if len(percents) + misread < 0.7 * len(numbers):
        return None, False, False
    # OCR loses a narrow space before the "%" far more often than it invents one: a quarter spaced is enough
    return places, 4 * sum(p.percent_spaced for p in percents) >= len(percents), any_digit


def _every_percent_read_as_one_digit(numbers: list[_Number], header: str) -> int | None:
    """The places of a column whose every "%" was read as one same digit ("2.18", "-23.18", "14.68"), else
    None.

    Four numbers at least, all showing the same places (two at least: the percentages' one and the digit),
    all ending in the same digit other than 0 (a column padding its decimals ends in zeros), no currency or
    grouping, three different values at least; and a header naming percent ("Variance %", or its "%" read as
    that same digit, "Variance 8"), or a negative among them when that digit is not 5: a column of real
    measurements ending in one digit every time is a price list (".99"), which shows no negatives, or steps of
    a quarter. The numbers then show one place less, as percentages."""
    if len(numbers) < SAME_DIGIT_NUMBERS:
        return None
    places = {p.decimals for p in numbers}
    lasts = {str(p.value)[-1] for p in numbers}
    if len(places) != 1 or len(lasts) != 1:
        return None
    shown, last = places.pop(), lasts.pop()
    if shown < 2 or last == "0" or any(p.currency or p.grouped or p.paren or p.scientific for p in numbers):
        return None
    if len({p.value for p in numbers}) < 3:
        return None  # a repeated amount ("0,01" four times) ends in one digit by itself
    named = bool(_PERCENT_HEADER.search(header)) or header.rstrip().endswith(f" {last}")
    # quarter and half steps ("-0.25", "0.75") end in 5 with no "%" lost: a negative is no evidence there
    if not (named or (last != "5" and any(p.value < 0 for p in numbers))):
        return None
    return shown - 1
