"""Every OCR-slip fix in one place: garbled numbers re-read as the column writes them, letters read for
digits (also lone ones in a column of numbers), lost minus signs, decimal points and percent signs.
"""

from __future__ import annotations

import re

from img2xlsx.model import Cell

from .currency import dollar_digit_pattern
from .numbers import _PREFIX_CURRENCY, _SUFFIX_CURRENCY, _SYMBOLS, ColumnHints, _Number, _parse_number

_MARK_SPACE = re.compile(r"(?<=\d)(?:([.,]) | ([.,]))(?=\d)")
_NUMBERISH = re.compile(
    rf"[\d .,()%+\-{_SYMBOLS}~\u201c\u201d\"'\u2018\u2019_\u00ac]+"
)  # garbled numbers only


def numberish(text: str) -> bool:
    """A garbled number: only digits, marks, signs and symbols once a currency code is set aside
    ("4707.20 EUR" where the column writes "4.707,20 EUR", "USD 1,2O4")."""
    core = _SUFFIX_CURRENCY.sub("", _PREFIX_CURRENCY.sub("", text, count=1), count=1)
    return bool(core) and bool(_NUMBERISH.fullmatch(core))


_LOST_POINT = re.compile(rf"[-({_SYMBOLS}]*[\d,]*\d(?: | ?\. ?)(\d{{1,2}})[%)]*")
_MINUS_LOOKALIKES = "~\u201c\u201d\"'\u2018\u2019_\u00ac"
_OPENING_QUOTES = "\u201c\u2018"  # a minus Tesseract read as an opening quote: never how a number starts
# letters Tesseract reads for digits; only swapped in numeric columns, inside tokens that hold digits
_DIGIT_LOOKALIKES = str.maketrans("OoQDlIi|!SsBZz", "00001111155822")
_LONE_LOOKALIKES = {"O": "0", "o": "0", "Q": "0", "S": "5", "s": "5", "l": "1", "I": "1", "i": "1", "|": "1"}
_LOOKALIKE_TOKEN = re.compile(rf"[-({_SYMBOLS}]*[\dOoQDlIi|!SsBZz][\dOoQDlIi|!SsBZz.,]*[%)]*")
_SPACE_BEFORE_GROUP = re.compile(r"(?<=\d) (?=\d{3}(?![\d]))")
# sign/currency, grouped digits (dots, commas or spaces), the last mark, its 1-2 digits, what follows
_GROUPED_THEN_MARK = re.compile(rf"([-({_SYMBOLS} ]*)(\d{{1,3}}(?:[., ]\d{{3}})+)([.,])(\d{{1,2}})(\D*)")
# a head too long for a first group, then groups: one group mark lost ("1168 626" for "1 168 626")
_LOST_GROUP_MARK = {
    mark: re.compile(rf"([-({_SYMBOLS}]*)(\d{{4,6}})((?:{mark}\d{{3}})+)(\D*)") for mark in (" ", ".", ",")
}
# a rule or underline the page pass read after the number ("239.510,69 €—"): dashes a number never ends with
_TRAILING_RULE = re.compile(r"(?<=[\d%)" + _SYMBOLS + r"]) ?[\u2014\u2013_]+$")
# the other mark before one or two final digits, no mark elsewhere: it cannot group thousands ("649.6")
_OTHER_MARK_DECIMAL = {mark: re.compile(rf"([-({_SYMBOLS}]*\d+)\{mark}(\d{{1,2}})(\D*)") for mark in ".,"}
_DONG_AS_D = re.compile(r"(.*\d) ?d")
_PERCENT_AS_X = re.compile(r"(.*\d)( ?)[xX]")
_PERCENT_AS_DIGITS = re.compile(r"(.*\d)( ?)[89]6(\)?)")  # the usual readings of a blurred "%" ("12,5 96")


# a minus read as a full stop: a point, then a number that shows a mark of its own (or a currency letter)
_DOT_FOR_MINUS = re.compile(rf"\.(?=[\d{_SYMBOLS}SCEQ])(?=\S*\d[.,%])")
# letters OCR reads for a currency symbol before the digits ("C1854", "E5697.50", "Q23,133", "S104.2")
_CURRENCY_LETTERS = {"$": "Ss", "€": "CcEeGQ", "£": "EfF"}
_LEADING_LETTER = re.compile(r"([-(]?)([A-Za-z])(?=\d)")


def _currency_for_letter(s: str, currency: str) -> str:
    """``s`` with a letter that stands where its column prints ``currency`` (before the first digit) read as
    that symbol; ``s`` itself when no such letter leads it."""
    m = _LEADING_LETTER.match(s)
    if m is None or m.group(2) not in _CURRENCY_LETTERS.get(currency, ""):
        return s
    return f"{m.group(1)}{currency}{s[m.end() :]}"


def symbol_letters(
    cells: list[str], parsed: list[_Number | None], hints: ColumnHints
) -> list[_Number | None]:
    """``parsed`` with the column's amounts led by a letter OCR reads for a currency symbol ("S1417.43",
    "-S2277.86") read as that symbol, where another of its numbers prints the symbol before its digits.

    Only amounts showing places count (codes like "E4518" show none): they are evidence of the column's
    currency as a clean "$" is (:func:`.currency.prefix_currency`), so one "$706.55" among four "S"-led
    amounts makes a column of dollars instead of one of 5s (the letter's other reading, as a digit)."""
    shown = {p.currency for p in parsed if p is not None and p.currency and not p.currency_suffix}
    out = list(parsed)
    for symbol in shown & set(_CURRENCY_LETTERS):
        for i, (t, p) in enumerate(zip(cells, parsed, strict=True)):
            fixed = _currency_for_letter(t, symbol)
            if p is None and fixed != t and (num := _parse_number(fixed, hints)) is not None and num.decimals:
                out[i] = num
    return out


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
    if _DOT_FOR_MINUS.match(base):
        base = "-" + base[1:]  # ".72,472.97", ".12.0%": no number starts with a point and shows another mark
    if hints.currency and not hints.integers_as_text:
        base = _currency_for_letter(base, hints.currency)
    if base != out[0]:
        out.append(base)
    if (ruled := _TRAILING_RULE.sub("", base)) != base:
        out.append(ruled)
        base = ruled
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
    if hints.grouped:
        marks = (" ", group) if hints.space_groups else (group,)
        for mark in marks:
            if m := _LOST_GROUP_MARK[mark].fullmatch(joined):
                digits = m.group(2) + m.group(3).replace(mark, "")
                out.append(m.group(1) + _regroup(digits, mark) + m.group(4))
    if (m := _GROUPED_THEN_MARK.fullmatch(joined)) and m.group(3) != hints.decimal:
        # "$33.230.17" in a 1.234,56 column: after marks that group thousands, a last mark before one or two
        # digits can only be the decimal mark, misread
        head = m.group(2).replace(" ", group)
        if re.fullmatch(rf"\d{{1,3}}(?:\{group}\d{{3}})+", head):
            out.append(f"{m.group(1)}{head}{hints.decimal}{m.group(4)}{m.group(5)}")
    if "vie" in hints.langs and (m := _DONG_AS_D.fullmatch(joined)):
        out.append(m.group(1) + "\u20ab")  # "₫" read as a plain "d" (Vietnamese amounts, "2.245₫")
    if hints.percent_column is not None and (m := _PERCENT_AS_X.fullmatch(joined)):
        joined = f"{m.group(1)}{m.group(2)}%"  # "16,6 x": the "%" read as an "x"
        out.append(joined)
    if hints.percent_column and (
        m := re.fullmatch(rf"(.*\d[.,]\d{{{hints.percent_column}}}) [{PERCENT_READ_AS}]", joined)
    ):
        out.append(f"{m.group(1)} %")  # "28.03 5" among "27.99 %"s: the "%" read as a digit after its space
    places = hints.percent_places
    pct = _percent_for_digits(joined) if places else None
    if pct and re.search(rf"[.,]\d{{{places}}} ?%", pct):
        out.append(pct)  # "19,1 96" in a column of "12,5 %"
    k = hints.decimals
    if k is None and (m := _OTHER_MARK_DECIMAL[group].fullmatch(joined)):
        # a column of mixed places shows no count to check against ("649.6" among "2,22" and "62,4")
        out.append(f"{m.group(1)}{hints.decimal}{m.group(2)}{m.group(3)}")
    if k in (1, 2):
        m = re.fullmatch(rf"(.*\d) (\d{{{k}}})(\D*)", joined)
        if m and hints.decimal not in m.group(1):
            out.append(f"{m.group(1)}{hints.decimal}{m.group(2)}{m.group(3)}")
        # the decimal point read as a hyphen between digits ("€53-75", "34-9" in a column of "€76.06"s)
        m = re.fullmatch(rf"(.*\d)-(\d{{{k}}})(\D*)", joined)
        if m:
            out.append(f"{m.group(1)}{hints.decimal}{m.group(2)}{m.group(3)}")
        # the column's decimal mark read as the other mark ("1,38", "€10,489,00" in a 1,234.56 column)
        m = re.fullmatch(rf"(.*\d)[.,](\d{{{k}}})(\D*)", joined)
        if m:
            head = m.group(1).replace(hints.decimal, group)
            out.append(f"{head}{hints.decimal}{m.group(2)}{m.group(3)}")
    return out


def _percent_for_digits(s: str) -> str | None:
    """``s`` with a trailing "96" or "86" read back as the "%" it blurred into, None if it ends otherwise."""
    m = _PERCENT_AS_DIGITS.fullmatch(s)
    return f"{m.group(1)}{m.group(2)}%{m.group(3)}" if m else None


PERCENT_READ_AS = "835"  # the digits PP-OCR reads a "%" as (langtrain: "14,78", "-3,23", "-3,25" for "…%")


def percent_as_digit(last: str, decimals: int, places: int, any_digit: bool) -> bool:
    """Whether a number of a column of percentages showing ``places`` places, itself showing ``decimals``
    and ending in the digit ``last``, may be one whose "%" was read as that digit.

    One of :data:`PERCENT_READ_AS`, or, where the column allows it (``any_digit``: its percentages show
    places and outnumber the numbers showing one more), any digit after exactly one more place: a blurred
    "%" is read as "9", "1" or "4" too ("21.39", "29.51" among "17.5%"s)."""
    return bool(last) and (last in PERCENT_READ_AS or (any_digit and places >= 1 and decimals == places + 1))


def lost_percent(num: _Number, places: int) -> bool:
    """``num`` may be a percentage of a column of them showing ``places`` (one at least) that lost its "%":
    it shows those places and nothing else an amount shows (currency, grouping, brackets). A whole number
    is no such evidence: "12" among "12%"s may be a count."""
    return (
        places >= 1
        and num.decimals == places
        and not (num.percent or num.currency or num.grouped or num.paren or num.scientific)
    )


_LAST_DIGIT = re.compile(r"(.*\d)[.,]?\d")  # a number's text less its last digit (and a mark left bare)


def _percent_reading(s: str, num: _Number, hints: ColumnHints) -> _Number | None:
    """A number in a column of percentages (``hints.percent_column`` places) that is not read as one of
    them, read as one: None when no reading fits.

    PP-OCR reads a "%" after digits as one more digit ("8", "3" or "5") more often than it drops it: "14,78"
    among "14,7 %"s is "14,7 %", "11,8" among "11 %"s is "11 %" (the space read as the decimal mark), "78"
    among them "7 %"; only numbers ending in a digit of :data:`PERCENT_READ_AS` (any digit after the
    percentages' places, see :func:`percent_as_digit`). (A percentage showing no
    places among ones that show some is left alone: "22%" among "34.3%"s is a whole percent.)"""
    places = hints.percent_column
    assert places is not None
    sign = " %" if hints.percent_spaced else "%"
    if num.percent or num.currency or num.grouped or num.scientific or num.paren:
        return None
    if not percent_as_digit(s[-1:], num.decimals, places, hints.percent_any_digit):
        return None
    # the "%" read as one more decimal ("14,78"; with no places, one after a mark: "11,8"), or, with no
    # places, as a last digit ("78")
    if num.decimals != places + 1 and not (places == 0 and num.bare_integer and len(s) >= 2):
        return None
    m = _LAST_DIGIT.fullmatch(s)
    if m is None:
        return None
    fixed = _parse_number(m.group(1) + sign, hints)
    return fixed if fixed is not None and fixed.percent and fixed.decimals == places else None


def _regroup(digits: str, mark: str) -> str:
    """``digits`` in groups of three from the right, joined by ``mark``."""
    head = len(digits) % 3 or 3
    return mark.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


_THREE_PLACES = {
    mark: re.compile(rf"(?<![\d.,])([1-9]\d{{0,2}})\{mark}(\d{{3}})(?![\d.,])") for mark in ".,"
}  # "137.500" / "1,762": one mark, three digits after it
_BARE_DIGITS = re.compile(r"(?<![\d.,])(\d+)(?![\d.,])")


def zero_point_for_minus(s: str, decimal: str) -> re.Match[str] | None:
    """``s`` reads "0." or a bare "." (with the ``decimal`` mark) before digits that do not start with a zero
    ("0.93", ".627", "0.4%"): what a minus read as "0." or as a point makes of "-93", "-627", "-4%"."""
    return re.fullmatch(rf"0?\{decimal}([1-9]\d*)(%?)", s)


def _column_reading(s: str, num: _Number, hints: ColumnHints) -> _Number:
    """A number that parses but contradicts its column: "137.500" among "$65,000"s, "11" among "4.1"s,
    "534,108.20" among "$30,970.60"s, "0.93" among "-1,860"s and "544"s."""
    if hints.minus_as_zero_point and (m := zero_point_for_minus(s, hints.decimal)):
        fixed = _parse_number(f"-{m.group(1)}{m.group(2)}", hints)
        if fixed is not None:
            return fixed
    if (
        hints.dollar_read_as
        and not num.currency
        and (m := dollar_digit_pattern(hints.dollar_read_as).match(s))
    ):
        fixed = _parse_number(f"{m.group(1)}${s[m.end() :]}", hints)
        if fixed is not None:
            return fixed
    if hints.three_place_groups and num.decimals == 3 and not num.grouped:
        mark, group = (".", ",") if hints.decimal == "." else (",", ".")
        fixed = _parse_number(_THREE_PLACES[mark].sub(rf"\1{group}\2", s, count=1), hints)
        if fixed is not None and fixed.grouped:
            return fixed
    if hints.percent_column is not None and (fixed := _percent_reading(s, num, hints)) is not None:
        return fixed
    if hints.percent_column and lost_percent(num, hints.percent_column):
        fixed = _parse_number(s + (" %" if hints.percent_spaced else "%"), hints)
        if fixed is not None and fixed.percent:  # "25,43" among "25,92 %"s lost its "%"
            return fixed
    if hints.percent_places and not num.percent and (pct := _percent_for_digits(s)):
        fixed = _parse_number(pct, hints)
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


_NUMBER = re.compile(r"^[(+\-\u2212$€£¥]*\d[\d.,\s]*%?\)?$")
_LOOKALIKE = {"o": "0", "O": "0", "l": "1", "I": "1", "|": "1"}


def fix_digit_lookalikes(cells: list[Cell], n_header: int) -> None:
    """A lone "o" or "l" in a column of numbers is the digit OCR misread (it reads isolated glyphs
    without context)."""
    by_col: dict[int, list[Cell]] = {}
    for c in cells:
        if c.row >= n_header and c.colspan == 1:
            by_col.setdefault(c.col, []).append(c)
    for col in by_col.values():
        filled = [c for c in col if c.text]
        numeric = sum(1 for c in filled if _NUMBER.match(c.text))
        if len(filled) < 3 or numeric < 0.6 * len(filled):
            continue
        for c in filled:
            if c.text in _LOOKALIKE:
                c.text = _LOOKALIKE[c.text]
