"""Turn recognised cell text into typed values (numbers, percentages, currency, dates, times) for Excel.

A cell alone is often ambiguous — ``1,234`` is a thousand-odd in Boston and one-point-something in Berlin,
``05/03/2024`` is March or May — so :func:`type_table` first looks at the whole column (:func:`infer_hints`)
and then parses every cell with the column's conventions. Anything that merely looks numeric but is an
identifier (leading zeros, phone numbers, codes, version strings, > 15 significant digits) stays text, because
turning it into a number would silently change what the user sees.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Literal

from img2xlsx.model import Table, TypedValue

MAX_SIGNIFICANT_DIGITS = 15  # Excel keeps 15; more would be silently rounded
_AMOUNT_KINDS = ("number", "currency", "percent")

_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"})
_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")

_SYMBOLS = "$€£¥₹₩₽₺₪₫₴₱¢"
_CODES = (
    "USD|EUR|GBP|JPY|CNY|RMB|CHF|CAD|AUD|NZD|INR|SEK|NOK|DKK|PLN|CZK|HUF|RUB|BRL|MXN|ZAR|SGD|HKD|KRW|TRY|ILS"
)
_PREFIX_CURRENCY = re.compile(
    rf"^(?P<cur>(?:US|CA|AU|NZ|HK|[ACRS])\$|[{_SYMBOLS}]|(?:{_CODES}|CHF|Fr\.|Rs\.?)(?=[ \d-]))\s?"
)
_SUFFIX_CURRENCY = re.compile(rf"\s?(?P<cur>[{_SYMBOLS}]|{_CODES}|kr|zł|Kč|Ft|\u0440\u0443\u0431\.?)$")
_PERCENT = re.compile(r"\s?%$")

# The header's last word names an identifier ("Employee ID", "Part no.", "Zip code", "Phone", "#"), unlike
# "Number of units" or "Code changes (lines)", where the column holds quantities.
_ID_HEADER = re.compile(
    r"(?<![a-z0-9])(?:id|ids|no|nr|number|code|phone|tel|telephone|mobile|fax|zip|postcode|postal|sku|account|acct|"
    r"iban|isbn|ean|upc|serial|ssn|pin|ref|reference|#)\W*$",
    re.IGNORECASE,
)

Decimal_ = Literal[".", ","]


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
    three_place_groups: bool = False  # "137.500" in a column grouping with commas and showing no decimals
    # a percentage column whose percentages show this many (1-3) decimals: "15.086" there is "15.0%" with the
    # "%" read as "86" or "96"
    percent_places: int | None = None


@dataclass(frozen=True)
class _Number:
    value: Decimal
    decimals: int
    grouped: bool
    percent: bool
    currency: str
    currency_suffix: bool
    currency_spaced: bool
    paren: bool
    bare_integer: bool  # digits only, no sign, separator, currency or percent
    scientific: bool


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


def _strip_decorations(s: str) -> _Decorations | None:
    """Peel sign, parentheses, currency and percent off a number; None when the shape is not a number."""
    negative = paren = percent = suffix = spaced = False
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
        percent = True
        s = s[: m.start()]
    m = _SUFFIX_CURRENCY.search(s)
    if m and not currency:
        currency, suffix = m.group("cur"), True
        spaced = m.group(0) != currency
        s = s[: m.start()]
    if not percent:
        m = _PERCENT.search(s)
        if m:
            percent = True
            s = s[: m.start()]
    s = s.strip()
    if not s or not (s[0].isdigit() or (s[0] in ".," and s[1:2].isdigit())):
        return None
    return _Decorations(s, negative, paren, currency, suffix, spaced, percent)


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
        core += "%"
    if num.currency:
        space = " " if num.currency_spaced else ""
        literal = num.currency.replace('"', "")
        core = f'{core}"{space}{literal}"' if num.currency_suffix else f'"{literal}{space}"{core}'
    if num.paren:
        return f"{core};({core})"
    return core


def _number_value(num: _Number, column_grouped: bool) -> TypedValue:
    fmt = _number_format(num, column_grouped)
    if num.percent:
        return TypedValue("percent", float(num.value / 100), fmt)
    kind: Literal["number", "currency"] = "currency" if num.currency else "number"
    if num.decimals == 0 and not num.scientific and abs(num.value) < 2**53:
        return TypedValue(kind, int(num.value), fmt)
    return TypedValue(kind, float(num.value), fmt)


# -------------------------------------------------------------------------------------------- dates/times

_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<F>\d{1,6}))?)?"
_AMPM = r"\s*(?P<ampm>[AaPp])\.?\s?[Mm]\.?"

_RE_ISO = re.compile(
    rf"^(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?:[T ]{_TIME})?"
    r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?$"
)
_RE_DMY = re.compile(
    rf"^(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}})(?:,?\s+{_TIME})?$"
)
_RE_D_MON_Y = re.compile(
    rf"^{_WEEKDAY}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?P<sep>[\s-]+){_MONTH}(?P=sep)(?P<y>\d{{4}}|\d{{2}})$",
    re.I,
)
_RE_MON_D_Y = re.compile(
    rf"^{_WEEKDAY}{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?P<comma>,?)\s+(?P<y>\d{{4}})$", re.I
)
_RE_MON_Y = re.compile(rf"^{_MONTH}\s+(?P<y>\d{{4}})$", re.I)
_RE_TIME = re.compile(rf"^{_TIME}$")
_RE_TIME_AMPM = re.compile(r"^(?P<H>\d{1,2})(?::(?P<M>\d{2}))?(?::(?P<S>\d{2}))?" + _AMPM + "$")


def _month(name: str) -> int | None:
    return _MONTHS.get(name.lower().rstrip("."))


def _time_parts(m: re.Match[str]) -> tuple[dt.time, str] | None:
    hour, minute = int(m.group("H")), int(m.group("M") or 0)
    second = int(m.group("S") or 0)
    frac = m.groupdict().get("F") or ""
    micro = int(frac.ljust(6, "0")) if frac else 0
    ampm = (m.groupdict().get("ampm") or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "p" else 0)
    try:
        value = dt.time(hour, minute, second, micro)
    except ValueError:
        return None
    if ampm:
        fmt = "h" + (":mm" if m.group("M") else "") + (":ss" if m.group("S") else "") + " AM/PM"
    else:
        fmt = ("hh" if len(m.group("H")) == 2 else "h") + ":mm" + (":ss" if m.group("S") else "")
    return value, fmt


def _year(y: str) -> int:
    if len(y) == 4:
        return int(y)
    year = int(y)
    return 2000 + year if year < 70 else 1900 + year


def _with_time(day: dt.date, date_fmt: str, m: re.Match[str]) -> TypedValue:
    if m.group("H") is None:
        return TypedValue("date", day, date_fmt)
    parts = _time_parts(m)
    if parts is None:
        return TypedValue("text", m.string)
    clock, time_fmt = parts
    return TypedValue("datetime", dt.datetime.combine(day, clock), f"{date_fmt} {time_fmt}")


def _numeric_date_order(a: int, b: int, sep: str, dayfirst: bool | None) -> bool | None:
    """True: a is the day. None: impossible."""
    if dayfirst is None:
        if a > 12 >= b:
            return True
        if b > 12 >= a:
            return False
        dayfirst = (
            sep in ".-"
        )  # 05.03.2024 is German; 05/03/2024 defaults to US unless the column says otherwise
    if dayfirst:
        return True if b <= 12 else None
    return False if a <= 12 else None


def _parse_date(s: str, hints: ColumnHints) -> TypedValue | None:
    m = _RE_ISO.match(s)
    if m:
        sep = m.group("sep")
        try:
            day = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        except ValueError:
            return None
        return _with_time(day, f"yyyy{sep}mm{sep}dd", m)
    m = _RE_DMY.match(s)
    if m:
        a, b, sep = int(m.group("a")), int(m.group("b")), m.group("sep")
        first_is_day = _numeric_date_order(a, b, sep, hints.dayfirst)
        if first_is_day is None:
            return None
        d, mo = (a, b) if first_is_day else (b, a)
        try:
            day = dt.date(_year(m.group("y")), mo, d)
        except ValueError:
            return None
        pa = (
            ("dd" if len(m.group("a")) == 2 else "d")
            if first_is_day
            else ("mm" if len(m.group("a")) == 2 else "m")
        )
        pb = (
            ("mm" if len(m.group("b")) == 2 else "m")
            if first_is_day
            else ("dd" if len(m.group("b")) == 2 else "d")
        )
        fmt = f"{pa}{sep}{pb}{sep}{'yyyy' if len(m.group('y')) == 4 else 'yy'}"
        return _with_time(day, fmt, m)
    for pattern, fmt_of in (
        (_RE_D_MON_Y, _fmt_d_mon_y),
        (_RE_MON_D_Y, _fmt_mon_d_y),
        (_RE_MON_Y, _fmt_mon_y),
    ):
        m = pattern.match(s)
        if not m:
            continue
        month = _month(m.group("mon"))
        if month is None:
            return None
        try:
            day = dt.date(_year(m.group("y")), month, int(m.groupdict().get("d") or 1))
        except ValueError:
            return None
        return TypedValue("date", day, fmt_of(m))
    return None


def _mon_code(m: re.Match[str]) -> str:
    return "mmmm" if len(m.group("mon").rstrip(".")) > 3 and m.group("mon").lower() != "sept" else "mmm"


def _day_code(m: re.Match[str]) -> str:
    return "dd" if m.group("d").startswith("0") else "d"  # "dd" and "d" only differ below 10


def _year_code(m: re.Match[str]) -> str:
    return "yyyy" if len(m.group("y")) == 4 else "yy"


def _fmt_d_mon_y(m: re.Match[str]) -> str:
    sep = "-" if "-" in m.group("sep") else " "
    return f"{_day_code(m)}{sep}{_mon_code(m)}{sep}{_year_code(m)}"


def _fmt_mon_d_y(m: re.Match[str]) -> str:
    return f"{_mon_code(m)} {_day_code(m)}{m.group('comma')} yyyy"


def _fmt_mon_y(m: re.Match[str]) -> str:
    return f"{_mon_code(m)} yyyy"


def _parse_time(s: str) -> TypedValue | None:
    m = _RE_TIME.match(s) or _RE_TIME_AMPM.match(s)
    if not m:
        return None
    parts = _time_parts(m)
    if parts is None:
        return None
    return TypedValue("time", parts[0], parts[1])


# ------------------------------------------------------------------------------------------------- public


_MARK_SPACE = re.compile(r"(?<=\d)(?:([.,]) | ([.,]))(?=\d)")
_NUMBERISH = re.compile(
    rf"[\d .,()%+\-{_SYMBOLS}~\u201c\u201d\"'\u2018\u2019_\u00ac]+"
)  # garbled numbers only
_LOST_POINT = re.compile(rf"[-({_SYMBOLS}]*[\d,]*\d(?: | ?\. ?)(\d{{1,2}})[%)]*")
_MINUS_LOOKALIKES = "~\u201c\u201d\"'\u2018\u2019_\u00ac"
_OPENING_QUOTES = "\u201c\u2018"  # a minus Tesseract read as an opening quote: never how a number starts
# letters Tesseract reads for digits; only swapped in numeric columns, inside tokens that hold digits
_DIGIT_LOOKALIKES = str.maketrans("OoQDlIi|!SsBZz", "00001111155822")
_LONE_LOOKALIKES = {"O": "0", "o": "0", "Q": "0", "S": "5", "s": "5", "l": "1", "I": "1", "i": "1", "|": "1"}
_LOOKALIKE_TOKEN = re.compile(rf"[-({_SYMBOLS}]*[\dOoQDlIi|!SsBZz][\dOoQDlIi|!SsBZz.,]*[%)]*")
_SPACE_BEFORE_GROUP = re.compile(r"(?<=\d) (?=\d{3}(?![\d]))")


def _repairs(s: str, hints: ColumnHints) -> list[str]:
    """Readings of a number OCR slightly garbled, tried only in numeric columns, safest first.

    "10. 83" → "10.83" (a stray space by the decimal mark); "599 1" → "599.1" when the column shows one
    decimal (the point was lost); "7 225.50" (a comma read as a space) parses with space grouping;
    "~705" → "-705" when the column has negatives (a minus read as a tilde or a quote).
    """
    base = s
    starts_number = len(s) > 1 and (s[1].isdigit() or s[1] in _SYMBOLS)
    if starts_number and (s[0] in _OPENING_QUOTES or (hints.negatives and s[0] in _MINUS_LOOKALIKES)):
        base = "-" + s[1:]
    out = [base]
    if _LOOKALIKE_TOKEN.fullmatch(base) and any(ch.isdigit() for ch in base):
        digits = base.translate(_DIGIT_LOOKALIKES)
        if digits != base:
            out.append(digits)
            base = digits
    joined = _MARK_SPACE.sub(lambda m: m.group(1) or m.group(2), base)
    if joined != base:
        out.append(joined)
    group = "," if hints.decimal == "." else "."
    if hints.grouped:
        regrouped = _SPACE_BEFORE_GROUP.sub(group, joined)
        if regrouped != joined:
            out.append(regrouped)
    k = hints.decimals
    if k in (1, 2):
        m = re.fullmatch(rf"(.*\d) (\d{{{k}}})(\D*)", joined)
        if m and hints.decimal not in m.group(1):
            out.append(f"{m.group(1)}{hints.decimal}{m.group(2)}{m.group(3)}")
        # the column's decimal mark read as the other mark ("1,38", "€10,489,00" in a 1,234.56 column)
        m = re.fullmatch(rf"(.*\d)[.,](\d{{{k}}})(\D*)", joined)
        if m:
            head = m.group(1).replace(hints.decimal, group)
            out.append(f"{head}{hints.decimal}{m.group(2)}{m.group(3)}")
    return out


_THREE_PLACES = re.compile(r"(?<![\d.,])([1-9]\d{0,2})\.(\d{3})(?![\d.,])")
_BARE_DIGITS = re.compile(r"(?<![\d.,])(\d+)(?![\d.,])")
_PERCENT_AS_DIGITS = re.compile(r"(.*\d)[89]6")  # Tesseract's usual readings of a blurred "%"


def _column_reading(s: str, num: _Number, hints: ColumnHints) -> _Number:
    """A number that parses but contradicts its column: "137.500" among "$65,000"s, "11" among "4.1"s."""
    if hints.three_place_groups and num.decimals == 3 and not num.grouped:
        fixed = _parse_number(_THREE_PLACES.sub(r"\1,\2", s, count=1), hints)
        if fixed is not None and fixed.grouped:
            return fixed
    if hints.percent_places and not num.percent and (m := _PERCENT_AS_DIGITS.fullmatch(s)):
        fixed = _parse_number(m.group(1) + "%", hints)
        if fixed is not None and fixed.decimals == hints.percent_places:
            return fixed
    k = hints.decimals
    if hints.lost_point and k and num.decimals == 0 and not (num.grouped or num.scientific or num.percent):
        m = _BARE_DIGITS.search(s)
        narrow, wide = hints.lost_point
        too_wide = m is not None and (len(m.group(1)) > wide or hints.padded_places)
        if m and too_wide and narrow <= len(m.group(1)) - k <= wide:
            d = m.group(1)
            fixed = _parse_number(f"{s[: m.start()]}{d[:-k]}{hints.decimal}{d[-k:]}{s[m.end() :]}", hints)
            if fixed is not None:
                return fixed
    return num


def _excel_can_show(when: TypedValue) -> bool:
    """Excel has no dates before 1900-01-01 (it shows ##### or a time of day): such dates stay text."""
    day = when.value.date() if isinstance(when.value, dt.datetime) else when.value
    return not isinstance(day, dt.date) or day >= dt.date(1900, 1, 1)


def parse_value(text: str, hints: ColumnHints | None = None) -> TypedValue:
    """The typed value of one cell; text when nothing safer fits."""
    hints = hints or ColumnHints()
    s = _normalise(text)
    if not s:
        return TypedValue("empty", None)
    if not any(ch.isdigit() for ch in s):
        lone = _parse_number(_LONE_LOOKALIKES.get(s, "-"), hints) if hints.repair else None
        if lone is not None:  # a lone "O" or "s" amid the numbers of a column is a digit
            return _number_value(lone, hints.grouped)
        return TypedValue("text", text.strip())
    num = _parse_number(s, hints)
    if num is not None:
        if num.bare_integer and hints.integers_as_text:
            return TypedValue("text", text.strip())
        return _number_value(_column_reading(s, num, hints), hints.grouped)
    if hints.repair:
        lenient = replace(hints, space_groups=True)
        for candidate in _repairs(s, hints):
            num = _parse_number(candidate, lenient)
            if num is not None:
                return _number_value(num, hints.grouped)
    when = _parse_date(s, hints) or _parse_time(s)
    if when is not None and when.kind != "text" and _excel_can_show(when):
        return when
    return TypedValue("text", text.strip())


def _separator_vote(text: str) -> Decimal_ | None:
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


def _ambiguous_mark(text: str) -> str | None:
    """The mark of a cell like "1,234" or "$25.000" (one mark, 1-3 digits before, 3 after), else None."""
    parts = _strip_decorations(_normalise(text))
    if parts is None:
        return None
    m = re.fullmatch(r"[1-9]\d{0,2}([.,])\d{3}", parts.core)
    return m.group(1) if m else None


def infer_hints(texts: Iterable[str], header: str = "") -> ColumnHints:
    """Decide a column's conventions from all of its body cells (and its header, for ID-like columns)."""
    cells = [t for t in (_normalise(x) for x in texts) if t]
    dots = sum(_separator_vote(t) == "." for t in cells)
    commas = sum(_separator_vote(t) == "," for t in cells)
    # "1,234" proves nothing alone, but thousands grouping is far likelier than three decimals: such cells
    # count half a vote against the decimal comma, so one "121,00" cannot turn "$137,500" into 137.5
    ambiguous_commas = sum(_ambiguous_mark(t) == "," for t in cells)
    decimal: Decimal_ = "," if commas > dots + 0.5 * ambiguous_commas else "."

    first_day = first_month = 0
    for t in cells:
        m = _RE_DMY.match(t)
        if m:
            a, b = int(m.group("a")), int(m.group("b"))
            first_day += a > 12 >= b
            first_month += b > 12 >= a
    dayfirst: bool | None = None
    if first_day and not first_month:
        dayfirst = True
    elif first_month and not first_day:
        dayfirst = False

    strict = ColumnHints(decimal=decimal, dayfirst=dayfirst)
    parsed = [_parse_number(t, strict) for t in cells]
    n_strict = sum(p is not None for p in parsed)
    grouped = any(p is not None and p.grouped for p in parsed)
    spaced = ColumnHints(decimal=decimal, dayfirst=dayfirst, space_groups=True)
    n_spaced = sum(
        p is None and _parse_number(t, spaced) is not None for t, p in zip(cells, parsed, strict=True)
    )
    space_groups = n_spaced > 0 and n_strict > 0 and (n_strict + n_spaced) >= 0.6 * len(cells)
    if space_groups and any(p is not None and p.grouped for p in parsed):
        # the column already groups with another mark; a space there is more likely two values run together
        space_groups = False
    integers_as_text = bool(header and _ID_HEADER.search(header))
    numbers = [p for p in parsed if p is not None]
    n_numberish = sum(p is None and bool(_NUMBERISH.fullmatch(t)) for t, p in zip(cells, parsed, strict=True))
    shown = Counter(p.decimals for p in numbers if p.decimals)
    decimals = None
    if shown:
        k, count = shown.most_common(1)[0]
        decimals = k if count >= 2 and count >= 0.8 * shown.total() else None
    # a column may hold no clean number at all when every amount came out with a stray space ("-$11, 360",
    # "$9, 896"): two cells that a safe repair turns into numbers vouch for it instead
    vouched = n_strict >= 1 or _repairable(cells, parsed, ColumnHints(decimal=decimal, repair=True)) >= 2
    repair = vouched and n_strict + n_numberish >= max(2, 0.6 * len(cells))
    # A whole column that lost its decimal points ("5 10", "33 45", "10. 83"): the same 1-2 trailing digits
    # after the gap in nearly every cell is a decimal part, not a second value.
    lost = Counter(
        len(m.group(1))
        for t, p in zip(cells, parsed, strict=True)
        if p is None and (m := _LOST_POINT.fullmatch(t))
    )
    if decimals is None and lost:
        k, count = lost.most_common(1)[0]
        if count >= 3 and count + n_strict >= 0.6 * len(cells) and count >= 0.8 * lost.total():
            decimals, repair = k, True
    # nearly every number shows the same 1-3 places: the odd bare integer ("11" among "4.1"s) lost its point
    widths = [
        len(str(abs(int(p.value)))) for p in numbers if decimals and p.decimals == decimals and not p.grouped
    ]
    n_whole = sum(p.decimals == 0 for p in numbers)
    # (not where whole amounts show thousands separators: such a column also holds real integers)
    padded = any(p.decimals == decimals and p.value.as_tuple().digits[-1] == 0 for p in numbers) and not any(
        p.grouped and not p.decimals for p in numbers
    )
    lost_point = None
    enough = len(widths) >= 2 * n_whole or (padded and len(widths) > n_whole)
    if len(widths) >= 3 and enough and not any(p.percent for p in numbers):
        lost_point = (min(widths), max(widths))
    percents = Counter(p.decimals for p in numbers if p.percent)
    percent_places = None
    if percents.total() >= 2 and percents.total() >= 0.5 * len(numbers):
        places, count = percents.most_common(1)[0]
        percent_places = places if places and count >= 0.8 * percents.total() else None
    # a column grouping thousands with commas that never shows decimals: "$25.000" is "$25,000" misread
    three = sum(_ambiguous_mark(t) == "." for t in cells)
    comma_grouped = sum(
        _ambiguous_mark(t) == "," or (p is not None and p.grouped) for t, p in zip(cells, parsed, strict=True)
    )
    other_places = any(
        p is not None and p.decimals and _ambiguous_mark(t) != "." for t, p in zip(cells, parsed, strict=True)
    )
    three_place_groups = decimal == "." and three >= 1 and comma_grouped >= 2 * three and not other_places
    return ColumnHints(
        decimal=decimal,
        dayfirst=dayfirst,
        space_groups=space_groups,
        grouped=grouped or (space_groups and n_spaced > 0),
        integers_as_text=integers_as_text,
        repair=repair,
        decimals=decimals,
        negatives=any(p.value < 0 for p in numbers),
        lost_point=lost_point,
        padded_places=padded and lost_point is not None,
        three_place_groups=three_place_groups,
        percent_places=percent_places,
    )


def _repairable(cells: list[str], parsed: list[_Number | None], hints: ColumnHints) -> int:
    """How many unparsed cells one of the numeric-column repairs would turn into a number."""
    lenient = replace(hints, space_groups=True)
    return sum(
        p is None and any(_parse_number(c, lenient) is not None for c in _repairs(t, hints)[1:])
        for t, p in zip(cells, parsed, strict=True)
    )


def _is_year(value: TypedValue) -> bool:
    return value.kind == "number" and isinstance(value.value, int) and 1800 <= value.value <= 2200


def _is_amount(text: str) -> bool:
    value = parse_value(text)
    return value.kind in _AMOUNT_KINDS and not _is_year(value)


def _looks_like_money(text: str) -> bool:
    value = parse_value(text)
    return value.kind in ("currency", "percent") or (
        value.kind == "number" and value.number_format not in ("0",)
    )


def _demote_data_rows_from_header(table: Table) -> None:
    """Return trailing "header" rows that hold amounts to the body (structure sometimes over-counts).

    A row is data when, in at least two columns whose body is mostly amounts, it holds amounts too — real
    headings over numeric columns are words (or years, which do not count). With a single numeric column, the
    amount must look like one (decimals, currency, percent or grouping), which a heading never does.
    """
    while table.n_header_rows > 0:
        last = table.n_header_rows - 1
        body: dict[int, list[bool]] = {}
        for cell in table.cells:
            if cell.row > last and cell.text.strip():
                body.setdefault(cell.col, []).append(_is_amount(cell.text))
        numeric_cols = {col for col, flags in body.items() if sum(flags) * 2 > len(flags)}
        row = [c for c in table.cells if c.row == last and c.rowspan == 1]
        amounts = [c for c in row if c.col in numeric_cols and _is_amount(c.text)]
        matches = len(amounts)
        lone = len(numeric_cols) == 1 and matches == 1 and _looks_like_money(amounts[0].text)
        if not lone and (matches < 2 or matches * 2 < len(numeric_cols)):
            return
        table.n_header_rows = last
        for cell in row:
            cell.header = False


def type_table(table: Table) -> None:
    """Fill every ``cell.value``; header rows stay text, each column is read with one convention."""
    _demote_data_rows_from_header(table)
    header_rows = table.n_header_rows
    columns: dict[int, list[str]] = {}
    headers: dict[int, list[str]] = {}
    for cell in table.cells:
        if cell.header or cell.row < header_rows:
            for c in range(cell.col, cell.col + max(cell.colspan, 1)):
                headers.setdefault(c, []).append(cell.text)
        else:
            columns.setdefault(cell.col, []).append(cell.text)
    hints = {col: infer_hints(texts, " ".join(headers.get(col, []))) for col, texts in columns.items()}
    for cell in table.cells:
        if cell.header or cell.row < header_rows:
            stripped = cell.text.strip()
            cell.value = TypedValue("text", stripped) if stripped else TypedValue("empty", None)
        else:
            cell.value = parse_value(cell.text, hints.get(cell.col))
