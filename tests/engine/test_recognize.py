"""recognize_page contract: coordinates in the loaded page, text outside tables, short tokens recovered."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from img2xlsx.recognize import recognize_page
from PIL import Image, ImageDraw, ImageFont


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _grid_page(size: int, scale: float = 1.0) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    """A bordered 3x3 table; returns the image and where each cell's text was drawn."""
    s = scale
    img = Image.new("RGB", (int(760 * s), int(330 * s)), "white")
    draw = ImageDraw.Draw(img)
    xs = [int(v * s) for v in (40, 280, 500, 720)]
    ys = [int(v * s) for v in (60, 130, 200, 270)]
    for yy in ys:
        draw.line([xs[0], yy, xs[-1], yy], fill=0, width=max(1, int(2 * s)))
    for xx in xs:
        draw.line([xx, ys[0], xx, ys[-1]], fill=0, width=max(1, int(2 * s)))
    where: dict[str, tuple[int, int]] = {}
    rows = [["Product", "Stock", "Price"], ["Kettle", "14", "39.90"], ["Toaster", "7", "24.50"]]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            pos = (xs[c] + int(16 * s), ys[r] + int(20 * s))
            draw.text(pos, text, fill=0, font=_font(size))
            where[text] = pos
    draw.text((xs[0], int(15 * s)), "Kitchen inventory", fill=0, font=_font(size))
    return np.asarray(img), where


def test_cell_boxes_are_in_loaded_page_pixels_even_for_small_images() -> None:
    # small text: the normaliser scales the page up; boxes must still come back in the original pixels
    img, where = _grid_page(size=13, scale=0.6)
    res = recognize_page(img)
    assert len(res.tables) == 1
    table = res.tables[0]
    assert (table.n_rows, table.n_cols) == (3, 3)
    h, w = img.shape[:2]
    for cell in table.cells:
        assert cell.bbox is not None
        x0, y0, x1, y1 = cell.bbox
        assert 0 <= x0 < x1 <= w + 2 and 0 <= y0 < y1 <= h + 2
    by_text = {c.text: c for c in table.cells}
    for text in ("Kettle", "Price"):
        assert text in by_text
        x0, y0, x1, y1 = by_text[text].bbox  # type: ignore[misc]
        px, py = where[text]
        assert x0 - 3 <= px <= x1 and y0 - 3 <= py <= y1
    assert table.bbox is not None and table.bbox[1] > 20  # the title is not in the table
    assert any("Kitchen" in line.text for line in res.lines)
    for line in res.lines:
        assert 0 <= line.bbox[0] < line.bbox[2] <= w + 2


def test_single_digit_column_is_read() -> None:
    """Lone one-character tokens (counts, zeros) are what a sparse page pass tends to drop."""
    img = Image.new("L", (700, 420), 255)
    draw = ImageDraw.Draw(img)
    font = _font(20)
    rows = [
        ["Language", "Early", "Late"],
        ["Arabic", "0", "1"],
        ["Danish", "0", "3"],
        ["Farsi", "1", "0"],
        ["German", "2", "4"],
        ["Hebrew", "0", "1"],
        ["Korean", "5", "2"],
    ]
    draw.line([30, 30, 600, 30], fill=0, width=2)
    draw.line([30, 80, 600, 80], fill=0, width=1)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((40 + c * 220, 45 + r * 50 + (10 if r else 0)), text, fill=0, font=font)
    draw.line([30, 400, 600, 400], fill=0, width=2)
    # shrunk to ~8 px text, as in a screenshot of a small table: the page pass alone misses most digits
    small = img.resize((280, 168), Image.Resampling.BOX)
    res = recognize_page(np.asarray(small))
    assert len(res.tables) == 1
    grid = [[c.text if c else "" for c in row] for row in res.tables[0].grid()]
    assert len(grid) == len(rows) and len(grid[0]) == 3
    digits = [[r[1], r[2]] for r in grid[1:]]
    expected = [[r[1], r[2]] for r in rows[1:]]
    right = sum(a == b for ga, ea in zip(digits, expected, strict=True) for a, b in zip(ga, ea, strict=True))
    assert all(a for ga in digits for a in ga), digits  # every lone token was found
    assert right >= 7, digits  # of 12 single-character cells (tiny blurred digits: OCR slips allowed)


def test_confidence_and_header_flags() -> None:
    img, _ = _grid_page(size=22)
    table = recognize_page(img).tables[0]
    assert table.n_header_rows == 1
    assert all(c.header == (c.row == 0) for c in table.cells)
    confs = [c.confidence for c in table.cells if c.text]
    assert confs and all(conf is not None and 0.0 < conf <= 1.0 for conf in confs)
    assert table.style == "grid" and table.bordered


def test_letter_lookalikes_in_a_number_column_become_digits() -> None:
    from img2xlsx.model import Cell
    from img2xlsx.values.repairs import fix_digit_lookalikes

    cells = [Cell(0, 0, "Name"), Cell(0, 1, "Count")]
    for r, (name, count) in enumerate(
        [("Ada", "12"), ("Ben", "o"), ("Cy", "7"), ("Dee", "l"), ("Eve", "30")], 1
    ):
        cells += [Cell(r, 0, name), Cell(r, 1, count)]
    cells.append(Cell(6, 0, "o"))  # a text column keeps its letters
    fix_digit_lookalikes(cells, n_header=1)
    counts = [c.text for c in cells if c.col == 1 and c.row >= 1]
    assert counts == ["12", "0", "7", "1", "30"]
    assert cells[-1].text == "o"
    assert cells[1].text == "Count"


def test_upside_down_page_is_read_turned_back_with_boxes_in_loaded_pixels(monkeypatch: Any) -> None:
    img, where = _grid_page(size=22)
    turned = np.ascontiguousarray(img[::-1, ::-1])
    res = recognize_page(turned)
    assert any("180" in w for w in res.warnings)
    assert len(res.tables) == 1
    by_text = {c.text: c for c in res.tables[0].cells}
    assert {"Kettle", "Toaster", "39.90"} <= set(by_text)
    h, w = img.shape[:2]
    x0, y0, x1, y1 = by_text["Kettle"].bbox  # type: ignore[misc]
    px, py = where["Kettle"]
    # the drawn position, seen in the turned image, lies inside the returned box
    assert x0 - 3 <= w - 1 - px <= x1 + 3 and y0 - 3 <= h - 1 - py <= y1 + 3


def test_upright_page_is_read_once(monkeypatch: Any) -> None:
    from img2xlsx import recognize

    page_passes: list[tuple[int, ...]] = []
    real = recognize._page_words

    def spy(reader: Any, gray: np.ndarray) -> Any:
        page_passes.append(gray.shape)
        return real(reader, gray)

    monkeypatch.setattr(recognize, "_page_words", spy)
    img, _ = _grid_page(size=22)
    res = recognize_page(img)
    assert res.tables and not any("turned" in w for w in res.warnings)
    assert len(page_passes) == 1  # a page read with confidence is not OCRed again turned around
    page_passes.clear()
    recognize_page(np.ascontiguousarray(img[::-1, ::-1]))
    assert len(page_passes) == 2  # upside down: the poor first reading triggers the turned one


def test_turned_half_twice_is_the_same_page() -> None:
    from img2xlsx.page.normalize import normalize_page

    img, _ = _grid_page(size=22)
    page = normalize_page(img, upside_down=False)
    back = page.turned_half().turned_half()
    assert np.array_equal(back.gray, page.gray)
    assert np.allclose(back.matrix, page.matrix)
    assert back.rotation == page.rotation and back.warnings == page.warnings
    once = page.turned_half()
    assert once.rotation == 180 and any("180" in w for w in once.warnings)
    # a point maps back to the same source point from either orientation
    h, w = page.gray.shape
    p = page.to_source(np.array([[10.0, 20.0]]))
    q = once.to_source(np.array([[w - 1 - 10.0, h - 1 - 20.0]]))
    assert np.allclose(p, q, atol=1e-6)


def _dark_header_page(fill: int) -> np.ndarray:
    img = Image.new("RGB", (900, 360), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle([40, 40, 860, 90], fill=(fill, fill, min(255, fill + 50)))
    for i, text in enumerate(["Region", "Units", "Revenue", "Margin"]):
        draw.text((60 + i * 200, 55), text, fill="white", font=_font(24))
    rows = [["North", "1,204", "45,300.50", "12.5%"], ["South", "987", "38,120.00", "-3.2%"]]
    for r, row in enumerate(rows):
        for i, text in enumerate(row):
            draw.text((60 + i * 200, 120 + 60 * r), text, fill="black", font=_font(24))
    return np.asarray(img)


@pytest.mark.parametrize("fill", [20, 60, 120])
def test_white_header_text_on_a_dark_band_is_read(fill: int) -> None:
    res = recognize_page(_dark_header_page(fill))
    assert len(res.tables) == 1
    header = [c.text for c in sorted(res.tables[0].cells, key=lambda c: c.col) if c.row == 0]
    assert header == ["Region", "Units", "Revenue", "Margin"]


@pytest.mark.parametrize("separators", [True, False])
def test_dark_header_band_on_top_of_a_grid_is_its_first_row(separators: bool) -> None:
    """The band's edges are no rule (it is a fill) and white separators are no ink: the header row used to
    fall outside the grid and come back as loose text lines."""
    img = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(img)
    xs, ys = [40, 240, 440, 640, 860], [40, 90, 150, 210]
    draw.rectangle([xs[0], ys[0], xs[-1], ys[1]], fill=(30, 50, 100))
    if separators:
        for x in xs[1:-1]:
            draw.line([x, ys[0], x, ys[1]], fill="white", width=2)
    for x in xs:
        draw.line([x, ys[1], x, ys[-1]], fill="black", width=2)
    for y in ys[1:]:
        draw.line([xs[0], y, xs[-1], y], fill="black", width=2)
    rows = [["Region", "Units", "Revenue", "Margin"], ["North", "1,204", "45,300.50", "12.5%"]]
    rows.append(["West", "987", "38,120.00", "-3.2%"])
    for r, row in enumerate(rows):
        for i, text in enumerate(row):
            draw.text((xs[i] + 16, ys[r] + 14), text, fill="white" if r == 0 else "black", font=_font(24))
    res = recognize_page(np.asarray(img))
    assert len(res.tables) == 1
    table = res.tables[0]
    assert (table.n_rows, table.n_cols) == (3, 4)
    got = [[c.text for c in sorted(table.cells, key=lambda c: c.col) if c.row == r] for r in range(3)]
    assert got == rows
    assert res.lines == []
