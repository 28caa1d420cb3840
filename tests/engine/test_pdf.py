"""PDF input: pages rendered at reading resolution within the pixel limits, born-digital text layers as words
on the rendered page, and a specific one-line error for every kind of bad PDF."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from img2xlsx import errors, pdf
from img2xlsx.loader import load_document, load_pages
from img2xlsx.pdf import common as pdf_common
from PIL import Image, ImageDraw

from tests.hardening import pdfs

DPI = 200
PX = DPI / 72  # pixels per point
PAGE_PX = (round(792 * PX), round(612 * PX))  # a US Letter page at 200 dpi: (height, width)
REPO = Path(__file__).resolve().parents[2]


def _cell_texts(rows: list[list[str]]) -> list[str]:
    return [word for row in rows for cell in row for word in cell.split()]


def _one_line(exc: errors.InputError, name: str) -> None:
    assert exc.message and "\n" not in exc.message and exc.message.startswith(f"{name}:"), exc.message


def test_born_digital_page_has_its_words_on_the_rendered_page() -> None:
    page = load_document(pdfs.born_digital_table(), name="table.pdf")[0]
    assert page.kind == "pdf" and page.index == 0 and page.dpi == DPI
    assert page.rgb.shape == (*PAGE_PX, 3) and page.rgb.dtype == np.uint8
    words = page.text_words
    assert words is not None and pdf.TEXT_LAYER_NOTE in page.text_note
    assert [w.text for w in words] == _cell_texts(pdfs.SAMPLE_ROWS)  # reading order: row by row
    placed = pdfs.table_page(pdfs.SAMPLE_ROWS).texts
    gray = page.rgb.min(axis=2)
    for word, where in zip(words, placed, strict=True):
        x0, y0, x1, y1 = word.bbox
        assert word.conf == 1.0
        assert abs(x0 - where.x * PX) <= 3  # the text starts where the PDF put it (glyph side bearing)
        baseline = (792 - where.y) * PX
        assert y0 < baseline - 0.5 * where.size * PX and abs(y1 - baseline) <= 0.3 * where.size * PX
        box = gray[y0:y1, x0:x1]
        assert box.min() < 100  # the glyphs are inside the box...
        # ...and the box is tight: no ink in the column just outside it on either side
        assert gray[y0:y1, x0 - 2].min() > 200 and gray[y0:y1, x1 + 1].min() > 200
    lines = [w.line_id for w in words]
    assert lines[0] == lines[1] == lines[2] != lines[3]  # the header row is one line, the next row another
    assert len(set(lines)) == len(pdfs.SAMPLE_ROWS)


def test_text_scaled_by_its_matrix_keeps_its_words_whole() -> None:
    """Producers often set a 1 pt font and scale it with the text matrix: the words must not fall apart
    into letters (the font size alone says 1 pt; the glyphs are 11 pt)."""
    text = b"BT /F1 1 Tf 11 0 0 11 72 700 Tm (general, \\(and as might be expected\\) 372.3 Japan) Tj ET"
    page = load_document(pdfs.document([text]), name="scaled.pdf")[0]
    assert [w.text for w in page.text_words or []] == [
        "general,",
        "(and",
        "as",
        "might",
        "be",
        "expected)",
        "372.3",
        "Japan",
    ]
    assert len({w.line_id for w in page.text_words or []}) == 1


def test_scanned_pdf_is_the_picture_and_has_no_text_layer() -> None:
    picture = Image.new("RGB", (1000, 700), "white")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((100, 100, 500, 300), fill=(20, 40, 200))
    draw.line((0, 600, 999, 600), fill="black", width=4)
    page = load_document(pdfs.scanned_pdf([picture], dpi=DPI), name="scan.pdf")[0]
    assert page.text_words is None and page.text_note == "no text layer"
    assert page.rgb.shape == (700, 1000, 3)  # a page of the picture's size at 200 dpi: pixel for pixel
    diff = np.abs(page.rgb.astype(int) - np.asarray(picture, dtype=int))
    assert diff.mean() < 2
    r, _, b = page.rgb[200, 300].tolist()  # Pillow stores the picture as JPEG: close, not exact
    assert r < 30 and b > 190  # colours survive, channels in RGB order


def test_multi_page_pdf_keeps_every_page_in_order() -> None:
    first = pdfs.table_page([["Alpha", "1"]]).content
    second = pdfs.table_page([["Beta", "2"], ["Gamma", "3"]]).content
    data = pdfs.document([first, second, b""])
    pages = load_document(data, name="three.pdf")
    assert [p.index for p in pages] == [0, 1, 2] and {p.kind for p in pages} == {"pdf"}
    assert [w.text for w in pages[0].text_words or []] == ["Alpha", "1"]
    assert [w.text for w in pages[1].text_words or []] == ["Beta", "2", "Gamma", "3"]
    assert pages[2].text_words is None and pages[2].rgb.min() == 255  # an empty page is still a page
    assert [p.shape for p in load_pages(data)] == [(*PAGE_PX, 3)] * 3  # the array-only view agrees


def test_pdf_is_recognised_by_content_not_name() -> None:
    data = pdfs.born_digital_table()
    assert load_document(data, name="table.png")[0].kind == "pdf"
    assert load_document(b"junk before the header\n" + data, name="x")[0].kind == "pdf"
    png = load_document(_png(), name="picture.pdf")[0]
    assert png.kind == "image" and png.text_words is None


def _png() -> bytes:
    import io

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, format="PNG")
    return buf.getvalue()


def test_invisible_ocr_layer_is_used_when_it_sits_on_the_ink() -> None:
    page = load_document(pdfs.scan_with_ocr_layer(), name="searchable.pdf")[0]
    assert page.text_words is not None
    assert [w.text for w in page.text_words] == _cell_texts(pdfs.SAMPLE_ROWS)


def test_text_layer_off_the_ink_is_not_used() -> None:
    page = load_document(pdfs.scan_with_ocr_layer(shift=(0, -300)), name="misplaced.pdf")[0]
    assert page.text_words is None
    assert "visible" in page.text_note


def test_text_without_a_unicode_map_is_not_used() -> None:
    font = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding << /Type /Encoding /Differences [65 /g001 /g002 /g003 /g004 /g005 /g006] >> >>"
    )
    data = pdfs.pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            pdfs.stream(b"BT /F1 24 Tf 72 700 Td (ABCDEF ABCDEF ABCDEF) Tj ET"),
            font,
        ]
    )
    page = load_document(data, name="nomap.pdf")[0]
    assert page.text_words is None and "unreadable" in page.text_note


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_turned_pages_are_read_upright(rotate: int) -> None:
    """A page displayed turned (/Rotate) is rendered so its text runs left to right, words and all."""
    data = pdfs.document([pdfs.table_page(pdfs.SAMPLE_ROWS).content], page_extra=b"/Rotate %d" % rotate)
    page = load_document(data, name="turned.pdf")[0]
    upright = load_document(pdfs.born_digital_table())[0]
    assert page.rgb.shape == upright.rgb.shape
    assert np.abs(page.rgb.astype(int) - upright.rgb).mean() < 0.5  # the same picture (up to anti-aliasing)
    got, want = page.text_words or [], upright.text_words or []
    assert [w.text for w in got] == [w.text for w in want] and len(want) == 12
    assert all(
        max(abs(a - b) for a, b in zip(g.bbox, w.bbox, strict=True)) <= 1
        for g, w in zip(got, want, strict=True)
    )
    assert any(f"turned by {(360 - rotate) % 360}°" in w for w in page.warnings)


def test_table_printed_sideways_is_turned_upright() -> None:
    """A landscape table drawn turned by 90° on a portrait page (no /Rotate): turned back for reading."""
    content = b"q 0 1 -1 0 612 0 cm\n" + pdfs.table_page(pdfs.SAMPLE_ROWS, origin=(60, 500)).content + b"\nQ"
    page = load_document(pdfs.document([content]), name="sideways.pdf")[0]
    assert page.rgb.shape == (PAGE_PX[1], PAGE_PX[0], 3)  # landscape now
    words = page.text_words or []
    assert [w.text for w in words] == _cell_texts(pdfs.SAMPLE_ROWS)
    assert all(w.bbox[2] - w.bbox[0] > w.bbox[3] - w.bbox[1] for w in words if len(w.text) > 2)  # wide boxes
    assert all(page.rgb[y0:y1, x0:x1].min() < 100 for x0, y0, x1, y1 in (w.bbox for w in words))


def test_vertical_header_text_is_left_out_of_the_words() -> None:
    page = pdfs.table_page(pdfs.SAMPLE_ROWS).content + b"\nBT 0 1 -1 0 40 300 Tm /F1 10 Tf (Vertical) Tj ET"
    loaded = load_document(pdfs.document([page]), name="vertical.pdf")[0]
    assert [w.text for w in loaded.text_words or []] == _cell_texts(pdfs.SAMPLE_ROWS)


def test_form_values_are_flattened_and_scripts_never_run() -> None:
    page = load_document(pdfs.scripted_form_pdf(), name="form.pdf")[0]  # its script loops forever
    words = page.text_words or []
    assert " ".join(w.text for w in words).endswith(pdfs.FORM_VALUE)
    value = next(w for w in words if w.text == pdfs.FORM_VALUE.split()[0])
    x0, y0, x1, y1 = value.bbox
    assert page.rgb[y0:y1, x0:x1].min() < 100  # the field's value is drawn too
    assert abs(y1 - (792 - 566) * PX) < 0.5 * 12 * PX  # where the field is (baseline 6 pt above its bottom)


def test_encrypted_pdf_needs_a_password() -> None:
    with pytest.raises(pdf.EncryptedPdfError) as caught:
        load_document(pdfs.encrypted_pdf(), name="locked.pdf")
    assert caught.value.code == "encrypted" and "password" in caught.value.message
    _one_line(caught.value, "locked.pdf")


def test_pdf_encrypted_without_a_user_password_opens() -> None:
    page = load_document(pdfs.encrypted_pdf(user_password=b""), name="owner-only.pdf")[0]
    assert [w.text for w in page.text_words or []] == _cell_texts(pdfs.SAMPLE_ROWS)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (pdfs.truncated_pdf, "truncated"),
        (pdfs.garbage_pdf, "truncated"),
        (pdfs.zero_page_pdf, "empty"),
    ],
    ids=["truncated", "garbage", "zero-pages"],
)
def test_damaged_pdfs_get_one_line_errors(make: object, code: str) -> None:
    assert callable(make)
    with pytest.raises(errors.InputError) as caught:
        load_document(make(), name="bad.pdf")
    assert caught.value.code == code and "PDF" in caught.value.message
    _one_line(caught.value, "bad.pdf")


def test_page_limit_is_checked_before_rendering() -> None:
    with pytest.raises(errors.ImageTooLargeError) as caught:
        load_document(pdfs.many_pages_pdf(1000), name="long.pdf")
    assert "1000 pages" in caught.value.message and "20-page limit" in caught.value.message
    _one_line(caught.value, "long.pdf")
    three = pdfs.born_digital_table(pages=3)
    with pytest.raises(errors.ImageTooLargeError, match="3 pages, more than the 2-page limit"):
        load_document(three, name="three.pdf", max_pdf_pages=2)
    assert len(load_document(three, max_pdf_pages=3)) == 3


def test_page_limit_comes_from_the_environment() -> None:
    code = (
        "import sys; sys.path.insert(0, 'layers/img2xlsx/python'); from img2xlsx import pdf; "
        "print(pdf.DEFAULT_MAX_PDF_PAGES)"
    )
    env = dict(os.environ, IMG2XLSX_MAX_PDF_PAGES="7")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True)
    assert out.stdout.strip() == "7", out.stderr


def test_huge_page_is_scaled_into_the_pixel_limit() -> None:
    page = load_document(pdfs.huge_page_pdf(20000), name="huge.pdf", max_pixels=4_000_000)[0]
    height, width = page.rgb.shape[:2]
    assert height * width <= 4_000_000 and height == width > 1900
    assert page.dpi is not None and page.dpi < 10
    assert any("very large" in w for w in page.warnings)


def test_pages_share_the_total_pixel_budget() -> None:
    data = pdfs.born_digital_table(pages=3)
    full = PAGE_PX[0] * PAGE_PX[1]
    pages = load_document(data, max_total_pixels=full)  # room for one page at 200 dpi, not three
    assert len(pages) == 3
    assert sum(p.rgb.shape[0] * p.rgb.shape[1] for p in pages) <= full * 1.01
    assert {p.rgb.shape for p in pages} == {pages[0].rgb.shape}  # all scaled alike
    assert pages[0].dpi is not None and 110 < pages[0].dpi < 120  # 200 / sqrt(3)


def test_tiny_page_is_too_small() -> None:
    with pytest.raises(errors.ImageTooSmallError):
        load_document(pdfs.document([b""], size=(2, 2)), name="stamp.pdf")


def test_pdf_bomb_is_stopped_by_the_render_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    data = pdfs.bomb_pdf(1024)
    assert len(data) < 3_000_000
    monkeypatch.setattr(pdf_common, "RENDER_CPU_SECONDS", 1)
    with pytest.raises(errors.ImageTooLargeError) as caught:
        load_document(data, name="bomb.pdf")
    assert "too long to render" in caught.value.message
    _one_line(caught.value, "bomb.pdf")


def test_render_memory_limit_ends_in_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_common, "RENDER_MEMORY_MB", 60)
    with pytest.raises(errors.ImageTooLargeError) as caught:
        load_document(pdfs.huge_page_pdf(20000), name="huge.pdf")  # a 50 MP bitmap: 150 MB
    assert "too much memory" in caught.value.message
    _one_line(caught.value, "huge.pdf")


def test_image_bomb_inside_a_pdf_is_not_decoded() -> None:
    page = load_document(pdfs.image_bomb_pdf(), name="image-bomb.pdf")[0]
    assert page.rgb.shape == (*PAGE_PX, 3)


def test_in_process_rendering_matches_the_isolated_child() -> None:
    data = pdfs.born_digital_table()
    limits = {"max_pixels": 50_000_000, "min_side": 8, "max_total_pixels": 150_000_000}
    isolated = pdf.load_pdf(data, "a.pdf", **limits)[0]
    inline = pdf.load_pdf(data, "a.pdf", isolate=False, **limits)[0]
    assert np.array_equal(isolated.rgb, inline.rgb)
    assert isolated.words == inline.words and isolated.words


def test_chromium_printed_table_has_its_text_layer(tmp_path: Path) -> None:
    """A real born-digital PDF (Chromium's printToPDF: embedded subset fonts, ToUnicode maps)."""
    chromium = "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.skip("no Chromium")
    from playwright.sync_api import sync_playwright

    rows = [
        ["Région", "Population", "Growth"],
        ["Île-de-France", "12,271,794", "0.4%"],
        ["Bretagne", "3,402,932", "0.6%"],
    ]
    html = (
        "<table border=1 style='border-collapse:collapse;font:14px sans-serif'>"
        + "".join(
            "<tr>" + "".join(f"<td style='padding:6px 12px'>{c}</td>" for c in row) + "</tr>" for row in rows
        )
        + "</table>"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.set_content(html)
            data = page.pdf(format="A4")
        finally:
            browser.close()
    loaded = load_document(data, name="printed.pdf")[0]
    words = loaded.text_words
    assert words is not None
    assert [w.text for w in words] == _cell_texts(rows)  # accents and all
    gray = loaded.rgb.min(axis=2)
    assert all(gray[y0:y1, x0:x1].min() < 128 for x0, y0, x1, y1 in (w.bbox for w in words))
