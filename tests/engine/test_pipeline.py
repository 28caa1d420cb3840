"""Pipeline: picture → typed Document, on pictures drawn by the test (real OCR, no stubs)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from img2xlsx import errors
from img2xlsx.pipeline import NO_TABLE_WARNING, convert
from PIL import Image, ImageDraw, ImageFont

needs_recognition = pytest.mark.skipif(
    importlib.util.find_spec("img2xlsx.recognize") is None,
    reason="img2xlsx.recognize (engine-structure) is not in this checkout yet",
)

ROWS = [
    ["Item", "Qty", "Price"],
    ["Apples", "12", "$1,234.50"],
    ["Pears", "250", "$88.00"],
    ["Plums", "1,500", "$3.25"],
]


def draw_table(rows: list[list[str]] = ROWS, *, title: str | None = None) -> Image.Image:
    """A clean bordered table rendered with Pillow's scalable default font."""
    font = ImageFont.load_default(size=26)
    top = 80 if title else 20
    xs = [20, 260, 440, 700]
    img = Image.new("RGB", (720, top + 60 * len(rows) + 20), "white")
    draw = ImageDraw.Draw(img)
    if title:
        draw.text((20, 20), title, fill="black", font=font)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((xs[c] + 12, top + r * 60 + 15), text, fill="black", font=font)
    for r in range(len(rows) + 1):
        draw.line([(xs[0], top + r * 60), (xs[-1], top + r * 60)], fill="black", width=2)
    for x in xs:
        draw.line([(x, top), (x, top + 60 * len(rows))], fill="black", width=2)
    return img


def draw_text(text: str) -> Image.Image:
    img = Image.new("RGB", (800, 200), "white")
    ImageDraw.Draw(img).text((20, 80), text, fill="black", font=ImageFont.load_default(size=26))
    return img


@needs_recognition
def test_table_picture_becomes_a_typed_document(tmp_path: Path) -> None:
    path = tmp_path / "prices.png"
    draw_table().save(path)
    doc = convert(path)
    assert doc.source == "prices.png" and doc.pages == [(720, 280)]
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert (table.n_rows, table.n_cols) == (4, 3) and table.bordered
    by_text = {c.text: c for c in table.cells}
    price = by_text["$1,234.50"]
    assert price.value is not None and (price.value.kind, price.value.value) == ("currency", 1234.5)
    assert by_text["Item"].value is not None and by_text["Item"].value.kind == "text"
    assert all(c.value is not None for c in table.cells)  # every cell typed
    assert price.bbox is not None and 430 <= price.bbox[0] < price.bbox[2] <= 710  # loaded-page coords


@needs_recognition
def test_bytes_input_and_explicit_name() -> None:
    import io

    buf = io.BytesIO()
    draw_table().save(buf, format="JPEG", quality=92)
    doc = convert(buf.getvalue(), name="upload.jpg")
    assert doc.source == "upload.jpg" and len(doc.tables) == 1


@needs_recognition
def test_picture_without_table_keeps_its_text_and_warns(tmp_path: Path) -> None:
    path = tmp_path / "note.png"
    draw_text("Meeting moved to Thursday").save(path)
    doc = convert(path)
    assert doc.tables == []
    assert doc.warnings.count(NO_TABLE_WARNING) == 1
    assert "Thursday" in " ".join(line.text for line in doc.lines)


@needs_recognition
def test_every_tiff_page_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "scan.tiff"
    draw_table().save(path, save_all=True, append_images=[draw_text("Appendix: no figures")])
    doc = convert(path)
    assert doc.pages == [(720, 280), (800, 200)]
    assert [t.page for t in doc.tables] == [0]
    assert NO_TABLE_WARNING not in doc.warnings  # the document has a table


def test_bad_input_raises_a_specific_error(tmp_path: Path) -> None:
    path = tmp_path / "table.png"
    path.write_text("not really a png")
    with pytest.raises(errors.NotAnImageError):
        convert(path)
    with pytest.raises(errors.EmptyInputError):
        convert(b"")
