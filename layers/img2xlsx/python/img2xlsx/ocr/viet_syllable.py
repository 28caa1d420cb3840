"""Whether a word is a well-formed Vietnamese syllable: a spelling rule, not a word list.

Vietnamese writes one syllable per word: an optional initial consonant, a vowel nucleus (with its glide),
an optional final, and at most one tone mark. Misreads of it are rarely well-formed ("Lưdng", "phưang",
"Bidn", "Nẵing"), so between two readings of a word the hybrid reader (``hybrid.py``) can prefer the
well-formed one without knowing any word. Every Vietnamese word of the langtrain split's ground truth passes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng (combining)
_STOP_TONES = frozenset("\u0301\u0323")  # the only tones a syllable ending in c, ch, p, t takes
_INITIAL = "ngh|ng|gh|gi|kh|ch|nh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_FINAL = "ch|ng|nh|[cmnptiyou]"
_OPEN = ("ưa", "ia", "ua", "uya")  # nuclei that end the syllable (mưa, mía, mua, khuya)
_CLOSED = ("ă", "â", "iê", "yê", "uô", "ươ", "uyê", "uâ", "oă")  # nuclei that need a final (ăn, tiền)
_ANY = ("a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy", "uơ", "ue", "oo")


def _alt(parts: tuple[str, ...]) -> str:
    return "|".join(sorted(parts, key=len, reverse=True))


_SYLLABLE = re.compile(
    rf"^(?:{_INITIAL})?(?:(?:{_alt(_OPEN)})|(?:{_alt(_CLOSED)})(?:{_FINAL})|(?:{_alt(_ANY)})(?:{_FINAL})?)$"
)


@lru_cache(maxsize=4096)
def valid_syllable(word: str) -> bool:
    """``word`` (letters only, any case) spells a Vietnamese syllable: ``Thơ``, ``nghiêng``, ``khuỷu`` do;
    ``Lưdng`` (no such final), ``phưang`` (``ưa`` takes no final), ``Hảl`` and a second tone mark do not,
    nor a stop final under a tone other than sắc or nặng (``hàt``)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [ch for ch in decomposed if ch in _TONES]
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    if len(tones) > 1 or not _SYLLABLE.match(base):
        return False
    return not (tones and base.endswith(("c", "ch", "p", "t")) and tones[0] not in _STOP_TONES)
