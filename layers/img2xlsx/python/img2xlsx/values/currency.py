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
# the digits PP-OCR reads a blurred "$" as (train: "5" most, then "8", "3", "9", "6"); "1" is left out, it
# is too common a first digit for its stroke to be taken for the symbol
DOLLAR_LOOKALIKES = "35689"
# amounts without a "$" a column needs before their leading lookalikes are taken for it: one lone "65,000"
# among "$25,000"s may have lost its "$" outright
DOLLAR_MISREADS = 2
SAME_DIGIT_DOLLARS = 3  # amounts without a "$" starting with one same lookalike digit, for it to be the "$"
SAME_DIGIT_SHARE = 0.7  # of the column's amounts without a "$"


def dollar_digit_pattern(digits: str) -> re.Pattern[str]:
    """A leading digit of ``digits`` (after a sign or bracket) followed by more digits: a "$" read as it."""
    return re.compile(rf"([-(]?)[{digits}](?=\d)")


def dollar_read_as(cells: list[str], parsed: list[_Number | None]) -> str:
    """The digits OCR read the column's "$" as ("" when there is no such evidence).

    Some of the column's amounts show a "$" before their digits, and (nearly) all the others start with
    a "5": PP-OCR reads a blurred "$" as "5", and no column of real amounts starts with one digit so often
    (the rest of the column shows a "$", so it is not a narrow range of values either). A statement's
    "$" on its first and total rows only leaves amounts starting with every digit.

    The "$" is also read as "8", "3", "9" or "6" ("814,113.44", "6326.40" beside "$17,846.08"): a column
    whose amounts print a "$" each (as many as the others at least, one of them between two of the
    column's numbers, so not a statement's first and total rows) and whose amounts without it, two at
    least, all start with one of those digits read the "$" as them.
    """
    numbers = [(t, p) for t, p in zip(cells, parsed, strict=True) if p is not None]
    is_dollar = [p.currency == "$" and not p.currency_suffix for _, p in numbers]
    dollars = sum(is_dollar)
    if not dollars:
        return "5" if _every_dollar_read_as_five(numbers) else ""
    fives = sum(not p.currency and bool(FIVE_FOR_DOLLAR.match(t)) for t, p in numbers)
    if fives >= DOLLAR_FIVES and fives >= DOLLAR_SHARE * (len(numbers) - dollars):
        return "5"
    others = [t for t, p in numbers if not p.currency]
    lookalike = dollar_digit_pattern(DOLLAR_LOOKALIKES)
    read_as = sum(bool(lookalike.match(t)) for t in others)
    inner_dollar = any(is_dollar[1:-1])
    if len(others) < DOLLAR_MISREADS or dollars < len(others) or not inner_dollar:
        return ""
    if read_as >= DOLLAR_SHARE * len(others):
        return DOLLAR_LOOKALIKES
    # most of them start with one same lookalike ("812994.03", "851194.42", "8127527.12" beside a garbled
    # ".8695938"): amounts that lost their "$" outright start with every digit, hardly ever one digit thrice
    first = Counter(t.lstrip("-(")[:1] for t in others if lookalike.match(t))
    digit, count = first.most_common(1)[0] if first else ("", 0)
    return digit if count >= SAME_DIGIT_DOLLARS and count >= SAME_DIGIT_SHARE * len(others) else ""


DOLLARLESS_FIVES = 4  # amounts a column without any "$" needs, all starting with a "5", to have lost them all


def _every_dollar_read_as_five(numbers: list[tuple[str, _Number]]) -> bool:
    """Every amount of the column starts with a "5" and shows cents, yet their integer parts differ in width
    ("534,108.20", "51,895.60", "5206.00"): the "$" of each was read as "5". Amounts of one narrow range
    ("5189.18", "5244.12") have one width; a column of real amounts spanning tenfold and more does not start
    with one digit every time. (Identifiers show no cents.)"""
    if len(numbers) < DOLLARLESS_FIVES:
        return False
    if not all(not p.currency and p.decimals == 2 and FIVE_FOR_DOLLAR.match(t) for t, p in numbers):
        return False
    return len({len(str(abs(int(p.value)))) for _, p in numbers}) >= 2
