"""One cell's typed value (:func:`parse_value`), a column's conventions (:func:`infer_hints`) and a whole
table typed at once (:func:`type_table`)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from img2xlsx.model import Table, TypedValue

from .currency import dollar_digit_pattern, dollar_read_as, prefix_currency, suffix_symbol
from .dates import _RE_DMY, _parse_date, _parse_time
from .locale import locale_for
from .marks import ambiguous_mark, separator_vote
from .numbers import (
    _AMOUNT_KINDS,
    SUFFIX_LOOKALIKES,
    UNICODE_MINUS,
    ColumnHints,
    Decimal_,
    _normalise,
    _Number,
    _number_value,
    _parse_number,
)
from .percents import column_percents
from .repairs import (
    _LONE_LOOKALIKES,
    _LOST_POINT,
    _column_reading,
    _repairs,
    numberish,
    symbol_letters,
    zero_point_for_minus,
)
from .totals import check_totals

# The header's last word names an identifier ("Employee ID", "Part no.", "Zip code", "Phone", "#"), unlike
# "Number of units" or "Code changes (lines)", where the column holds quantities. German compounds end in the
# identifier ("Kundennummer", "Postleitzahl", "Artikel-Nr."); Dutch too ("Klantnummer", "Postcode").
_ID_HEADER = re.compile(
    r"(?<![^\W_])(?:id|ids|no|nr|number|code|phone|tel|telephone|mobile|fax|zip|postcode|postal|sku|account|acct|"
    r"iban|bic|isbn|ean|upc|serial|ssn|pin|ref|reference|#|n°|nº|"
    r"telefon|handy|plz|kto|konto|siren|siret|nif|cif|dni|cpf|cnpj|cep|piva|kvk|bsn|"
    r"téléphone|portable|teléfono|telefono|telefone|telefoon|móvil|cellulare|celular|postale|postal|"
    r"référence|réf|referencia|riferimento|referência|codice|código|sđt|điện thoại)\W*$"
    r"|(?:nummer|nr|postleitzahl|kennung|code)\W*$",
    re.IGNORECASE,
)
# Romance languages put the head noun first: "Numéro de client", "Código postal", "N° de téléphone".
# ("Número de ..." is left out: in Spanish and Portuguese it also heads counts, "Número de empleados".)
_ID_HEADER_FIRST = re.compile(
    r"^\W*(?:numéro|n°|nº|code (?:client|article|produit|de|du|d.)|código|codice|"
    r"référence|réf\.?|referencia|riferimento|referência|"
    r"téléphone|teléfono|telefono|telefone|iban|mã|số điện thoại)(?![^\W_])",
    re.IGNORECASE,
)


THREE_PLACES_PER_OTHER = 4  # three-place numbers a column grouping thousands shows for each other decimal
WHOLE_PER_THREE_PLACES = 4  # whole numbers a column shows for each "1.234" taken as grouped among them


def _excel_can_show(when: TypedValue) -> bool:
    """Excel has no dates before 1900-01-01 (it shows ##### or a time of day): such dates stay text."""
    day = when.value.date() if isinstance(when.value, dt.datetime) else when.value
    return not isinstance(day, dt.date) or day >= dt.date(1900, 1, 1)


def parse_value(text: str, hints: ColumnHints | None = None) -> TypedValue:
    """The typed value of one cell; text when nothing safer fits (no hints: an English column)."""
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
        num = _minus_look(_column_reading(s, num, hints), text, hints)
        return _number_value(_column_look(num, hints), hints.grouped)
    if hints.repair:
        lenient = replace(hints, space_groups=True)
        for candidate in _repairs(s, hints):
            num = _parse_number(candidate, lenient)
            if num is not None:  # read as the column writes numbers, as a clean one is (".1.957": -1,957)
                num = _minus_look(_column_reading(candidate, num, hints), text, hints)
                return _number_value(_column_look(num, hints), hints.grouped)
    when = _parse_date(s, hints) or _parse_time(s)
    if when is not None and when.kind != "text" and _excel_can_show(when):
        return when
    return TypedValue("text", text.strip())


def _minus_look(num: _Number, text: str, hints: ColumnHints) -> _Number:
    """``num`` keeps the typographic minus U+2212 its text shows (or its column shows on most negatives), so
    the workbook shows a minus as the picture does, not a hyphen."""
    if num.value < 0 and not num.paren and (UNICODE_MINUS in text or hints.unicode_minus):
        return replace(num, unicode_minus=True)
    return num


def _column_look(num: _Number, hints: ColumnHints) -> _Number:
    """``num`` shown as its column shows numbers, where ``hints.uniform_look``: grouped in a column that
    groups thousands, its "%" set off by a space as the column's percentages are (or not).

    The marks are the thin, narrow (no-break) spaces OCR loses most: "735227" among "129 949"s and "9,7%"
    among "-6,8 %"s were printed "735 227" and "9,7 %". A cell's own reading is otherwise kept (an
    English column's "5678" among "1,234"s may be printed so), but five digits and more are grouped in every
    column that groups: print leaves only four-digit numbers ungrouped, OCR drops a blurred comma."""
    if hints.suffix_symbol and num.currency_suffix and num.currency == SUFFIX_LOOKALIKES[hints.suffix_symbol]:
        num = replace(num, currency=hints.suffix_symbol)
    if not hints.uniform_look:
        if hints.grouped and not (num.grouped or num.scientific) and abs(num.value) >= 10000:
            num = replace(num, grouped=True)
        return num
    if hints.grouped and not (num.grouped or num.scientific) and abs(num.value) >= 1000:
        num = replace(num, grouped=True)
    if num.percent and hints.percent_column is not None and num.percent_spaced != hints.percent_spaced:
        num = replace(num, percent_spaced=hints.percent_spaced)
    return num


def infer_hints(
    texts: Iterable[str], header: str = "", langs: Sequence[str] = ("eng",), table_groups: str = ""
) -> ColumnHints:
    """Decide a column's conventions from all of its body cells (and its header, for ID-like columns).

    ``langs`` (the document's languages, main first) only set priors: the decimal mark a column that proves
    none gets, whether "1 234" may be one number, day-first dates, and the month names dates use.
    ``table_groups``: the decimal mark of the table's other columns that group thousands and had their group
    marks misread as it (see :func:`type_table`), "" when none did.
    """
    locale = locale_for(langs)
    langs = locale.langs
    texts = list(texts)
    raw = [x for x in texts if _normalise(x)]  # as printed: the normalised cells lose the typographic minus
    cells = [_normalise(x) for x in raw]
    dots = sum(separator_vote(t) == "." for t in cells)
    commas = sum(separator_vote(t) == "," for t in cells)
    # "1,234" proves nothing alone, but thousands grouping is far likelier than three decimals: such cells
    # count half a vote against the decimal mark the language does not use, so one "121,00" cannot turn
    # "$137,500" into 137.5 (English), nor one "2.75" turn "1.234" into 1.234 (German)
    decimal: Decimal_
    if locale.decimal == ",":
        ambiguous_dots = sum(ambiguous_mark(t) == "." for t in cells)
        decimal = "." if dots > commas + 0.5 * ambiguous_dots else ","
    else:
        ambiguous_commas = sum(ambiguous_mark(t) == "," for t in cells)
        decimal = "," if commas > dots + 0.5 * ambiguous_commas else "."

    first_day = first_month = 0
    for t in cells:
        m = _RE_DMY.match(t)
        if m:
            a, b = int(m.group("a")), int(m.group("b"))
            first_day += a > 12 >= b
            first_month += b > 12 >= a
    dayfirst: bool | None = locale.dayfirst
    if first_day and not first_month:
        dayfirst = True
    elif first_month and not first_day:
        dayfirst = False

    strict = ColumnHints(decimal=decimal, dayfirst=dayfirst, langs=langs)
    parsed = [_parse_number(t, strict) for t in cells]
    n_strict = sum(p is not None for p in parsed)
    grouped = any(p is not None and p.grouped for p in parsed)
    spaced = ColumnHints(decimal=decimal, dayfirst=dayfirst, space_groups=True, langs=langs)
    n_spaced = sum(
        p is None and _parse_number(t, spaced) is not None for t, p in zip(cells, parsed, strict=True)
    )
    # English needs a clean number beside the spaced ones; where the language groups with (narrow no-break)
    # spaces, a column of "1 234,56" alone is enough
    vouched_spaces = n_strict > 0 or (locale.space_groups and decimal == locale.decimal)
    # cells a repair makes numbers ("598.07", "-2 807.96" among "6 358,75"s) count as the column's numbers
    n_mended = _repairable(cells, parsed, replace(spaced, repair=True)) if vouched_spaces and n_spaced else 0
    space_groups = n_spaced > 0 and vouched_spaces and (n_strict + n_spaced + n_mended) >= 0.6 * len(cells)
    if space_groups and any(p is not None and p.grouped for p in parsed):
        # the column already groups with another mark; a space there is more likely two values run together
        space_groups = False
    if space_groups:  # the spaced numbers are the column's numbers too (their decimals, signs, percents)
        parsed = [p or _parse_number(t, spaced) for t, p in zip(cells, parsed, strict=True)]
    integers_as_text = bool(header and (_ID_HEADER.search(header) or _ID_HEADER_FIRST.search(header)))
    numbers = [p for p in parsed if p is not None]
    n_parsed = len(numbers)
    n_numberish = sum(p is None and numberish(t) for t, p in zip(cells, parsed, strict=True))
    shown = Counter(p.decimals for p in numbers if p.decimals)
    decimals = None
    if shown:
        k, count = shown.most_common(1)[0]
        decimals = k if count >= 2 and count >= 0.8 * shown.total() else None
    # a column may hold no clean number at all when every amount came out with a stray space ("-$11, 360",
    # "$9, 896"): two cells that a safe repair turns into numbers vouch for it instead
    lettered = symbol_letters(cells, parsed, strict)  # "S1417.43" beside "$706.55" is a "$" amount
    currency = prefix_currency([p for p in lettered if p is not None])
    dollar_digits = dollar_read_as(cells, lettered)
    repairing = ColumnHints(decimal=decimal, repair=True, currency=currency, langs=langs)
    n_repairable = _repairable(cells, parsed, repairing)
    vouched = n_parsed >= 1 or n_repairable >= 2
    repair = vouched and n_parsed + max(n_numberish, n_repairable) >= max(2, 0.6 * len(cells))
    # A whole column that lost its decimal points ("5 10", "33 45", "10. 83"): the same 1-2 trailing digits
    # after the gap in nearly every cell is a decimal part, not a second value.
    lost = Counter(
        len(m.group(1))
        for t, p in zip(cells, parsed, strict=True)
        if p is None and (m := _LOST_POINT.fullmatch(t))
    )
    if decimals is None and lost:
        k, count = lost.most_common(1)[0]
        if count >= 3 and count + n_parsed >= 0.6 * len(cells) and count >= 0.8 * lost.total():
            decimals, repair = k, True
    # nearly every number shows the same 1-3 places: the odd bare integer ("11" among "4.1"s) lost its point
    # (an amount whose "$" was read as a digit is one digit too wide: "8127527.12" for "$127527.12")
    dollar_digit = dollar_digit_pattern(dollar_digits) if dollar_digits else None
    widths = [
        len(str(abs(int(p.value))))
        for t, p in zip(cells, parsed, strict=True)
        if p is not None and decimals and p.decimals == decimals and not p.grouped
        if not (dollar_digit and not p.currency and dollar_digit.match(t))
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
    percent_column, percent_spaced, percent_any_digit = column_percents(numbers, header)
    # a column grouping thousands with commas that never shows decimals: "$25.000" is "$25,000" misread
    # (and the mirror image where the decimal mark is a comma: "1,762" among "3.530"s is "1.762" misread)
    group_mark = "," if decimal == "." else "."
    three = sum(ambiguous_mark(t) == decimal for t in cells)
    mark_grouped = sum(
        ambiguous_mark(t) == group_mark or (p is not None and p.grouped)
        for t, p in zip(cells, parsed, strict=True)
    )
    minus_as_zero = _minus_read_as_zero_point(cells, parsed, decimal)
    other_places = sum(
        p is not None
        and p.decimals > 0
        and ambiguous_mark(t) != decimal
        and not (minus_as_zero and zero_point_for_minus(t, decimal))
        for t, p in zip(cells, parsed, strict=True)
    )
    # integers too wide for a first group and shown without marks ("14997" among "45,973"s) lost theirs: they
    # vouch for grouping as the marked ones do. A page read blurred turns many commas into points at once
    # ("176.467", "33.289" among "37,600"s), so half as many grouped integers as three-place numbers suffice
    wide = sum(p is not None and p.bare_integer and len(str(abs(int(p.value)))) >= 4 for p in parsed)
    vouched_groups = mark_grouped >= 1 and mark_grouped + wide >= 2 and 2 * (mark_grouped + wide) >= three
    # a column of whole numbers too small to group ("644", "92", "381") whose one wider number, often its
    # total, shows three places ("2.654"): it had its comma read as a point, a column of counts shows no
    # decimals (four whole numbers at least for each such number)
    whole = sum(p is not None and p.bare_integer for p in parsed)
    vouched_groups = vouched_groups or (whole >= WHOLE_PER_THREE_PLACES * three and whole >= 3)
    # the table's other columns had their commas read as points too: one grouped number here vouches
    vouched_groups = vouched_groups or (table_groups == decimal and mark_grouped >= 1)
    # (one number showing other places, for four three-place ones at least, is a misreading too: "16.2887")
    three_place_groups = three >= THREE_PLACES_PER_OTHER * other_places and three >= 1 and vouched_groups
    if three_place_groups and decimals == 3:  # the three "places" are groups: "9359" lost no point
        decimals, lost_point = None, None
    return ColumnHints(
        decimal=decimal,
        dayfirst=dayfirst,
        space_groups=space_groups,
        grouped=grouped or (space_groups and n_spaced > 0),
        integers_as_text=integers_as_text,
        repair=repair,
        decimals=decimals,
        negatives=any(p.value < 0 for p in numbers),
        unicode_minus=_prints_unicode_minus(raw, parsed),
        currency=currency,
        dollar_read_as=dollar_digits,
        suffix_symbol=suffix_symbol(numbers),
        lost_point=lost_point,
        padded_places=padded and lost_point is not None,
        three_place_groups=three_place_groups,
        minus_as_zero_point=minus_as_zero,
        percent_places=percent_places,
        percent_column=percent_column,
        percent_spaced=percent_spaced,
        percent_any_digit=percent_any_digit,
        # the languages writing a decimal comma set off groups and "%" with narrow spaces OCR loses
        uniform_look=locale.decimal == ",",
        langs=langs,
    )


ZERO_POINTS_SHARE = 0.25  # of a column's numbers at most that may be a minus read as "0."


def _minus_read_as_zero_point(cells: list[str], parsed: list[_Number | None], decimal: Decimal_) -> bool:
    """A column of whole numbers with negatives among them ("-1,860", "544", "-827") whose only numbers
    showing places read "0.93", "0.627" (or "0.4%" among "-21%"s): their minus was read as "0." (a
    "0." before a whole number's digits; a column of counts shows no fraction below one). Three whole
    numbers at least, and the "0."s a quarter of the numbers at most."""
    numbers = [(t, p) for t, p in zip(cells, parsed, strict=True) if p is not None]
    whole = [(t, p) for t, p in numbers if not zero_point_for_minus(t, decimal)]
    zeros = len(numbers) - len(whole)
    if not zeros or zeros > ZERO_POINTS_SHARE * len(numbers) or len(whole) < 3:
        return False
    # (a wider whole number whose comma was read as a point, "-12.641", is one of them)
    return all(p.decimals == 0 or ambiguous_mark(t) == decimal for t, p in whole) and any(
        p.value < 0 and not p.paren for _, p in whole
    )


def _prints_unicode_minus(raw: list[str], parsed: list[_Number | None]) -> bool:
    """Half of the column's (unbracketed) negative numbers at least are printed with the typographic minus
    U+2212 (``raw``: the cells as read, before the minus signs are normalised). OCR reads a thin minus as a
    hyphen now and then, far more rarely the other way round."""
    negatives = [t for t, p in zip(raw, parsed, strict=True) if p is not None and p.value < 0 and not p.paren]
    return bool(negatives) and 2 * sum(UNICODE_MINUS in t for t in negatives) >= len(negatives)


_SIGNED = re.compile(r"\(?[-\u2212][\d$€£¥₹]")  # a signed number's start


def _table_prints_unicode_minus(texts: list[str]) -> bool:
    """A third of the table's minus signs at least (two at least) were read as the typographic minus U+2212:
    a table prints its negatives one way, and OCR reads most thin minus signs as hyphens."""
    signs = [t.strip()[:2].lstrip("(")[:1] for t in texts if _SIGNED.match(t.strip())]
    unicode = signs.count(UNICODE_MINUS)
    return unicode >= 2 and 3 * unicode >= len(signs)


def _repairable(cells: list[str], parsed: list[_Number | None], hints: ColumnHints) -> int:
    """How many unparsed cells one of the numeric-column repairs would turn into a number."""
    lenient = replace(hints, space_groups=True)
    return sum(
        p is None and any(_parse_number(c, lenient) is not None for c in _repairs(t, hints)[1:])
        for t, p in zip(cells, parsed, strict=True)
    )


def _is_year(value: TypedValue) -> bool:
    return value.kind == "number" and isinstance(value.value, int) and 1800 <= value.value <= 2200


def _is_amount(text: str, hints: ColumnHints) -> bool:
    value = parse_value(text, hints)
    return value.kind in _AMOUNT_KINDS and not _is_year(value)


def _looks_like_money(text: str, hints: ColumnHints) -> bool:
    value = parse_value(text, hints)
    return value.kind in ("currency", "percent") or (
        value.kind == "number" and value.number_format not in ("0",)
    )


def _demote_data_rows_from_header(table: Table, hints: ColumnHints) -> None:
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
                body.setdefault(cell.col, []).append(_is_amount(cell.text, hints))
        numeric_cols = {col for col, flags in body.items() if sum(flags) * 2 > len(flags)}
        row = [c for c in table.cells if c.row == last and c.rowspan == 1]
        amounts = [c for c in row if c.col in numeric_cols and _is_amount(c.text, hints)]
        matches = len(amounts)
        lone = len(numeric_cols) == 1 and matches == 1 and _looks_like_money(amounts[0].text, hints)
        if not lone and (matches < 2 or matches * 2 < len(numeric_cols)):
            return
        table.n_header_rows = last
        for cell in row:
            cell.header = False


def _stray_amount(text: str, hints: ColumnHints | None) -> TypedValue | None:
    """A header cell holding an amount as its column's body writes them ("€314.53", "622.11" over a column
    of amounts with cents), typed as one: a data row the header took in (a garbled heading beside it kept
    the row from being returned to the body). Headings are words, years or periods, never amounts with the
    column's cents; None for anything else."""
    if hints is None or not hints.decimals or hints.decimals < 2:
        return None
    num = _parse_number(_normalise(text), hints)
    if num is None or num.decimals != hints.decimals or num.percent:
        return None
    return parse_value(text, hints)


def type_table(table: Table, langs: Sequence[str] = ("eng",)) -> None:
    """Fill every ``cell.value``; header rows stay text, each column is read with one convention.

    ``langs``: the document's languages (main first), priors for each column's conventions. Then the table
    checks its own totals (:func:`check_totals`): sums become formulas, misfits are flagged.
    """
    locale = locale_for(langs)
    decimal: Decimal_ = "," if locale.decimal == "," else "."
    prior = ColumnHints(decimal=decimal, space_groups=locale.space_groups, langs=locale.langs)
    _demote_data_rows_from_header(table, prior)
    header_rows = table.n_header_rows
    columns: dict[int, list[str]] = {}
    headers: dict[int, list[str]] = {}
    for cell in table.cells:
        if cell.header or cell.row < header_rows:
            for c in range(cell.col, cell.col + max(cell.colspan, 1)):
                headers.setdefault(c, []).append(cell.text)
        else:
            columns.setdefault(cell.col, []).append(cell.text)
    heads = {col: " ".join(headers.get(col, [])) for col in columns}
    hints = {col: infer_hints(texts, heads[col], langs) for col, texts in columns.items()}
    # a blurred page turns commas into points in every column at once: where one column proves it, the
    # others need less evidence of their own
    marks = {h.decimal for h in hints.values() if h.three_place_groups}
    if len(marks) == 1:
        mark = marks.pop()
        hints = {
            col: h if h.three_place_groups else infer_hints(columns[col], heads[col], langs, mark)
            for col, h in hints.items()
        }
    if _table_prints_unicode_minus([t for texts in columns.values() for t in texts]):
        hints = {col: replace(h, unicode_minus=True) for col, h in hints.items()}
    for cell in table.cells:
        if cell.header or cell.row < header_rows:
            stripped = cell.text.strip()
            amount = _stray_amount(stripped, hints.get(cell.col)) if cell.colspan <= 1 else None
            cell.value = amount or (TypedValue("text", stripped) if stripped else TypedValue("empty", None))
        else:
            cell.value = parse_value(cell.text, hints.get(cell.col))
    check_totals(table)
