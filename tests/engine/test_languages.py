"""Languages and locales: numbers and dates typed by the document's conventions, identifiers left as text,
the reader chosen by language coverage, and rendered German and French tables read with their accents."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from img2xlsx.languages import LanguageError, parse_langs
from img2xlsx.model import Cell, Table
from img2xlsx.ocr import OcrUnavailableError, select
from img2xlsx.pipeline import convert
from img2xlsx.values import infer_hints, parse_value, type_table
from openpyxl import load_workbook
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def typed(texts: list[str], langs: tuple[str, ...], header: str = "") -> list[tuple[str, object, str]]:
    """Each cell of one column as (kind, value, number format), the column read as a whole."""
    hints = infer_hints(texts, header, langs)
    return [(v.kind, v.value, v.number_format) for v in (parse_value(t, hints) for t in texts)]


# ------------------------------------------------------------------------------------------ language codes


def test_language_choices_parse_and_unknown_ones_are_named() -> None:
    assert parse_langs(None) == ("eng",)
    assert parse_langs("DEU+eng") == parse_langs(["deu", "eng"]) == parse_langs("deu, eng") == ("deu", "eng")
    assert parse_langs(["deu", "deu+fra"]) == ("deu", "fra")  # repeats dropped, order kept
    with pytest.raises(LanguageError, match=r"unsupported language 'xx': choose from eng, deu"):
        parse_langs("deu+xx")
    with pytest.raises(LanguageError, match="at most 3"):
        parse_langs("deu+fra+spa+ita")


# ------------------------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("langs", "texts", "expected"),
    [
        (
            ("deu",),
            ["1.234,56", "19,90 €", "-1.234,5 %", "0,5"],
            [
                ("number", 1234.56, "#,##0.00"),
                ("currency", 19.9, '#,##0.00" €"'),
                ("percent", -12.345, "#,##0.0 %"),
                ("number", 0.5, "#,##0.0"),
            ],
        ),
        (("deu",), ["1.234"], [("number", 1234, "#,##0")]),  # the language's prior: a thousands dot
        (("eng",), ["1.234"], [("number", 1.234, "0.000")]),
        (("deu",), ["1,234.50", "2,000.00"], [
            ("number", 1234.5, "#,##0.00"), ("number", 2000.0, "#,##0.00"),
        ]),
        (
            ("fra",),
            ["1\u202f234,56", "1 234 567,8", "12,00 €", "12,5\u00a0%"],
            [
                ("number", 1234.56, "#,##0.00"),
                ("number", 1234567.8, "#,##0.0"),
                ("currency", 12.0, '#,##0.00" €"'),
                ("percent", 0.125, "#,##0.0 %"),
            ],
        ),
        (("fra",), ["1 234,56", "2 345,00"], [
            ("number", 1234.56, "#,##0.00"), ("number", 2345.0, "#,##0.00"),
        ]),
        (("eng",), ["1 234", "2 345"], [("text", "1 234", "General"), ("text", "2 345", "General")]),
        (("spa",), ["1.234.567,89 €", "(1.000,00 €)"], [
            ("currency", 1234567.89, '#,##0.00" €"'),
            ("currency", -1000.0, '#,##0.00" €";(#,##0.00" €")'),
        ]),
        (("vie",), ["150.000đ", "1.234.567 ₫", "2.500 VND"], [
            ("currency", 150000, '#,##0"₫"'),  # the column prints "₫": "đ" is it, its underline lost
            ("currency", 1234567, '#,##0" ₫"'),
            ("currency", 2500, '#,##0" VND"'),
        ]),
    ],
)  # fmt: skip
def test_numbers_follow_the_column_and_the_language(
    langs: tuple[str, ...], texts: list[str], expected: list[tuple[str, object, str]]
) -> None:
    assert typed(texts, langs) == expected


def _written(cents: int, group: str) -> str:
    """``cents`` as a decimal-comma locale prints it: 1.234.567,89 / 1 234 567,89."""
    whole, frac = divmod(abs(cents), 100)
    digits = f"{whole:,}".replace(",", group)
    return ("-" if cents < 0 else "") + f"{digits},{frac:02d}"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=-(10**12), max_value=10**12), min_size=1, max_size=6),
    st.sampled_from(
        [(("deu",), "."), (("fra",), "\u202f"), (("fra",), " "), (("spa",), "."), (("vie",), ".")]
    ),
)
def test_any_amount_written_the_locale_s_way_reads_back(
    cents: list[int], locale: tuple[tuple[str], str]
) -> None:
    langs, group = locale
    texts = [_written(c, group) for c in cents]
    values = [value for _, value, _ in typed(texts, langs)]
    assert values == [pytest.approx(c / 100) for c in cents], texts


@pytest.mark.parametrize(
    ("langs", "header", "texts"),
    [
        (("fra",), "Code postal", ["75008", "69001", "13002"]),
        (("deu",), "PLZ", ["10115", "80331", "50667"]),
        (("deu",), "Kundennummer", ["48213", "50211", "61002"]),
        (("fra",), "Numéro de client", ["48213", "50211"]),
        (("spa",), "Código", ["48213", "50211"]),
        (("deu",), "IBAN", ["DE89 3704 0044 0532 0130 00", "DE02 1203 0000 0000 2020 51"]),
        (("fra",), "Téléphone", ["06 12 34 56 78", "+33 1 23 45 67 89"]),
        (("deu",), "Telefon", ["+49 30 1234567", "030 1234567"]),
        (("deu",), "Version", ["1.2.3", "2.10.1"]),
        (("spa",), "Pedido", ["MXN-61910", "EUR-2024"]),  # a currency code glued to digits: a reference
        (("vie",), "Số điện thoại", ["0912 345 678", "024 3825 1234"]),
        (("deu",), "", ["01067", "04109"]),  # leading zeros: an identifier whatever the header
    ],
)
def test_identifiers_stay_text(langs: tuple[str, ...], header: str, texts: list[str]) -> None:
    assert [kind for kind, _, _ in typed(texts, langs, header)] == ["text"] * len(texts)


def test_a_comma_read_for_a_grouping_dot_is_mended_where_the_column_groups_with_dots() -> None:
    got = typed(["3.530", "14.518", "1,762", "290"], ("deu",))
    assert [value for _, value, _ in got] == [3530, 14518, 1762, 290]
    kept = typed(["1,762", "2,5"], ("deu",))  # the column shows decimals: "1,762" is 1.762
    assert [value for _, value, _ in kept] == [1.762, 2.5]


def test_amounts_with_a_currency_code_whose_comma_was_read_as_a_point_are_mended() -> None:
    texts = ["1979,02 EUR", "4707.20 EUR", "9784,65 EUR", "78032.10 EUR", "Versement", "6788.08 EUR"]
    assert [value for _, value, _ in typed(texts, ("fra",))] == [
        1979.02,
        4707.2,
        9784.65,
        78032.1,
        "Versement",
        6788.08,
    ]


def test_a_count_headed_like_a_number_stays_a_number() -> None:
    assert typed(["12", "7"], ("spa",), "Número de empleados") == [("number", 12, "0"), ("number", 7, "0")]
    assert typed(["1.250", "980"], ("deu",), "Menge") == [("number", 1250, "#,##0"), ("number", 980, "#,##0")]


# -------------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("langs", "text", "day", "fmt"),
    [
        (("deu",), "03.03.2024", dt.date(2024, 3, 3), "dd.mm.yyyy"),
        (("deu",), "3. März 2024", dt.date(2024, 3, 3), "[$-407]d. mmmm yyyy"),
        (("deu",), "Montag, 4. März 2024", dt.date(2024, 3, 4), "[$-407]d. mmmm yyyy"),
        (("deu",), "Mo., 04.03.2024", dt.date(2024, 3, 4), "dd.mm.yyyy"),
        (("deu",), "15. Dez. 2023", dt.date(2023, 12, 15), "[$-407]d. mmm yyyy"),
        (("fra",), "05/03/2024", dt.date(2024, 3, 5), "dd/mm/yyyy"),  # day first in French
        (("eng",), "05/03/2024", dt.date(2024, 5, 3), "mm/dd/yyyy"),
        (("fra",), "1er mars 2024", dt.date(2024, 3, 1), "[$-40C]d mmmm yyyy"),
        (("fra",), "lundi 12 févr. 2024", dt.date(2024, 2, 12), "[$-40C]d mmm yyyy"),
        (("fra",), "août 2023", dt.date(2023, 8, 1), "[$-40C]mmmm yyyy"),
        (("spa",), "3 de marzo de 2024", dt.date(2024, 3, 3), '[$-C0A]d "de" mmmm "de" yyyy'),
        (("spa",), "miércoles, 15 dic. 2023", dt.date(2023, 12, 15), "[$-C0A]d mmm yyyy"),
        (("ita",), "3 marzo 2024", dt.date(2024, 3, 3), "[$-410]d mmmm yyyy"),
        (("por",), "3 de março de 2024", dt.date(2024, 3, 3), '[$-816]d "de" mmmm "de" yyyy'),
        (("nld",), "3 mrt 2024", dt.date(2024, 3, 3), "[$-413]d mmm yyyy"),
        (("vie",), "3 tháng 3 năm 2024", dt.date(2024, 3, 3), '[$-42A]d "tháng" m "năm" yyyy'),
        (("vie",), "Thứ Hai, ngày 4 tháng 3 năm 2024", dt.date(2024, 3, 4),
         '[$-42A]"ngày" d "tháng" m "năm" yyyy'),
        (("vie",), "tháng 3/2024", dt.date(2024, 3, 1), '[$-42A]"tháng" m/yyyy'),
        (("eng",), "Mon Mar 4 2024", dt.date(2024, 3, 4), "mmm d yyyy"),
    ],
)  # fmt: skip
def test_dates_by_language(langs: tuple[str, ...], text: str, day: dt.date, fmt: str) -> None:
    assert typed([text], langs) == [("date", day, fmt)]


def test_month_names_are_read_only_in_the_chosen_languages() -> None:
    assert typed(["3 marzo 2024"], ("eng",))[0][0] == "text"
    assert typed(["3 marzo 2024"], ("ita",))[0][0] == "date"
    assert typed(["3 tháng 3 năm 2024"], ("eng",))[0][0] == "text"


def test_type_table_uses_the_document_languages() -> None:
    def table() -> Table:
        cells = [Cell(0, 0, "Artikel", header=True), Cell(0, 1, "Preis", header=True)]
        cells += [Cell(1, 0, "Tür"), Cell(1, 1, "1.234"), Cell(2, 0, "Stuhl"), Cell(2, 1, "980")]
        return Table(n_rows=3, n_cols=2, cells=cells, n_header_rows=1)

    german, english = table(), table()
    type_table(german, ("deu",))
    type_table(english)
    assert german.cells[3].value is not None and german.cells[3].value.value == 1234
    assert english.cells[3].value is not None and english.cells[3].value.value == 1.234
    assert german.cells[2].value is not None and german.cells[2].value.value == "Tür"


def test_a_data_row_taken_for_a_header_is_returned_with_the_language_s_numbers() -> None:
    rows = [["Région", "Montant", "Part"], ["Nord", "89 575,47 EUR", "12,5 %"]]
    rows += [["Sud", "84 724,51 EUR", "13,0 %"], ["Est", "11 563,33 EUR", "2,5 %"]]
    cells = [Cell(r, c, text, header=r < 2) for r, row in enumerate(rows) for c, text in enumerate(row)]
    table = Table(n_rows=4, n_cols=3, cells=cells, n_header_rows=2)
    type_table(table, ("fra",))
    assert table.n_header_rows == 1
    assert cells[4].value is not None and (cells[4].value.kind, cells[4].value.value) == (
        "currency",
        89575.47,
    )


# ------------------------------------------------------------------------------------------------ readers


def test_a_backend_that_does_not_cover_the_language_falls_back_to_tesseract(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert select.covers("ppocr", ("eng", "deu", "fra", "spa", "ita", "por", "nld"))
    assert not select.covers("ppocr", ("vie",)) and select.covers("tesseract", ("deu", "fra", "vie"))
    assert select.backend_for("ppocr", ("deu", "eng")) == "ppocr"
    # a backend without a language's letters (here: PP-OCR made to lack German's): Tesseract reads
    monkeypatch.setitem(select.COVERS, "ppocr", frozenset({"eng"}))
    assert select.backend_for("ppocr", ("deu", "eng")) == "tesseract"
    assert select.backend_for("ppocr", ("eng",)) == "ppocr"
    reader = select.get_reader("ppocr", ("deu",))
    assert reader.name == "tesseract" and reader.langs == ("deu",)


def test_missing_language_data_is_a_clear_error() -> None:
    from img2xlsx.ocr.tesseract import TesseractReader

    with pytest.raises(OcrUnavailableError, match=r"no language data for 'tlh'.*tesseract-ocr-tlh"):
        TesseractReader(("tlh",))


def test_convert_refuses_an_unknown_language_before_any_work() -> None:
    with pytest.raises(LanguageError, match="'xx'"):
        convert(b"not even an image", langs=("xx",))


# -------------------------------------------------------------------------------------------- end to end


def render(rows: list[list[str]], widths: list[int]) -> bytes:
    """A ruled table in DejaVu Sans (which has every accent), as PNG bytes."""
    font = ImageFont.truetype(str(FONT), 26)
    row_h, pad = 56, 20
    img = Image.new("RGB", (sum(widths) + 2 * pad, row_h * len(rows) + 2 * pad), "white")
    draw = ImageDraw.Draw(img)
    xs = [pad]
    for w in widths:
        xs.append(xs[-1] + w)
    for r, row in enumerate(rows):
        y = pad + r * row_h
        for c, text in enumerate(row):
            draw.text((xs[c] + 12, y + 12), text, fill="black", font=font)
    for r in range(len(rows) + 1):
        draw.line([(pad, pad + r * row_h), (xs[-1], pad + r * row_h)], fill="black", width=2)
    for x in xs:
        draw.line([(x, pad), (x, pad + row_h * len(rows))], fill="black", width=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


GERMAN = [
    ["Artikel", "Menge", "Preis", "Lieferdatum"],
    ["Bücherregal", "1.250", "19,90 €", "03.03.2024"],
    ["Größenschild", "12", "1.234,56 €", "15.12.2023"],
    ["Kühlschrank", "3", "899,00 €", "28.02.2024"],
]
FRENCH = [
    ["Désignation", "Quantité", "Prix unitaire", "Remise"],
    ["Crème brûlée", "1 250", "12,50 €", "5,5 %"],
    ["Pâté de campagne", "48", "1 234,56 €", "10,0 %"],
    ["Thé glacé", "7", "3,20 €", "2,5 %"],
]


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans is not installed")
@pytest.mark.parametrize(
    ("rows", "langs", "widths", "accented", "numbers"),
    [
        (GERMAN, ("deu",), [260, 150, 200, 220], ["Bücherregal", "Größenschild", "Kühlschrank"],
         {(1, 1): 1250, (1, 2): 19.9, (2, 2): 1234.56, (3, 2): 899.0}),
        (FRENCH, ("fra",), [300, 160, 220, 150],
         ["Désignation", "Crème brûlée", "Pâté de campagne", "Thé glacé"],
         {(1, 1): 1250, (1, 2): 12.5, (2, 2): 1234.56, (1, 3): 0.055, (2, 3): 0.1}),
    ],
)  # fmt: skip
def test_a_rendered_table_keeps_its_accents_and_types_its_numbers(
    tmp_path: Path,
    rows: list[list[str]],
    langs: tuple[str, ...],
    widths: list[int],
    accented: list[str],
    numbers: dict[tuple[int, int], float],
) -> None:
    from img2xlsx.writers.xlsx import write_xlsx

    doc = convert(render(rows, widths), name="table.png", langs=langs)
    assert len(doc.tables) == 1 and doc.langs == langs
    out = tmp_path / "table.xlsx"
    write_xlsx(doc, out)
    sheet = load_workbook(out).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    texts = {v for row in values for v in row if isinstance(v, str)}
    assert set(accented) <= texts
    for (r, c), expected in numbers.items():
        assert values[r][c] == pytest.approx(expected), (r, c, values[r][c])
    if langs == ("deu",):
        assert values[1][3] == dt.datetime(2024, 3, 3)


def test_a_dong_sign_read_as_d_takes_the_sign_its_column_prints() -> None:
    # OCR loses the dong sign's underline: "615.745đ" beside "211.120₫" is printed "615.745₫"
    assert typed(["615.745đ", "211.120₫", "140.244đ"], ("vie",)) == [
        ("currency", 615745, '#,##0"₫"'),
        ("currency", 211120, '#,##0"₫"'),
        ("currency", 140244, '#,##0"₫"'),
    ]
    # a column printing "đ" alone keeps it: informal prices are written so
    assert typed(["150.000đ", "95.000đ"], ("vie",))[0] == ("currency", 150000, '#,##0"đ"')


@pytest.mark.parametrize(
    "text",
    ["21 tháng 3 nm 2022", "21 tháng3 năm 2022", "21 thng 3 năm 2022", "21 tháng 3 nãm 2022"],
)
def test_a_vietnamese_date_whose_words_lost_a_letter_or_a_space(text: str) -> None:
    assert typed([text], ("vie",)) == [("date", dt.date(2022, 3, 21), '[$-42A]d "tháng" m "năm" yyyy')]
