"""The reader's words as table detection wants them: OCR noise dropped, phrases split into words."""

from __future__ import annotations

import re
from collections.abc import Iterable

from img2xlsx.ocr import Word

# An ASCII letter or digit, $ £ %, or any character from U+00C0 to U+FFFF (accented letters, other scripts,
# €). Written as a negated class: the plain range [\u00C0-\uFFFF] takes re 20-50 ms to compile (it builds
# a 64K-entry charset), paid by every fresh process on import; this matches exactly the same characters.
_ALNUM = re.compile(r"[0-9A-Za-z$£%]|[^\x00-\xBF\U00010000-\U0010FFFF]")


def keep(word: Word) -> bool:
    """Drop OCR noise: rule fragments and speckles read as punctuation."""
    text = word.text.strip()
    if not text:
        return False
    if _ALNUM.search(text):
        return word.conf >= 0.1 or len(text) >= 3
    return word.conf >= 0.5 and len(text) <= 3 and text not in {"|", "||", "_", "__", "~"}


def split_word(word: Word) -> list[Word]:
    """A "word" holding spaces (OCR models sometimes return a whole phrase): one box per word, widths in
    proportion to the characters."""
    parts = word.text.split()
    if len(parts) <= 1:
        return [word]
    x0, y0, x1, y1 = word.bbox
    total = len(word.text)
    out: list[Word] = []
    pos = 0
    for part in parts:
        start = word.text.index(part, pos)
        end = start + len(part)
        pos = end
        a = x0 + (x1 - x0) * start / total
        b = x0 + (x1 - x0) * end / total
        out.append(Word(part, word.conf, (int(a), y0, max(int(a) + 1, int(b)), y1), word.line_id))
    return out


def usable(words: Iterable[Word]) -> list[Word]:
    """The words worth placing, one box per word."""
    return [s for w in words if keep(w) for s in split_word(w)]


def new_word(text: str, conf: float, bbox: tuple[int, int, int, int]) -> Word:
    """A word found outside the page pass (no text line of its own)."""
    return Word(text, conf, bbox, (-1,))


def confidence(words: list[Word]) -> float:
    """Character-weighted mean confidence of ``words`` (0 without characters)."""
    chars = sum(len(w.text) for w in words)
    return sum(w.conf * len(w.text) for w in words) / chars if chars else 0.0
