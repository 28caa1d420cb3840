"""Numbers as people write them: grouping, decimal marks, currency, percent, signs, scientific form.

A :class:`ColumnHints` carries the column's conventions, so "1,234" parses as the column writes numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from img2xlsx.model import TypedValue

MAX_SIGNIFICANT_DIGITS = 15  # Excel keeps 15; more would be silently rounded
_AMOUNT_KINDS = ("number", "currency", "percent")

UNICODE_MINUS = "\u2212"
_MINUS_SIGNS = str.maketrans({UNICODE_MINUS: "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"})
_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")

_SYMBOLS = "$€£¥₹₩₽₺₪₫₴₱¢"
_CODES = (
    "USD|EUR|GBP|JPY|CNY|RMB|CHF|CAD|AUD|NZD|INR|SEK|NOK|DKK|PLN|CZK|HUF|RUB|BRL|MXN|ZAR|SGD|HKD|KRW|TRY|ILS|"
    "VND|VNĐ"
)
# a letter code glued to a hyphen and digits ("MXN-61910", "EUR-2024") is a reference, not an amount
_PREFIX_CURRENCY = re.compile(
    rf"^(?P<cur>(?:US|CA|AU|NZ|HK|[ACRS])\$|[{_SYMBOLS}]|(?:{_CODES}|CHF|Fr\.|Rs\.?)(?=[ \d]))\s?"
)
# "đ"/"đồng": the Vietnamese dong as Vietnamese print it after an amount ("150.000đ")
_SUFFIX_CURRENCY = re.compile(rf"\s?(?P<cur>[{_SYMBOLS}]|{_CODES}|kr|zł|Kč|Ft|đồng|đ|\u0440\u0443\u0431\.?)$")
_PERCENT = re.compile(r"\s?%$")

Decimal_ = Literal[".", ","]
# currency symbols OCR reads as a plainer letter (it loses the dong sign's underline, "₫" -> "đ"); never the
# other way round, a stroke is not invented
SUFFIX_LOOKALIKES = {"\u20ab": "đ"}


@dataclass(frozen=True)
class ColumnHints:
    """Conventions of one column, decided from all its cells before any single cell is parsed."""

    decimal: Decimal_ = "."
    dayfirst: bool | None = None  # None: decide per cell (day-first only when the first part > 12)
    space_groups: bool = False  # "1 234" is one number (the column is numeric and agrees)
    grouped: bool = False  # some cell shows thousands separators: small numbers get the grouped format too
    integers_as_text: bool = False  # an ID/phone/code column: bare integers are identifiers
    repair: bool = False  # a numeric column: undo common OCR slips in numbers (see _repairs)
    decimals: int | None = None  # how many decimals the column's numbers usually show
    negatives: bool = False  # the column holds negative numbers
    # most numbers show ``decimals`` places with an integer part this wide (fewest, most digits): a bare
    # integer too wide for the column but the right width once the point is back lost its point ("325" among
    # "16.0"s)
    lost_point: tuple[int, int] | None = None
    # the column pads its decimals with zeros ("16.0", "206.0"): a bare integer there lost its point even when
    # its width fits the column as an integer ("729" among "95.6"s and "16.0"s is "72.9")
    padded_places: bool = False
    # "137.500" in a column grouping with commas and showing no decimals (mirrored: "1,762" among "3.530"s)
    three_place_groups: bool = False
    # a column of whole numbers and negatives where a minus was read as "0." ("0.93" for "-93", see
    # columns._minus_read_as_zero_point)
    minus_as_zero_point: bool = False
    # a percentage column whose percentages show this many (1-3) decimals: "15.086" there is "15.0%" with the
    # "%" read as "86" or "96"
    percent_places: int | None = None
    # a column of percentages (most of its numbers), with the places most of them show (0 too) and whether a
    # space precedes their "%" (a quarter of them at least): a number there without its "%" had it read as
    # a digit ("14,78" for "14,7 %")
    percent_column: int | None = None
    percent_spaced: bool = False
    # a "%" there may have been read as any digit after the percentages' places (see percents.column_percents)
    percent_any_digit: bool = False
    # every number is shown with the column's look: thousands grouped where the column groups them, and the
    # "%" set off as the column's percentages set it off (see columns._column_look)
    uniform_look: bool = False
    # most of the column's negatives are printed with the typographic minus U+2212: every negative there is
    # shown with it (OCR reads some of them as a hyphen)
    unicode_minus: bool = False
    # the currency symbol most of the column's amounts print before their digits ("" when none does): a
    # letter OCR read in its place ("C1854" among "€2,310"s) is that symbol
    currency: str = ""
    # the column prints "$" before its amounts and OCR read it as a digit of these on several of them
    # ("534,108.20" beside "$30,970.60"; see currency.dollar_read_as): such a leading digit on an amount
    # without a currency is that "$"
    dollar_read_as: str = ""
    # a currency symbol some of the column's amounts print after their digits that OCR also reads as a
    # plainer lookalike (:data:`SUFFIX_LOOKALIKES`): an amount showing the lookalike there shows the symbol
    suffix_symbol: str = ""
    langs: tuple[str, ...] = ("eng",)  # the document's languages: month and weekday names of its dates


@dataclass(frozen=True)
class _Number:
    value: Decimal
    decimals: int
    grouped: bool
    percent: bool
    percent_spaced: bool  # "12,5 %": the space is kept in the number format
    currency: str
    currency_suffix: bool
    currency_spaced: bool
    paren: bool
    bare_integer: bool  # digits only, no sign, separator, currency or percent
    scientific: bool
    # a negative number printed with the typographic minus U+2212, kept in its number format: a hyphen would
    # show another character than the picture
    unicode_minus: bool = False


# ------------------------------------------------------------------------------------------------ numbers


def _normalise(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_MINUS_SIGNS)).strip()


@dataclass(frozen=True)
class _Decorations:
    core: str
    negative: bool
    paren: bool
    currency: str
    suffix: bool  # currency written after the number
    spaced: bool  # a space between currency and number
    percent: bool
    percent_spaced: bool = False


def _strip_decorations(s: str) -> _Decorations | None:
    """Peel sign, parentheses, currency and percent off a number; None when the shape is not a number."""
    negative = paren = percent = suffix = spaced = percent_spaced = False
    currency = ""
    if len(s) > 2 and s[0] == "(" and s[-1] == ")":
        negative = paren = True
        s = s[1:-1].strip()

    def take_sign(t: str) -> tuple[str, bool] | None:
        if t[:1] == "-":
            return t[1:].lstrip(), True
        if t[:1] == "+":
            rest = t[1:]
            return (None if rest[:1] == " " else (rest, False)) if rest else None
        return t, False

    for _ in range(2):  # sign before or after a currency prefix: -$12 and $-12
        signed = take_sign(s)
        if signed is None:
            return None
        s, neg = signed
        if neg:
            if negative:
                return None
            negative = True
        m = _PREFIX_CURRENCY.match(s)
        if m and not currency:
            currency = m.group("cur")
            spaced = m.group(0) != currency
            s = s[m.end() :]
            continue
        break
    m = _PERCENT.search(s)
    if m:
        percent, percent_spaced = True, m.group(0) != "%"
        s = s[: m.start()]
    m = _SUFFIX_CURRENCY.search(s)
    if m and not currency:
        currency, suffix = m.group("cur"), True
        spaced = m.group(0) != currency
        s = s[: m.start()]
    if not percent:
        m = _PERCENT.search(s)
        if m:
            percent, percent_spaced = True, m.group(0) != "%"
            s = s[: m.start()]
    s = s.strip()
    if not s or not (s[0].isdigit() or (s[0] in ".," and s[1:2].isdigit())):
        return None
    return _Decorations(s, negative, paren, currency, suffix, spaced, percent, percent_spaced)


def _parse_core(core: str, decimal: Decimal_, space_groups: bool) -> tuple[Decimal, int, bool] | None:
    """Digits with optional grouping and decimal part → (value, decimals shown, grouped)."""
    group_chars = ",'" if decimal == "." else ".'"
    if space_groups:
        group_chars += " "
    int_part, _, frac = core.partition(decimal)
    if decimal in frac or (frac and not frac.isdigit()):
        return None
    if core.endswith(decimal):
        return None
    grouped = False
    if int_part == "":
        int_digits = "0"
    elif int_part.isdigit():
        int_digits = int_part
    else:
        seps = {ch for ch in int_part if not ch.isdigit()}
        if len(seps) != 1 or not seps <= set(group_chars):
            return None
        sep = seps.pop()
        groups = int_part.split(sep)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups[1:])):
            return None
        if not groups[0].isdigit():
            return None
        int_digits = "".join(groups)
        grouped = True
    if len(int_digits) > 1 and int_digits[0] == "0":
        return None  # 00123, 0,123: an identifier, or nothing sensible
    significant = (int_digits + frac).lstrip("0")
    if len(significant) > MAX_SIGNIFICANT_DIGITS:
        return None
    try:
        value = Decimal(f"{int_digits}.{frac}" if frac else int_digits)
    except InvalidOperation:  # pragma: no cover - guarded by the digit checks above
        return None
    return value, len(frac), grouped


def _parse_number(text: str, hints: ColumnHints) -> _Number | None:
    if len(text) > 1 and text[-1] == "." and text[-2] in "0123456789)%":
        text = text[:-1]  # OCR reads a speck after the last digit as a full stop: "$1,071."
    parts = _strip_decorations(text)
    if parts is None:
        return None
    parsed = _parse_core(parts.core, hints.decimal, hints.space_groups) or _parse_scientific(parts.core)
    if parsed is None:
        return None
    value, decimals, grouped = parsed
    bare = parts.core.isdigit() and not (parts.negative or parts.currency or parts.percent or text[:1] == "+")
    return _Number(
        value=-value if parts.negative else value,
        decimals=decimals,
        grouped=grouped,
        percent=parts.percent,
        percent_spaced=parts.percent_spaced,
        currency=parts.currency,
        currency_suffix=parts.suffix,
        currency_spaced=parts.spaced,
        paren=parts.paren,
        bare_integer=bare,
        scientific="e" in parts.core.lower(),
    )


_EXCEL_MAX, _EXCEL_MIN = Decimal("1e308"), Decimal("1e-307")  # magnitudes an Excel cell (a double) holds
_RE_SCIENTIFIC = re.compile(r"^(\d)\.(\d{1,14})[eE]([-+]\d{1,3})$")


def _parse_scientific(core: str) -> tuple[Decimal, int, bool] | None:
    """1.5E-05 (a mantissa with a decimal point and a signed exponent; E4518 and 4E12 stay codes)."""
    m = _RE_SCIENTIFIC.match(core)
    if not m:
        return None
    value = Decimal(core)
    if abs(value) >= _EXCEL_MAX or (value and abs(value) < _EXCEL_MIN):
        return None  # no cell can hold it (1E+999 would be inf, a corrupt workbook and invalid JSON)
    return value, len(m.group(2)), False


def _number_format(num: _Number, column_grouped: bool) -> str:
    # the column's grouping is shown on small numbers too (invisible there); a big number keeps its own look
    core = "#,##0" if (num.grouped or (column_grouped and abs(num.value) < 1000)) else "0"
    if num.decimals:
        core += "." + "0" * num.decimals
    if num.scientific:
        core = "0." + "0" * num.decimals + "E+00"
    if num.percent:
        core += " %" if num.percent_spaced else "%"
    if num.currency:
        space = " " if num.currency_spaced else ""
        literal = num.currency.replace('"', "")
        core = f'{core}"{space}{literal}"' if num.currency_suffix else f'"{literal}{space}"{core}'
    if num.paren:
        return f"{core};({core})"
    if num.unicode_minus:  # the negative section shows the typographic minus as a literal
        negative = f'"{UNICODE_MINUS}{core[1:]}' if core.startswith('"') else f'"{UNICODE_MINUS}"{core}'
        return f"{core};{negative}"
    return core


def _number_value(num: _Number, column_grouped: bool) -> TypedValue:
    fmt = _number_format(num, column_grouped)
    if num.percent:
        return TypedValue("percent", float(num.value / 100), fmt)
    kind: Literal["number", "currency"] = "currency" if num.currency else "number"
    if num.decimals == 0 and not num.scientific and abs(num.value) < 2**53:
        return TypedValue(kind, int(num.value), fmt)
    return TypedValue(kind, float(num.value), fmt)
