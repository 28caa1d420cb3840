"""Which currency a column prints, and how OCR misreads its symbol: the evidence a column gives before its
cells are mended one by one (:mod:`.repairs`)."""

from __future__ import annotations

import re
from collections import Counter

from .numbers import SUFFIX_LOOKALIKES, _Number

_SYMBOL_CURRENCIES = "$€£"  # the symbols a letter is read for (see repairs._CURRENCY_LETTERS)


def prefix_currency(numbers: list[_Number]) -> str:
    """The currency symbol printed before the digits of half the column's numbers at least, two at least."""
    shown = Counter(p.currency for p in numbers if p.currency in _SYMBOL_CURRENCIES and not p.currency_suffix)
    if not shown:
        return ""
    symbol, count = shown.most_common(1)[0]
    return symbol if count >= 2 and 2 * count >= len(numbers) else ""


def suffix_symbol(numbers: list[_Number]) -> str:
    """A currency symbol with a plainer lookalike (:data:`SUFFIX_LOOKALIKES`) that one of the column's amounts
    at least prints after its digits ("" when none does): a column writes its currency one way, and OCR reads
    the symbol as its lookalike ("₫" as "đ", its underline lost) far more often than the lookalike as the
    symbol. (A plain "d" is no evidence either way: OCR makes it of both.)"""
    return next((p.currency for p in numbers if p.currency_suffix and p.currency in SUFFIX_LOOKALIKES), "")


FIVE_FOR_DOLLAR = re.compile(r"([-(]?)5(?=\d)")
DOLLAR_FIVES = 3  # amounts starting with a "5" a column needs before that "5" is taken for its "$"
DOLLAR_SHARE = 0.9  # of the column's numbers without a "$" that start with a "5"


def dollar_read_as_five(cells: list[str], parsed: list[_Number | None]) -> bool:
    """Some of the column's amounts show a "$" before their digits, and (nearly) all the others start with
    a "5": PP-OCR reads a blurred "$" as "5", and no column of real amounts starts with one digit so often
    (the rest of the column shows a "$", so it is not a narrow range of values either). A statement's
    "$" on its first and total rows only leaves amounts starting with every digit."""
    numbers = [(t, p) for t, p in zip(cells, parsed, strict=True) if p is not None]
    dollars = sum(p.currency == "$" and not p.currency_suffix for _, p in numbers)
    fives = sum(not p.currency and bool(FIVE_FOR_DOLLAR.match(t)) for t, p in numbers)
    return dollars >= 1 and fives >= DOLLAR_FIVES and fives >= DOLLAR_SHARE * (len(numbers) - dollars)
