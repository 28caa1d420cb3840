"""The languages a user can pick, and their one spelling everywhere (CLI, API, SPA, job records, the OCR).

Codes are Tesseract's (ISO 639-2/T): ``eng``, ``deu``, ... A choice is one or more codes; the first is the
document's main language (it sets the number and date priors in :mod:`img2xlsx.values`), the others are read
too. This module imports nothing heavy: the API function validates requests with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LANGUAGES: dict[str, str] = {
    "eng": "English",
    "deu": "Deutsch",
    "fra": "Français",
    "spa": "Español",
    "ita": "Italiano",
    "por": "Português",
    "nld": "Nederlands",
    "vie": "Tiếng Việt",
}
DEFAULT_LANGS: tuple[str, ...] = ("eng",)
MAX_LANGS = 3  # each extra language slows Tesseract down; three covers every bilingual table seen
_SPLIT = re.compile(r"[+,\s]+")


class LanguageError(ValueError):
    """A language choice names a language the engine does not read (the message says which ones it does)."""


def parse_langs(choice: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"deu+eng"``, ``"deu, eng"`` or ``["deu", "eng"]`` → ``("deu", "eng")``; None or empty → English.

    Case-insensitive; repeats are dropped keeping the first position; unknown codes raise
    :class:`LanguageError` naming the supported ones.
    """
    if choice is None:
        return DEFAULT_LANGS
    parts = [choice] if isinstance(choice, str) else list(choice)
    codes: list[str] = []
    for part in parts:
        if not isinstance(part, str):
            raise LanguageError("a language must be a code such as 'deu'")
        for code in _SPLIT.split(part.strip().lower()):
            if not code:
                continue
            if code not in LANGUAGES:
                shown = code if len(code) <= 20 else code[:20] + "…"
                raise LanguageError(f"unsupported language {shown!r}: choose from {', '.join(LANGUAGES)}")
            if code not in codes:
                codes.append(code)
    if len(codes) > MAX_LANGS:
        raise LanguageError(f"at most {MAX_LANGS} languages at once (got {len(codes)})")
    return tuple(codes) or DEFAULT_LANGS


def langs_text(langs: Iterable[str]) -> str:
    """The one-string spelling stored on jobs and passed to Tesseract: ``"deu+eng"``."""
    return "+".join(langs) or DEFAULT_LANGS[0]
