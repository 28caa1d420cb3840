"""Dates and times in the common written forms; day-first or month-first from the column's hints."""

from __future__ import annotations

import datetime as dt
import re

from img2xlsx.model import TypedValue

from .locale import Locale, fold, locale_for
from .numbers import ColumnHints

# -------------------------------------------------------------------------------------------- dates/times

_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<F>\d{1,6}))?)?"
_AMPM = r"\s*(?P<ampm>[AaPp])\.?\s?[Mm]\.?"

_RE_ISO = re.compile(
    rf"^(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?:[T ]{_TIME})?"
    r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?$"
)
_RE_DMY = re.compile(
    rf"^(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}})(?:,?\s+{_TIME})?$"
)
# "3 March 2024", "3-Mar-24", "3. März 2024", "1er mars 2024", "3 de marzo de 2024", "3 mrt. 2024"
_MONTH = r"(?P<mon>[^\W\d_]{3,12}\.?)"
_RE_D_MON_Y = re.compile(
    rf"^(?P<d>\d{{1,2}})(?P<ord>\.|er|º|°|st|nd|rd|th)?(?P<sep>\s+de\s+|\s+|-)"
    rf"{_MONTH}(?P<sep2>\s+de\s+|,?\s+|-)(?P<y>\d{{4}}|\d{{2}})$",
    re.I,
)
_RE_MON_D_Y = re.compile(
    rf"^{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?P<comma>,?)\s+(?P<y>\d{{4}})$", re.I
)
_RE_MON_Y = re.compile(rf"^{_MONTH}(?P<sep>\s+de\s+|\s+)(?P<y>\d{{4}})$", re.I)
# Vietnamese, matched on the folded text (no accents): "ngày 3 tháng 3 năm 2024", "tháng 3/2024". The words
# may have lost their vowel ("nm", "thng": OCR drops a letter whose marks it is unsure of) or the space
# before the month ("tháng4"): between the numbers they can only be these words.
_THANG = r"tha?ng"
_NAM = r"\s*,?\s*na?m\s+"
_RE_VIE_DMY = re.compile(
    rf"^(?P<ngay>ngay\s+)?(?P<d>\d{{1,2}})\s+{_THANG}\s*(?P<m>\d{{1,2}})(?P<sep>{_NAM}|\s*[,/]\s*|\s+)(?P<y>\d{{4}})$"
)
_RE_VIE_MY = re.compile(rf"^{_THANG}\s*(?P<m>\d{{1,2}})(?P<sep>{_NAM}|\s*[,/-]\s*|\s+)(?P<y>\d{{4}})$")
_RE_TIME = re.compile(rf"^{_TIME}$")
_RE_TIME_AMPM = re.compile(r"^(?P<H>\d{1,2})(?::(?P<M>\d{2}))?(?::(?P<S>\d{2}))?" + _AMPM + "$")


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
    """A date (or date and time) in any written form the column's languages use; None when it is not one.

    A weekday name in front ("Montag, 3. März 2024", "lun. 03/03/2024") is ignored.
    """
    locale = locale_for(hints.langs)
    when = _parse_date_only(s, hints, locale)
    if when is None:
        rest = _after_weekday(s, locale)
        if rest:
            when = _parse_date_only(rest, hints, locale)
    return when


def _after_weekday(s: str, locale: Locale) -> str | None:
    """``s`` without a leading weekday name of one or two words ("Mo.,", "Thứ Hai,"), or None."""
    words = s.split(None, 2)
    for n in (2, 1):
        if len(words) > n and fold(" ".join(words[:n]).rstrip(",")) in locale.weekdays:
            return " ".join(words[n:])
    return None


def _parse_date_only(s: str, hints: ColumnHints, locale: Locale) -> TypedValue | None:
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
    if "vie" in locale.langs:
        when = _vietnamese(s)
        if when is not None:
            return when
    named_forms = ((_RE_D_MON_Y, _fmt_d_mon_y), (_RE_MON_D_Y, _fmt_mon_d_y), (_RE_MON_Y, _fmt_mon_y))
    for pattern, fmt_of in named_forms:
        m = pattern.match(s)
        if not m:
            continue
        named = locale.month(m.group("mon"))
        if named is None:
            return None
        month, full, lang = named
        try:
            day = dt.date(_year(m.group("y")), month, int(m.groupdict().get("d") or 1))
        except ValueError:
            return None
        return TypedValue("date", day, locale.lcid(lang) + fmt_of(m, "mmmm" if full else "mmm"))
    return None


def _vietnamese(s: str) -> TypedValue | None:
    """ "ngày 3 tháng 3 năm 2024", "3 tháng 3, 2024", "tháng 3/2024": Vietnamese months are numbered."""
    folded = fold(s)
    m = _RE_VIE_DMY.match(folded) or _RE_VIE_MY.match(folded)
    if not m:
        return None
    d = m.groupdict().get("d")
    try:
        day = dt.date(int(m.group("y")), int(m.group("m")), int(d or 1))
    except ValueError:
        return None
    sep = m.group("sep")
    joint = next((ch + (" " if ch == "," else "") for ch in ",/-" if ch in sep), " ")
    if re.search(r"na?m", sep):
        joint = ' "năm" '
    month = ("mm" if m.group("m").startswith("0") else "m") + joint
    if not d:
        return TypedValue("date", day, f'[$-42A]"tháng" {month}yyyy')
    head = '"ngày" ' if m.group("ngay") else ""
    return TypedValue("date", day, f'[$-42A]{head}{"dd" if d.startswith("0") else "d"} "tháng" {month}yyyy')


def _literal(sep: str) -> str:
    """A separator as an Excel date format shows it: words quoted ("3 de marzo de 2024")."""
    return re.sub(r"[^\W\d_]+", lambda w: f'"{w.group(0)}"', sep)


def _day_code(m: re.Match[str]) -> str:
    return "dd" if m.group("d").startswith("0") else "d"  # "dd" and "d" only differ below 10


def _year_code(m: re.Match[str]) -> str:
    return "yyyy" if len(m.group("y")) == 4 else "yy"


def _fmt_d_mon_y(m: re.Match[str], mon: str) -> str:
    dot = "." if m.group("ord") == "." else ""
    return f"{_day_code(m)}{dot}{_literal(m.group('sep'))}{mon}{_literal(m.group('sep2'))}{_year_code(m)}"


def _fmt_mon_d_y(m: re.Match[str], mon: str) -> str:
    return f"{mon} {_day_code(m)}{m.group('comma')} yyyy"


def _fmt_mon_y(m: re.Match[str], mon: str) -> str:
    return f"{mon}{_literal(m.group('sep'))}yyyy"


def _parse_time(s: str) -> TypedValue | None:
    m = _RE_TIME.match(s) or _RE_TIME_AMPM.match(s)
    if not m:
        return None
    parts = _time_parts(m)
    if parts is None:
        return None
    return TypedValue("time", parts[0], parts[1])
