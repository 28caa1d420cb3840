"""What a document's language says about how its numbers and dates are written: priors, not rules.

The language only tips the balance where a column leaves it open — ``1.234`` alone in a German column is
1234, in an English one 1.234 — and names the months and weekdays dates are written with. The column's own
cells still decide first (:func:`img2xlsx.values.columns.infer_hints`): a ``1,234.56`` column in a German
document is read the English way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from img2xlsx.languages import DEFAULT_LANGS

# Month names (full first, then abbreviations) by language; matched accent- and case-insensitively, with or
# without a trailing full stop, so "März", "Marz", "févr." and "fevr" all work.
_MONTHS: dict[str, list[tuple[str, ...]]] = {
    "eng": [
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
        ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
        ("october", "oct"), ("november", "nov"), ("december", "dec"),
    ],
    "deu": [
        ("januar", "jan", "jänner", "jän"), ("februar", "feb"), ("märz", "mär", "mrz"), ("april", "apr"),
        ("mai",), ("juni", "jun"), ("juli", "jul"), ("august", "aug"), ("september", "sep", "sept"),
        ("oktober", "okt"), ("november", "nov"), ("dezember", "dez"),
    ],
    "fra": [
        ("janvier", "janv", "jan"), ("février", "févr", "fév"), ("mars", "mar"), ("avril", "avr"),
        ("mai",), ("juin",), ("juillet", "juil"), ("août",), ("septembre", "sept", "sep"),
        ("octobre", "oct"), ("novembre", "nov"), ("décembre", "déc"),
    ],
    "spa": [
        ("enero", "ene"), ("febrero", "feb"), ("marzo", "mar"), ("abril", "abr"), ("mayo", "may"),
        ("junio", "jun"), ("julio", "jul"), ("agosto", "ago"),
        ("septiembre", "setiembre", "sept", "sep", "set"), ("octubre", "oct"),
        ("noviembre", "nov"), ("diciembre", "dic"),
    ],
    "ita": [
        ("gennaio", "gen"), ("febbraio", "feb"), ("marzo", "mar"), ("aprile", "apr"), ("maggio", "mag"),
        ("giugno", "giu"), ("luglio", "lug"), ("agosto", "ago"), ("settembre", "set"), ("ottobre", "ott"),
        ("novembre", "nov"), ("dicembre", "dic"),
    ],
    "por": [
        ("janeiro", "jan"), ("fevereiro", "fev"), ("março", "mar"), ("abril", "abr"), ("maio", "mai"),
        ("junho", "jun"), ("julho", "jul"), ("agosto", "ago"), ("setembro", "set"), ("outubro", "out"),
        ("novembro", "nov"), ("dezembro", "dez"),
    ],
    "nld": [
        ("januari", "jan"), ("februari", "feb"), ("maart", "mrt", "mar"), ("april", "apr"), ("mei",),
        ("juni", "jun"), ("juli", "jul"), ("augustus", "aug"), ("september", "sep", "sept"),
        ("oktober", "okt"), ("november", "nov"), ("december", "dec"),
    ],
    # Vietnamese months are numbered ("tháng 3", abbreviated "Th3" / "T3"): see dates._vietnamese
    "vie": [(f"th{m}",) for m in range(1, 13)],
}  # fmt: skip
# Weekday names that may prefix a date ("Montag, 3. März 2024", "lun. 03/03/2024"): dropped before parsing.
_WEEKDAYS: dict[str, tuple[str, ...]] = {
    "eng": (
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    ),
    "deu": (
        "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag",
        "mo", "di", "mi", "do", "fr", "sa", "so",
    ),
    "fra": (
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        "lun", "mar", "mer", "jeu", "ven", "sam", "dim",
    ),
    "spa": (
        "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
        "lun", "mar", "mié", "jue", "vie", "sáb", "dom",
    ),
    "ita": (
        "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
        "lun", "mar", "mer", "gio", "ven", "sab", "dom",
    ),
    "por": (
        "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo",
        "segunda", "terça", "quarta", "quinta", "sexta", "seg", "ter", "qua", "qui", "sex", "sáb", "dom",
    ),
    "nld": (
        "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
        "ma", "di", "wo", "do", "vr", "za", "zo",
    ),
    "vie": (
        "thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật",
        "t2", "t3", "t4", "t5", "t6", "t7", "cn",
    ),
}  # fmt: skip
# Excel locale ids: a date format with month names shows them in the picture's language ([$-407] = German)
_LCID = {"deu": "407", "fra": "40C", "spa": "C0A", "ita": "410", "por": "816", "nld": "413", "vie": "42A"}
# Languages writing 1.234,56 (or 1 234,56): every supported one but English
_COMMA_DECIMAL = frozenset({"deu", "fra", "spa", "ita", "por", "nld", "vie"})


def fold(word: str) -> str:
    """Lower case, no accents, no trailing full stop: how month and weekday names are looked up."""
    decomposed = unicodedata.normalize("NFD", word.strip().lower().rstrip("."))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d")


@dataclass(frozen=True)
class Locale:
    """The number and date conventions a document's languages suggest."""

    langs: tuple[str, ...] = DEFAULT_LANGS
    decimal: str = "."  # the prior decimal mark when a column does not prove one
    space_groups: bool = False  # "1 234" is one number when the column agrees (French, German, ...)
    dayfirst: bool | None = None  # 05/03/2024: None = decide per cell (English: month first)
    # folded month name → (month, written in full, language)
    months: dict[str, tuple[int, bool, str]] = field(default_factory=dict)
    weekdays: frozenset[str] = frozenset()  # folded names

    def month(self, name: str) -> tuple[int, bool, str] | None:
        """(month number, written in full, language) of a month name, or None."""
        return self.months.get(fold(name))

    def lcid(self, lang: str) -> str:
        """The ``[$-xxx]`` prefix that makes Excel show month names in ``lang`` ("" for English)."""
        code = _LCID.get(lang)
        return f"[$-{code}]" if code else ""


def _month_table(langs: Iterable[str]) -> dict[str, tuple[int, bool, str]]:
    table: dict[str, tuple[int, bool, str]] = {}
    for lang in langs:
        for month, names in enumerate(_MONTHS.get(lang, []), start=1):
            for i, name in enumerate(names):
                table.setdefault(fold(name), (month, i == 0 and lang != "vie", lang))
    return table


@lru_cache(maxsize=64)
def _locale(langs: tuple[str, ...]) -> Locale:
    main = langs[0]
    named = (*langs, "eng") if "eng" not in langs else langs  # English month names are read everywhere
    comma = main in _COMMA_DECIMAL
    return Locale(
        langs=langs,
        decimal="," if comma else ".",
        space_groups=comma,
        dayfirst=True if comma else None,
        months=_month_table(named),
        weekdays=frozenset(fold(w) for lang in named for w in _WEEKDAYS.get(lang, ())),
    )


def locale_for(langs: Sequence[str] | None = None) -> Locale:
    """The conventions of ``langs`` (the first is the main language); English when None or empty."""
    return _locale(tuple(langs) if langs else DEFAULT_LANGS)
