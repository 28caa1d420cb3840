"""Languages and the PP-OCR reader: each language's letters, and Vietnamese read as PP-OCR lines with
Tesseract's marks (the hybrid reader) — on alignments built here and on text rendered in the test."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from img2xlsx.ocr import select
from PIL import Image, ImageDraw, ImageFont

pytest.importorskip("onnxruntime")
ppocr = pytest.importorskip("img2xlsx.ocr.ppocr")
hybrid = pytest.importorskip("img2xlsx.ocr.hybrid")

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def chars(text: str, width: float = 10.0) -> list[tuple[str, float, float, float]]:
    """PP-OCR-style characters of ``text``: one every ``width`` px, probability 0.9."""
    return [(c, 0.9, i * width, (i + 1) * width) for i, c in enumerate(text)]


@functools.cache
def vie_alphabet() -> frozenset[str]:
    """What PP-OCR may write on a Vietnamese page."""
    return ppocr.PpocrReader(("vie",)).alphabet()


def merged(ppocr_text: str, tess_text: str) -> str:
    out = hybrid.merge_marks(chars(ppocr_text), tess_text, vie_alphabet())
    return "".join(c[0] for c in out)


# ------------------------------------------------------------------------------------------ the alphabets


def test_each_language_reads_its_letters_and_names_from_elsewhere() -> None:
    for lang, letters in ppocr.LETTERS.items():
        assert set(letters + letters.upper()) <= set(ppocr._lang_chars((lang,))), lang
    deu = set(ppocr._lang_chars(("deu",)))
    assert set("äöüßÄÖÜ€°²„") <= deu and set("çñłő") <= deu  # a French or Polish name in a German table
    assert set("àâçéèêëîïôœùûÿÉÈÇŒ«»") <= set(ppocr._lang_chars(("fra",)))
    assert set("ñáíóúÑ¿¡") <= set(ppocr._lang_chars(("spa",)))
    assert set("ãõçÃÕ") <= set(ppocr._lang_chars(("por",)))
    vie = set(ppocr._lang_chars(("vie",)))
    assert set("ăâđêôơưĂĐƠƯộếẫỉ₫") <= vie and not set("ộ₫") & set(ppocr._lang_chars(("eng",)))
    assert set(ppocr._lang_chars(("eng",))) < set(ppocr._lang_chars(("vie", "eng")))


def test_the_model_alphabet_bounds_what_a_reader_writes() -> None:
    deu = ppocr.PpocrReader(("deu",)).alphabet()
    assert set("äöüßÄÖÜ€") <= deu and "中" not in deu
    vie = ppocr.PpocrReader(("vie",)).alphabet()
    assert set("ăâđơư") <= vie and not set("ộẫịỏ") & vie  # PP-OCRv6 has no stacked Vietnamese marks


# --------------------------------------------------------------------------------------- which reader


def test_readers_by_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(select.OCR_ENV, raising=False)
    for lang in sorted(select.COVERS["ppocr"] - {"chi_sim"} - select.LOST_MARKS["ppocr"]):
        assert select.backend_for("ppocr", (lang,)) == "ppocr", lang
    assert select.backend_for("ppocr", ("fra",)) == select.HYBRID  # for the marks PP-OCR loses
    assert select.backend_for("ppocr", ("spa",)) == select.HYBRID
    assert select.backend_for("tesseract", ("fra",)) == "tesseract"
    assert select.backend_for("ppocr", ("vie",)) == select.HYBRID == "ppocr+tesseract"
    assert select.backend_for("ppocr", ("vie", "eng")) == select.HYBRID
    assert select.backend_for("ppocr", ("vie", "chi_sim")) == "tesseract"  # Tesseract reads them all
    assert select.backend_for("tesseract", ("vie",)) == "tesseract"  # asked for by name: Tesseract alone
    reader = select.get_reader(None, ("vie",))
    assert isinstance(reader, hybrid.HybridReader) and reader.langs == ("vie",)
    assert reader.name == "ppocr+tesseract" and not reader.misses_isolated_text


# ------------------------------------------------------------------------------------------ merging marks


def test_marks_come_from_tesseract_where_the_letters_agree() -> None:
    assert merged("Pham Quôc Bao", "Phạm Quốc Bảo") == "Phạm Quốc Bảo"
    assert merged("nām 2019", "năm 2019") == "năm 2019"
    assert merged("Ha Noi", "HàNội") == "Hà Nội"  # spaces are PP-OCR's
    assert merged("Lan", "LAN") == "Lan"  # PP-OCR's case stays


def test_pp_ocr_keeps_its_letters_where_the_letters_disagree() -> None:
    assert merged("Kinh doanh", "Klnh doanh") == "Kinh doanh"  # PP-OCR reads base letters better
    assert merged("Kinh 12", "Kinh l2") == "Kinh 12"  # a digit is never replaced
    assert merged("Kinh doanh", "") == "Kinh doanh"


def test_letters_pp_ocr_could_not_write_are_put_in() -> None:
    assert merged("Đ Ngoc Lan", "Đỗ Ngọc Lan") == "Đỗ Ngọc Lan"  # ỗ dropped: inserted
    assert merged("Công ngh", "Công nghệ") == "Công nghệ"  # at the end of the line too
    assert merged("Hujnh", "Huỳnh") == "Huỳnh"  # j for ỳ: replaced
    assert merged("Lan x", "Lan ộộộx") == "Lan x"  # a long run of Tesseract's own is not put in
    assert merged("Lan x", "Lan abx") == "Lan x"  # nor letters PP-OCR could have written itself


def test_a_marked_letter_pp_ocr_dropped_unsure_of_it_is_put_back() -> None:
    # "ă" is in PP-OCR's alphabet, but it drops it below MIN_CONF ("nm"): Tesseract's "ă" fills the gap
    assert merged("21 tháng 3 nm 2022", "21 tháng 3 năm 2022") == "21 tháng 3 năm 2022"
    assert merged("Cn Thơ", "Cần Thơ") == "Cần Thơ"
    assert merged("Lan x", "Lan ax") == "Lan x"  # an unmarked letter of Tesseract's alone stays out
    assert merged("nam 2022", "năm 2022") == "năm 2022"  # (a mark on a letter both read, as before)


def test_inserted_letters_sit_in_the_gap_they_fill() -> None:
    out = hybrid.merge_marks(chars("Đ Ngoc"), "Đỗ Ngọc", vie_alphabet())
    assert [c[0] for c in out] == list("Đỗ Ngọc")
    assert out[1][2] == out[1][3] == out[0][3]  # zero width, right after Đ
    assert [c[2] for c in out] == sorted(c[2] for c in out)  # still left to right


# --------------------------------------------------------------------------------------- rendered text


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans is not installed")
def test_the_hybrid_reads_vietnamese_marks_pp_ocr_alone_cannot() -> None:
    font = ImageFont.truetype(str(FONT), 30)
    img = Image.new("L", (900, 200), 255)
    draw = ImageDraw.Draw(img)
    draw.text((20, 20), "Phạm Quốc Bảo", fill=0, font=font)
    draw.text((480, 20), "Công nghệ", fill=0, font=font)
    draw.text((20, 110), "Nguyễn Thị Mỹ", fill=0, font=font)
    draw.text((480, 110), "Đà Lạt", fill=0, font=font)
    gray = np.asarray(img)
    alone = " ".join(w.text for w in ppocr.PpocrReader(("vie",)).read_page(gray))
    assert not set("ạốảệễịỹ") & set(alone)  # not in its alphabet
    reader = hybrid.HybridReader(("vie",))
    words = reader.read_page(gray)
    text = " ".join(w.text for w in words)
    found = {"Phạm", "Quốc", "Bảo", "nghệ", "Nguyễn", "Thị", "Mỹ", "Lạt"} & set(text.split())
    assert len(found) >= 6, text
    boxes = {w.text: w.bbox for w in words}
    assert "Công" in boxes and boxes["Công"][0] > 400  # PP-OCR's words and boxes
    cell, _ = reader.read_region(gray, (470, 10, 880, 80), single_line=True)
    assert cell in {"Công nghệ", "Công nghê"}, cell


# ------------------------------------------------------------------- marked vowels PP-OCR misreads or drops


def test_a_marked_vowel_pp_ocr_read_as_another_letter_is_tesseracts() -> None:
    assert merged("Càn Tha", "Cần Thơ") == "Cần Thơ"  # ơ read as a
    assert merged("Lưdng", "Lương") == "Lương"  # ơ read as d
    assert merged("Giá hàng", "Giá bàng") == "Giá hàng"  # an unmarked letter of Tesseract's does not


def test_an_unmarked_letter_next_to_a_mark_goes_in_or_out() -> None:
    assert merged("Huỳnh Hữ Phước", "Huỳnh Hữu Phước") == "Huỳnh Hữu Phước"  # PP-OCR dropped the u
    assert merged("Lê Thịj", "Lê Thị") == "Lê Thị"  # and read a j of its own after ị
    assert merged("Lan x", "Lan ax") == "Lan x"  # away from a mark nothing changes
    assert merged("Lan", "Lanh") == "Lan"


def test_a_letter_pp_ocr_could_not_write_takes_tesseracts_case_inside_a_word() -> None:
    assert merged("NU", "Nữ") == "Nữ"  # PP-OCR wrote U for ữ
    assert merged("LAN", "Lan") == "LAN"  # letters it can write keep its case
    assert merged("Ô", "ộ") == "Ộ"  # and so does a word's first letter


def test_inserted_letters_fill_the_blank_before_the_next_character() -> None:
    line = [("S", 0.9, 0.0, 8.0), (" ", 0.9, 20.0, 24.0), ("l", 0.9, 30.0, 34.0)]
    out = hybrid.merge_marks(line, "Số l", vie_alphabet())
    assert [c[0] for c in out] == list("Số l")
    assert out[1][2:] == (8.0, 20.0)  # the ố PP-OCR dropped was printed between S and the space


def test_a_word_that_is_no_vietnamese_syllable_takes_tesseracts_reading() -> None:
    def fixed(mine: str, theirs: str) -> str:
        out = hybrid.prefer_valid_words(chars(mine), theirs, hybrid.valid_syllable)
        return "".join(c[0] for c in out)

    assert fixed("Bidn Hòa", "Biên Hòa") == "Biên Hòa"
    assert fixed("Hảl Phòng", "Hải Phòng") == "Hải Phòng"
    assert fixed("Giá hàng", "Giá bàng") == "Giá hàng"  # a well-formed word stays
    assert fixed("P/N 123", "P/N 128") == "P/N 123"  # letters only
    assert fixed("bidn", "Biên") == "biên"  # the first letter's case stays


def test_vietnamese_syllables_by_spelling_rule() -> None:
    for word in ("Thơ", "nghiêng", "khuỷu", "người", "Quảng", "Nguyễn", "Huỳnh", "khuya", "Việt", "mua"):
        assert hybrid.valid_syllable(word), word
    for word in ("Lưdng", "phưang", "Hảl", "Nẵing", "Bidn", "klượng", "hàt", "Thịj", "LED", "tiê"):
        assert not hybrid.valid_syllable(word), word


# ------------------------------------------------------------------------------- marks PP-OCR loses (fra)


def lost_marks_added(ppocr_text: str, tess_text: str) -> str:
    out = hybrid.add_lost_marks(chars(ppocr_text), tess_text, ppocr.LETTERS["fra"])
    return "".join(c[0] for c in out)


def test_a_diaeresis_or_circumflex_tesseract_reads_over_a_bare_letter_goes_in() -> None:
    # PP-OCR's readings of the langtrain split's French names; Tesseract's of the same lines
    assert lost_marks_added("Loic Nimes", "Loïc Nîmes") == "Loïc Nîmes"
    assert lost_marks_added("Cécile Lemaitre", "Cecile Lemaître") == "Cécile Lemaître"  # its é stays
    assert lost_marks_added("Noel Côté 2024", "Noël Côi 2O24") == "Noël Côté 2024"


def test_other_marks_and_other_languages_letters_stay_out() -> None:
    assert lost_marks_added("attente", "attènte") == "attente"  # acute and grave: Tesseract's guesses
    assert lost_marks_added("affaires", "affäires") == "affaires"  # not a French letter
    assert lost_marks_added("EUR", "EÛR") == "EUR"  # capitals: Tesseract's guesses too
    assert lost_marks_added("Zoé", "Zoë") == "Zoé"  # PP-OCR read a mark: it stays


def test_spanish_gets_its_i_acute_and_tilde() -> None:
    out = hybrid.add_lost_marks(chars("Maria Begona Mexico"), "María Begoña México", ppocr.LETTERS["spa"])
    assert "".join(c[0] for c in out) == "María Begoña Mexico"  # an acute over an "e": PP-OCR reads those
