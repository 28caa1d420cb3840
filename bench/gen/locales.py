"""How numbers, money, percents and dates are written in each language the generator covers.

Every formatter takes the true value and returns the text printed in the table, so the ground truth keeps the
value and the text agrees with it by construction (``parse_number`` is the inverse the tests check it with).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

LANGS = ("eng", "deu", "fra", "spa", "vie")

NBSP, NNBSP = "\u00a0", "\u202f"


@dataclass(frozen=True)
class Locale:
    """Separators and words of one language's number and date conventions."""

    lang: str
    decimal: str
    groups: tuple[str, ...]  # thousands separators seen in print (first = most common)
    currencies: tuple[tuple[str, bool, bool], ...]  # (symbol, before the number, space between)
    percent_space: bool
    months: tuple[str, ...]
    months_abbr: tuple[str, ...]
    date_orders: tuple[str, ...]  # "dmy_dot", "dmy_slash", "mdy_slash", "iso", "long", "abbr"
    total_words: tuple[str, ...]


LOCALES: dict[str, Locale] = {
    "eng": Locale(
        "eng",
        ".",
        (",",),
        (("$", True, False), ("£", True, False), ("€", True, False), ("USD", False, True)),
        False,
        (
            [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ]
        ),
        tuple(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]),
        ("iso", "mdy_slash", "long", "abbr"),
        ("Total", "Totals", "Grand total", "Sum"),
    ),
    "deu": Locale(
        "deu",
        ",",
        (".", NBSP),
        (("€", False, True), ("EUR", False, True), ("CHF", True, True)),
        True,
        tuple(
            [
                "Januar",
                "Februar",
                "März",
                "April",
                "Mai",
                "Juni",
                "Juli",
                "August",
                "September",
                "Oktober",
                "November",
                "Dezember",
            ]
        ),
        tuple(
            ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."]
        ),
        ("dmy_dot", "long", "iso"),
        ("Summe", "Gesamt", "Insgesamt", "Gesamtsumme"),
    ),
    "fra": Locale(
        "fra",
        ",",
        (NNBSP, NBSP, " "),
        (("€", False, True), ("EUR", False, True)),
        True,
        tuple(
            [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ]
        ),
        tuple(
            [
                "janv.",
                "févr.",
                "mars",
                "avr.",
                "mai",
                "juin",
                "juil.",
                "août",
                "sept.",
                "oct.",
                "nov.",
                "déc.",
            ]
        ),
        ("dmy_slash", "long"),
        ("Total", "Total général", "Sous-total", "Ensemble"),
    ),
    "spa": Locale(
        "spa",
        ",",
        (".",),
        (("€", False, True), ("$", True, False)),
        True,
        tuple(
            [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ]
        ),
        tuple(
            ["ene.", "feb.", "mar.", "abr.", "may.", "jun.", "jul.", "ago.", "sept.", "oct.", "nov.", "dic."]
        ),
        ("dmy_slash", "long"),
        ("Total", "Suma", "Total general"),
    ),
    "vie": Locale(
        "vie",
        ",",
        (".",),
        (("₫", False, False), ("đ", False, False), ("VND", False, True)),
        False,
        tuple(f"tháng {m}" for m in range(1, 13)),
        tuple(f"Th{m}" for m in range(1, 13)),
        ("dmy_slash", "long"),
        ("Tổng cộng", "Tổng", "Cộng"),
    ),
}


def group_digits(digits: str, sep: str) -> str:
    """``1234567`` → ``1,234,567`` with ``sep`` (no grouping when ``sep`` is empty)."""
    if not sep or len(digits) <= 3:
        return digits
    head = len(digits) % 3 or 3
    return digits[:head] + "".join(sep + digits[i : i + 3] for i in range(head, len(digits), 3))


def format_number(
    value: float,
    lang: str,
    decimals: int,
    *,
    group: str | None = None,
    negative: str = "minus",
) -> str:
    """``value`` rounded to ``decimals`` as printed in ``lang``; ``group``: thousands separator ("" = none);
    ``negative``: "minus" (-1,234), "parens" ((1,234)) or "unicode" (U+2212 minus)."""
    loc = LOCALES[lang]
    sep = loc.groups[0] if group is None else group
    text = f"{abs(value):.{decimals}f}"
    whole, _, frac = text.partition(".")
    out = group_digits(whole, sep) + (loc.decimal + frac if frac else "")
    if value < 0 and float(text) != 0.0:
        if negative == "parens":
            return f"({out})"
        return ("\u2212" if negative == "unicode" else "-") + out
    return out


def format_currency(
    value: float, lang: str, decimals: int, symbol: str, before: bool, space: bool, **kw: str
) -> str:
    """``19,90 €`` / ``$1,234.50`` / ``(1.234,00 €)``: the amount with its symbol placed as ``lang`` does."""
    num = format_number(value, lang, decimals, **kw)
    gap = NBSP if space else ""
    if num.startswith("("):
        inner = num[1:-1]
        return f"({symbol}{gap}{inner})" if before else f"({inner}{gap}{symbol})"
    sign = num[0] if num[0] in "-\u2212" else ""
    body = num[len(sign) :]
    return f"{sign}{symbol}{gap}{body}" if before else f"{sign}{body}{gap}{symbol}"


def format_percent(fraction: float, lang: str, decimals: int, **kw: str) -> str:
    """A fraction (0.125) as printed (12.5% / 12,5 %)."""
    num = format_number(fraction * 100, lang, decimals, **kw)
    sign = (NBSP if LOCALES[lang].percent_space else "") + "%"
    return f"({num[1:-1]}{sign})" if num.startswith("(") else num + sign


def format_date(day: dt.date, lang: str, style: str) -> str:
    """A date in one of ``lang``'s customary styles (see ``Locale.date_orders``)."""
    loc = LOCALES[lang]
    d, m, y = day.day, day.month, day.year
    if style == "iso":
        return day.isoformat()
    if style == "dmy_dot":
        return f"{d:02d}.{m:02d}.{y}"
    if style == "dmy_slash":
        return f"{d:02d}/{m:02d}/{y}"
    if style == "mdy_slash":
        return f"{m:02d}/{d:02d}/{y}"
    month = loc.months[m - 1] if style == "long" else loc.months_abbr[m - 1]
    if lang == "eng":
        return f"{month} {d}, {y}" if style == "long" else f"{d} {month} {y}"
    if lang == "deu":
        return f"{d}. {month} {y}"
    if lang == "spa":
        return f"{d} de {month} de {y}" if style == "long" else f"{d} {month} {y}"
    if lang == "vie":
        return f"{d} {month} năm {y}" if style == "long" else f"{d:02d}/{m:02d}/{y}"
    return f"{d} {month} {y}"


_SPACES = NBSP + NNBSP + " "


def parse_number(text: str, lang: str) -> tuple[float, bool] | None:
    """The value written in ``text`` under ``lang``'s conventions and whether it is a percent (as a
    fraction), or None when it is not a number. The tests' check that the generator's text and value agree."""
    loc = LOCALES[lang]
    t = text.strip()
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1].strip()
    for sym, _b, _s in loc.currencies:
        if t.startswith(sym) or t.startswith("-" + sym) or t.startswith("\u2212" + sym):
            t = t.replace(sym, "", 1)
        elif t.endswith(sym):
            t = t[: -len(sym)]
    t = t.strip(_SPACES)
    pct = t.endswith("%")
    if pct:
        t = t[:-1].strip(_SPACES)
    if t[:1] in ("-", "\u2212"):
        neg, t = True, t[1:]
    whole, _, frac = t.partition(loc.decimal)
    for sep in (*loc.groups, " "):
        whole = whole.replace(sep, "")
    if not re.fullmatch(r"\d+", whole) or (frac and not re.fullmatch(r"\d+", frac)):
        return None
    value = float(whole + ("." + frac if frac else ""))
    value = -value if neg else value
    return (value / 100.0 if pct else value), pct
