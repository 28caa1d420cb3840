"""The letter prior of PP-OCR's decode (ppocr_alphabet.letter_prior / with_prior): on a page in a language
with its own letters, a marked letter of no language of the page only wins a step when the recogniser is
sure of it."""

from __future__ import annotations

import numpy as np
from img2xlsx.ocr.ppocr_alphabet import FOREIGN_MARK_ODDS, letter_prior, with_prior

FRENCH = [c for c in "àâæçéèêëîïôœùûüÿ" if c not in "ëâ"]
CLASSES = ["", "N", "o", "l", "e", "ë", "ē", "á", "â", "ñ", "n", "Ø", "0", *FRENCH]


def _step(probs: dict[str, float]) -> np.ndarray:
    """One time step's probabilities over CLASSES plus one shadow class holding the rest."""
    row = np.zeros(len(CLASSES) + 1, np.float32)
    for ch, p in probs.items():
        row[CLASSES.index(ch)] = p
    row[-1] = 1.0 - row.sum()
    return row


def _best(langs: tuple[str, ...], *steps: dict[str, float]) -> list[str]:
    preds = np.stack([_step(s) for s in steps])[None]
    allowed = np.arange(len(CLASSES))
    sub = with_prior(preds, allowed, letter_prior(CLASSES, langs))
    return [CLASSES[int(k)] for k in sub[0].argmax(axis=1)]


def test_a_foreign_mark_read_unsure_becomes_the_languages_letter() -> None:
    # "Noēl" (ē .92, ë .07) and "Chálons" (á .67, â .26): the recogniser's readings of a French page
    assert _best(("fra",), {"ē": 0.92, "ë": 0.07}, {"á": 0.67, "â": 0.26}) == ["ë", "â"]


def test_a_clearly_printed_foreign_letter_stays() -> None:
    assert _best(("fra",), {"ñ": 0.97, "n": 0.02}) == ["ñ"]


def test_english_pages_and_unmarked_signs_get_no_prior() -> None:
    assert letter_prior(CLASSES, ("eng",)) is None
    assert _best(("eng",), {"ē": 0.92, "ë": 0.07}) == ["ē"]
    prior = letter_prior(CLASSES, ("fra",))
    assert prior is not None
    weights = dict(zip(CLASSES, prior.tolist(), strict=True))
    assert weights["Ø"] == weights["ë"] == weights["â"] == 1.0  # a diameter sign, French letters
    assert weights["ē"] == weights["á"] == weights["ñ"] == np.float32(FOREIGN_MARK_ODDS)


def test_no_prior_where_the_recogniser_lacks_the_languages_letters() -> None:
    # Vietnamese: PP-OCR has not its stacked marks; the hybrid reader reads its wrong marks as clues
    assert letter_prior(CLASSES, ("vie",)) is None
    assert letter_prior(CLASSES, ("fra",)) is not None


def test_a_step_without_foreign_letters_keeps_its_probabilities() -> None:
    preds = np.stack([_step({"e": 0.8, "ë": 0.1})])[None]
    allowed = np.arange(len(CLASSES))
    sub = with_prior(preds, allowed, letter_prior(CLASSES, ("fra",)))
    assert np.allclose(sub, preds[:, :, allowed])
