"""Which text reader runs: ``$IMG2XLSX_OCR`` or the caller's choice, one cached reader per (name, langs).

A backend reads only the languages it has the letters for (:data:`COVERS`). PP-OCR's bundled recogniser
holds every letter of the Latin-script languages a user can pick but Vietnamese's stacked tone marks: for
Vietnamese (:data:`ASSISTED`) PP-OCR reads the lines and Tesseract the letters (:mod:`.hybrid`). Anything else
a backend does not cover is read by Tesseract: its Debian language packages cover every language a user can
pick (:data:`img2xlsx.languages.LANGUAGES`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence

from .reader import TextReader

OCR_ENV = "IMG2XLSX_OCR"
BACKENDS = ("tesseract", "ppocr")
DEFAULT_BACKEND = "ppocr"  # the learned reader: page word recall 0.96 against Tesseract's 0.83 (README)
FALLBACK_BACKEND = "tesseract"
HYBRID = "ppocr+tesseract"  # PP-OCR lines, Tesseract letters (ocr/hybrid.py); not a choice users make
# The languages each backend reads (Tesseract-style codes); a backend missing here covers nothing but English.
# Tesseract: every language with a Debian tesseract-ocr-<code> package (installed data is checked when the
# reader starts). PP-OCR: what the recogniser in the rapidocr wheel has the letters of (ppocr.LETTERS; other
# models would need downloads, which the Lambda cannot make). On the generated lang split it beats Tesseract
# in each language measured (TEDS deu .793/.713, fra .823/.724, spa .877/.791); ita/por/nld have no
# generated pictures yet, their letters are all in its alphabet.
COVERS: dict[str, frozenset[str]] = {
    "tesseract": frozenset({"eng", "deu", "fra", "spa", "ita", "por", "nld", "vie", "osd"}),
    "ppocr": frozenset({"eng", "chi_sim", "deu", "fra", "spa", "ita", "por", "nld"}),
}
# Languages whose lines PP-OCR finds and reads but whose letters its alphabet lacks (Vietnamese's stacked
# marks): asked for PP-OCR, they get the hybrid reader, Tesseract supplying the letters. French and Spanish
# are not assisted so: PP-OCR has their letters; the full merge on the langtrain split's 40 French and Spanish
# pictures gained only TEDS .8755 -> .8760, cell text .8795 -> .8803 (Tesseract's wrong accents cost as much
# as its right ones gave). They get the lighter merge of LOST_MARKS below.
ASSISTED: dict[str, frozenset[str]] = {"ppocr": frozenset({"vie"})}
# Languages PP-OCR reads itself but whose marks over an "i" and diaeresis, circumflex and tilde it loses
# ("Loic", "Nimes", "Maria" for "Loïc", "Nîmes", "María"): asked for PP-OCR, they get the hybrid reader
# taking only those marks from Tesseract (hybrid.add_lost_marks). On the langtrain split: French 29 words
# made right, Spanish 10, none wrong (Tesseract's other acute and grave accents, also taken, got as many
# wrong as right). Not German (Tesseract's umlauts there: 1 right, 2 wrong); Italian and Dutch have no
# generated pictures to measure them on.
LOST_MARKS: dict[str, frozenset[str]] = {"ppocr": frozenset({"fra", "spa"})}

log = logging.getLogger(__name__)
_lock = threading.Lock()
_readers: dict[tuple[str, tuple[str, ...]], TextReader] = {}


def covers(name: str, langs: Sequence[str]) -> bool:
    """Whether backend ``name`` has models for every language of ``langs``."""
    return set(langs) <= COVERS.get(name, frozenset({"eng"}))


def backend_for(name: str | None, langs: Sequence[str]) -> str:
    """The backend that will read ``langs`` when ``name`` (None: ``$IMG2XLSX_OCR``, else the default) is
    asked for: ``name`` itself when it covers them (the hybrid for :data:`LOST_MARKS`' languages); PP-OCR
    with Tesseract's letters (:data:`HYBRID`) when PP-OCR was asked for and only languages it is assisted
    in are missing; else Tesseract. Unknown name → ValueError."""
    chosen = (name or os.environ.get(OCR_ENV, "").strip() or DEFAULT_BACKEND).lower()
    if chosen not in BACKENDS:
        raise ValueError(f"unknown OCR backend {chosen!r}: choose one of {', '.join(BACKENDS)}")
    if covers(chosen, langs):
        return HYBRID if set(langs) & LOST_MARKS.get(chosen, frozenset()) else chosen
    if (
        chosen == "ppocr"
        and set(langs) <= COVERS["ppocr"] | ASSISTED["ppocr"]
        and covers(FALLBACK_BACKEND, langs)
    ):
        return HYBRID
    log.info("OCR backend %s does not read %s: %s reads instead", chosen, "+".join(langs), FALLBACK_BACKEND)
    return FALLBACK_BACKEND


def get_reader(name: str | None = None, langs: Sequence[str] = ("eng",)) -> TextReader:
    """The reader called ``name`` (None: ``$IMG2XLSX_OCR``, else the default) for ``langs``; the hybrid or
    Tesseract when that backend does not cover ``langs`` (see :func:`backend_for`).

    Backends are imported here, on first use, so importing the engine does not load an OCR library. A
    Tesseract without the data of one of ``langs`` raises :class:`~img2xlsx.ocr.words.OcrUnavailableError`
    naming the missing language and its package.
    """
    wanted = tuple(langs) or ("eng",)
    chosen = backend_for(name, wanted)
    key = (chosen, wanted)
    with _lock:
        reader = _readers.get(key)
        if reader is None:
            reader = _readers[key] = _make(chosen, key[1])
        return reader


def _make(name: str, langs: tuple[str, ...]) -> TextReader:
    if name == HYBRID:
        from .hybrid import HybridReader  # heavy: both of the below

        return HybridReader(langs)
    if name == "ppocr":
        from .ppocr import PpocrReader  # heavy: onnxruntime (models load on the first read)

        return PpocrReader(langs)
    from .tesseract import TesseractReader  # heavy: libtesseract

    return TesseractReader(langs)
