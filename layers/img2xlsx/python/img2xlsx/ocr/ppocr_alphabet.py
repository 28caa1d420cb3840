"""The characters a PP-OCR reader may emit for its languages, and the recogniser's output classes kept
for them (:mod:`.ppocr` cuts the output layer down to these at load)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FULL_ALPHABET_LANGS = frozenset({"chi_sim"})  # languages read with the model's whole alphabet (CJK included)


# The letters (and signs) each language writes beyond ASCII, lower case: what a reader in it must be able to
# write. PP-OCRv6's alphabet holds all of them but Vietnamese's stacked marks (ộ ế ẫ ạ ỉ: it has the
# single-mark letters only), which the hybrid reader (hybrid.py) gets from Tesseract.
LETTERS: dict[str, str] = {
    "deu": "äöüß\u201e",  # and its low opening quote
    "fra": "àâæçéèêëîïôœùûüÿ«»",
    "spa": "áéíñóúü¿¡",
    "ita": "àèéìíîòóùú",
    "por": "áâãàçéêíóôõú",
    "nld": "áàäéèëêíïóöúüĳ",
    "vie": "àáâãèéêìíòóôõùúýăđĩũơư\u20ab" + "".join(chr(c) for c in range(0x1EA1, 0x1EFA, 2)),  # and ₫
}


def own_letters(langs: Sequence[str]) -> str:
    """The letters (lower case) and signs ``langs`` write beyond ASCII (:data:`LETTERS`), joined."""
    return "".join(LETTERS.get(lang, "") for lang in langs)


def lang_chars(langs: Sequence[str]) -> str:
    """The characters a page in ``langs`` may hold: Latin script (all of Latin-1 and Latin Extended-A, so
    names from other languages keep their letters; the same for every language, since reading German with
    German letters only measured no better), digits, the usual signs, and the languages' own letters."""
    chars = [chr(c) for c in range(0x21, 0x7F)]  # printable ASCII
    chars += [chr(c) for c in range(0xA1, 0x180) if chr(c).isprintable()]  # Latin-1 + Latin Extended-A
    letters = own_letters(langs)
    chars += list(letters + letters.upper())
    # euro, dashes, curly quotes, bullet, ellipsis, per mille, primes, minus, times, divide, plus-minus...
    chars += list(
        "\u20ac\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2030\u2032\u2033\u2212\u00d7\u00f7\u00b1\u00b0\u00b5"
    )
    return "".join(chars)


# How much less likely, a priori, a page is to hold a marked letter its languages do not write (a French
# page's "ē", "á", "ä") than any other character. The alphabet keeps such letters for names from other
# languages, but the recogniser, unsure of a mark's shape, often picks one of them for a letter of the
# page's language: "Noēl" (ē .92, ë .07), "Chálons" (á .67, â .26). Weighting them by these odds (a prior,
# the posterior renormalised) turns such toss-ups into the language's letter and leaves a clearly printed
# foreign letter ("Muñoz": ñ near 1) as it was.
FOREIGN_MARK_ODDS = 0.05


def _foreign_mark(ch: str, own: str) -> bool:
    """``ch`` is a Latin letter with a mark (it decomposes to an ASCII letter and marks) not in ``own``."""
    nfd = unicodedata.normalize("NFD", ch)
    return len(nfd) > 1 and nfd[0].isascii() and nfd[0].isalpha() and ch.lower() not in own


def letter_prior(classes: Sequence[str], langs: Sequence[str]) -> np.ndarray | None:
    """A weight per recogniser class of ``classes``: FOREIGN_MARK_ODDS for marked letters ``langs`` do not
    write, 1 for the rest; None when no language of ``langs`` has its own letters (English pages: no prior,
    a café or Zürich in them is as likely as any word) and when ``classes`` lack some of their letters
    (Vietnamese: the hybrid reader takes PP-OCR's wrong marks there as a sign of a mark it cannot write)."""
    own = own_letters(langs)
    if not own or not {c for c in own if c.isalpha()} <= set(classes):
        return None
    return np.array([FOREIGN_MARK_ODDS if _foreign_mark(c, own) else 1.0 for c in classes], np.float32)


def with_prior(preds: np.ndarray, allowed: np.ndarray, prior: np.ndarray | None) -> np.ndarray:
    """The recogniser's probabilities ``preds`` (batch, steps, classes) of the ``allowed`` classes, under
    ``prior`` (see :func:`letter_prior`; None: as they are): each weighted, then renormalised over all the
    classes (the shadow ones too), so a step where no foreign letter has weight keeps its probabilities."""
    sub = preds[:, :, allowed]
    if prior is None:
        return sub
    weighted = sub * prior
    z = preds.sum(axis=2, keepdims=True) - (sub - weighted).sum(axis=2, keepdims=True)
    return weighted / np.maximum(z, 1e-9)


SHADOW_FILE = "ppocr_shadow.txt"


def shadow_chars() -> frozenset[str]:
    """Characters outside every supported Latin alphabet that still take part in the recogniser's softmax.

    A cut-down output layer normalises its scores over fewer classes, so a smudge the full model would
    give to a CJK sign (and so drop as unsure) would come out as a confident Latin letter. These 1,000
    classes held 95% of the probability the full model gave to unreadable classes on the train split's
    text (bench/ppocr_shadow.py writes the list); with them the cut model reads val pages as the full one
    does but for about one line in 500."""
    path = Path(__file__).with_name(SHADOW_FILE)
    return frozenset(path.read_text(encoding="utf-8").split("\n")) - {""}


def class_columns(charset: Sequence[str], chars: str, shadow: frozenset[str]) -> tuple[list[int], int]:
    """The output columns to keep for a page in ``chars``: the blank, every character of ``chars`` (and
    the space), then the ``shadow`` classes; and how many of them may be read (the blank and ``chars``)."""
    ok = set(chars) | {" "}
    read = [0] + [i for i, c in enumerate(charset) if i and c in ok]
    taken = set(read)
    extra = [i for i, c in enumerate(charset) if i and c in shadow and i not in taken]
    return read + extra, len(read)
