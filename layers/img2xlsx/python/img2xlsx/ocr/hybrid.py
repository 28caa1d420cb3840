"""PP-OCR's lines with Tesseract's letters: the reader for languages whose letters PP-OCR's alphabet lacks.

PP-OCR finds and reads text lines better than Tesseract on degraded pictures (its word boxes make the table
structure), but its bundled alphabet has none of Vietnamese's stacked tone marks (``ộ ế ẫ ạ ỉ ...``). This
reader keeps PP-OCR's lines, words and boxes, and has Tesseract, in the language, read each line again; the
two readings are aligned on their base letters (accents stripped) and wherever the bases agree, Tesseract's
letter — accents included — replaces PP-OCR's; letters PP-OCR could not write and dropped are put back.
Where the bases disagree PP-OCR's letter stays: it read the line's base letters better, only its marks are
doubtful. Lines without a letter (numbers) are not read twice. On the 20 Vietnamese pictures of the lang
split: TEDS 0.763, cell text 0.801 (PP-OCR alone 0.739 / 0.763, Tesseract alone 0.711 / 0.730), for 13 %
more CPU than PP-OCR alone. Putting dropped letters where they were printed, marked vowels PP-OCR misread
and ill-formed syllables (``viet_syllable.py``) right: Vietnamese TEDS langtrain .879 -> .897, lang .817 ->
.823.

French and Spanish pages get the same reader with a lighter merge (:func:`add_lost_marks`): PP-OCR has their
letters but loses some marks ("Loic", "Maria" for "Loïc", "María"), which Tesseract keeps.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from .ppocr import PpocrReader
from .ppocr_alphabet import own_letters
from .ppocr_decode import Char, Line
from .tesseract import TesseractReader
from .viet_syllable import valid_syllable
from .words import BBox

MAX_RUN = 2  # longest run of letters PP-OCR could not write that Tesseract's reading puts in

_FOLD_EXTRA = {"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "\u0131": "i"}


def fold(ch: str) -> str:
    """``ch`` without its marks, lower-cased, one character for one (``ộ`` -> ``o``, ``Đ`` -> ``d``)."""
    ch = _FOLD_EXTRA.get(ch, ch)
    base = unicodedata.normalize("NFD", ch)[:1] or ch
    return base.lower()


def _marked(letters: str) -> bool:
    """Whether one of ``letters`` carries a mark (``ă``, ``ồ``, ``đ``): PP-OCR drops these when unsure."""
    return any(fold(ch) != ch.lower() for ch in letters)


def _near_mark(out: Sequence[Char], i0: int, i1: int) -> bool:
    """Whether the letter just before ``out[i0]`` or just after ``out[i1 - 1]`` carries a mark."""
    left = out[i0 - 1][0] if i0 > 0 else " "
    right = out[i1][0] if i1 < len(out) else " "
    return any(ch.isalpha() and _marked(ch) for ch in (left, right))


def _take(mine: str, theirs: str, tag: str, alphabet: frozenset[str], near_mark: bool) -> bool:
    """Whether Tesseract's short run ``theirs`` replaces PP-OCR's ``mine`` (both at most ``MAX_RUN`` long,
    neither holding a space; see :func:`merge_marks`)."""
    if len(mine) > MAX_RUN or len(theirs) > MAX_RUN or " " in mine:
        return False
    if not theirs:  # a letter of PP-OCR's Tesseract does not see, next to a marked one ("Thịj")
        return tag == "delete" and len(mine) == 1 and mine.islower() and not _marked(mine) and near_mark
    if not theirs.isalpha():
        return False
    if any(t not in alphabet for t in theirs):
        return True
    if _marked(theirs):  # PP-OCR reads a marked vowel as another letter ("Tha" for "Thơ", "Lưdng")
        return tag == "insert" or mine.isalpha()
    # an unmarked letter PP-OCR dropped next to a marked one ("Hữ" for "Hữu")
    return tag == "insert" and len(theirs) == 1 and theirs.islower() and near_mark


Opcode = tuple[str, int, int, int, int]


def _folded_ops(chars: Sequence[Char], tess_text: str) -> Sequence[Opcode]:
    """PP-OCR's characters and Tesseract's text aligned on their folded letters (one character for one, so
    the opcodes' indices are text indices)."""
    mine = "".join(c[0] for c in chars)
    return difflib.SequenceMatcher(None, _folded(mine), _folded(tess_text), autojunk=False).get_opcodes()


def _same_letters(ops: Sequence[Opcode]) -> Iterator[tuple[int, int]]:
    """(PP-OCR index, Tesseract index) of each pair of characters whose folded letters agree."""
    for tag, i0, i1, j0, _j1 in ops:
        if tag == "equal":
            for k in range(i1 - i0):
                yield i0 + k, j0 + k


def merge_marks(chars: Sequence[Char], tess_text: str, alphabet: frozenset[str]) -> list[Char]:
    """PP-OCR's characters of one line with Tesseract's reading ``tess_text`` of it merged in.

    The two are aligned on their folded letters (one character for one, so alignment indices are text
    indices). Where the bases agree, Tesseract's letter replaces PP-OCR's (on the langtrain split this beat
    replacing only letters PP-OCR cannot write: TEDS .764 against .759, cell text .839 against .831); PP-OCR's
    case stays but for a letter it could not write inside a word (it wrote another letter there: "NU" for
    "Nữ"). Where the bases differ over a short run (``_take``), Tesseract's letters replace PP-OCR's, or go
    between them, when they hold a letter PP-OCR could not write (``ỗ`` it dropped, ``ỳ`` read ``j``) or a
    marked letter: PP-OCR drops a letter it is unsure of (below ``ppocr_decode.MIN_CONF``), as it does the
    ``ă`` of "năm" ("nm"), and reads a marked vowel as another letter ("Tha" for "Thơ"). Next to a marked
    letter, where the two readings disagree most, a single unmarked letter Tesseract alone sees goes in
    ("Hữ" -> "Hữu") and one PP-OCR alone sees goes out ("Thịj" -> "Thị"). Everything else, spaces included,
    stays PP-OCR's: its boxes are kept, so inserted letters get the x of the gap they fill."""
    out = list(chars)
    if not tess_text or not out:
        return out
    ops = _folded_ops(out, tess_text)
    for i, j in _same_letters(ops):
        p, t = out[i][0], tess_text[j]
        if p != t and p.isalpha() and t.isalpha():
            inside = i > 0 and out[i - 1][0].isalpha()
            if not (t not in alphabet and t.islower() and inside):
                t = t.upper() if p.isupper() else t.lower()  # PP-OCR's case stays
            out[i] = (t, *out[i][1:])
    edits: list[tuple[int, int, str]] = []  # (i0, i1, letters): PP-OCR chars i0:i1 become these letters
    for tag, i0, i1, j0, j1 in ops:
        mine = "".join(c[0] for c in out[i0:i1])
        if tag != "equal" and _take(mine, tess_text[j0:j1], tag, alphabet, _near_mark(out, i0, i1)):
            edits.append((i0, i1, tess_text[j0:j1]))
    for i0, i1, theirs in reversed(edits):
        if not theirs:
            del out[i0:i1]
            continue
        if i1 > i0:
            x0, x1 = out[i0][2], out[i1 - 1][3]
            prob = min(c[1] for c in out[i0:i1])
        else:  # an insert: the blank steps between its neighbours, where the dropped letters were printed
            left = out[i0 - 1] if i0 > 0 else out[0]
            x0 = left[3] if i0 > 0 else left[2]
            x1 = max(x0, out[i0][2]) if 0 < i0 < len(out) else x0
            prob = left[1]
        out[i0:i1] = _spread(theirs, prob, x0, x1)
    return out


# The marks PP-OCR reads as no mark at all on a page whose letters have them: any mark over an "i" (taken
# for its dot: "Loic", "Nimes", "Maria" for "Loïc", "Nîmes", "María"; the recogniser gives "ï" 0.01 there)
# and the small ones, diaeresis, circumflex and tilde, over another letter ("Noel"). Tesseract reads them,
# but adds acute and grave accents over other letters PP-OCR rightly left out ("dérnière", "attènte") about
# as often as it adds a right one.
_LOST_MARKS = frozenset("\u0302\u0308\u0303")


def _lost_mark(bare: str, marked: str) -> bool:
    """Whether ``marked`` is ``bare`` with one mark PP-OCR loses (see :data:`_LOST_MARKS`)."""
    marks = unicodedata.normalize("NFD", marked)[1:]
    return len(marks) == 1 and (bare == "i" or marks in _LOST_MARKS)


# Where a mark PP-OCR loses mostly is: over a bare "i" or the second of two vowels (where French puts a
# diaeresis: "Noël", "naïf"). Only such lines are read again: on the langtrain split's French pages half
# their letter lines, all the words made right.
_MAY_LOSE = re.compile(r"i|[aeiouyAEIOUY][aeiouy]")


def add_lost_marks(chars: Sequence[Char], tess_text: str, letters: str) -> list[Char]:
    """PP-OCR's characters of one line with the :data:`_LOST_MARKS` Tesseract's reading ``tess_text`` puts
    over a lower-case letter PP-OCR read bare (aligned on folded letters, as in :func:`merge_marks`): that
    letter becomes Tesseract's, when it is one of ``letters`` (the page's languages' own, lower case: a
    French page's "ï", not "ä"). Nothing else changes.
    On the langtrain split's lines: French 25 words right by an "ï" or "î", 4 by an "ë"; Spanish 8 by an "í",
    2 by an "ñ"; none wrong."""
    out = list(chars)
    if not tess_text or not out:
        return out
    for i, j in _same_letters(_folded_ops(out, tess_text)):
        p, t = out[i][0], tess_text[j].lower()
        if p.isascii() and p.islower() and t in letters and _lost_mark(p, t):
            out[i] = (t, *out[i][1:])
    return out


def _spread(letters: str, prob: float, x0: float, x1: float) -> list[Char]:
    """``letters`` as characters sharing x0..x1 evenly, each with ``prob``."""
    step = (x1 - x0) / len(letters)
    return [(ch, prob, x0 + k * step, x0 + (k + 1) * step) for k, ch in enumerate(letters)]


def _word_spans(chars: Sequence[Char]) -> list[tuple[int, int]]:
    """The (start, end) indices of each run of non-space characters."""
    spans: list[tuple[int, int]] = []
    start = None
    for i, ch in enumerate([*chars, (" ", 0.0, 0.0, 0.0)]):
        if ch[0] != " " and start is None:
            start = i
        elif ch[0] == " " and start is not None:
            spans.append((start, i))
            start = None
    return spans


def _folded(word: str) -> str:
    return "".join(fold(ch) for ch in word)


def prefer_valid_words(chars: Sequence[Char], tess_text: str, valid: Callable[[str], bool]) -> list[Char]:
    """``chars`` (a merged line) with each word that is not ``valid`` replaced by Tesseract's reading of it
    where that one is: words are paired in order by their folded spellings, a pair must be letters only
    and alike (half their folded letters shared); the word keeps its first letter's case and its span, its
    letters spread evenly over it. On the langtrain split's Vietnamese lines: "Bidn" -> "Biên", "Hảl" ->
    "Hải"."""
    out = list(chars)
    spans = _word_spans(out)
    mine = ["".join(c[0] for c in out[i0:i1]) for i0, i1 in spans]
    theirs = tess_text.split()
    matcher = difflib.SequenceMatcher(None, [_folded(w) for w in mine], [_folded(w) for w in theirs], False)
    edits: list[tuple[int, int, str]] = []
    for tag, i0, i1, j0, j1 in matcher.get_opcodes():
        if tag != "replace" or i1 - i0 != j1 - j0:
            continue
        for (s0, s1), m, t in zip(spans[i0:i1], mine[i0:i1], theirs[j0:j1], strict=True):
            if not (m.isalpha() and t.isalpha()) or valid(m) or not valid(t):
                continue
            if difflib.SequenceMatcher(None, _folded(m), _folded(t), False).ratio() < 0.5:
                continue
            edits.append((s0, s1, (t[0].upper() if m[0].isupper() else t[0].lower()) + t[1:]))
    for s0, s1, t in reversed(edits):
        x0, x1 = out[s0][2], out[s1 - 1][3]
        out[s0:s1] = _spread(t, min(c[1] for c in out[s0:s1]), x0, x1)
    return out


class HybridReader(PpocrReader):
    """PP-OCR (detection, recognition, words: all inherited) whose recognised lines get their letters' marks
    from Tesseract reading the same line in ``langs`` (see the module docstring)."""

    name = "ppocr+tesseract"

    def __init__(self, langs: Sequence[str]) -> None:
        super().__init__(langs)
        self.tesseract = TesseractReader(self.langs)
        self._abc: frozenset[str] | None = None
        self._letters = own_letters(self.langs)

    def recognize(self, gray: np.ndarray, boxes: Sequence[BBox]) -> list[Line]:
        """PP-OCR's lines of ``boxes``, each letter line merged with Tesseract's reading of its box."""
        if self._abc is None:
            self._abc = self.alphabet()
        out: list[Line] = []
        for line in super().recognize(gray, boxes):
            if not any(c.isalpha() for c in line.text):  # numbers: nothing to mark
                out.append(line)
                continue
            if "vie" not in self.langs and not _MAY_LOSE.search(line.text):
                out.append(line)
                continue
            text, _ = self.tesseract.read_region(gray, line.box, single_line=True)
            tess_text = " ".join(text.split())
            if "vie" in self.langs:
                chars = merge_marks(line.chars, tess_text, self._abc)
                chars = prefer_valid_words(chars, tess_text, valid_syllable)
            else:  # a language PP-OCR has the letters of: only the marks it loses
                chars = add_lost_marks(line.chars, tess_text, self._letters)
            joined = "".join(c[0] for c in chars)
            out.append(Line(line.box, " ".join(joined.split()), line.conf, chars))
        return out
