"""Loader: every supported format decodes to upright RGB uint8; every kind of bad input gets its own error."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from img2xlsx import errors
from img2xlsx.env import env_int
from img2xlsx.loader import load_pages
from PIL import Image

W, H = 64, 40


def _picture() -> Image.Image:
    """Left half dark, right half light: lets a test see orientation and colour survive decoding."""
    arr = np.full((H, W, 3), 230, dtype=np.uint8)
    arr[:, : W // 2] = (20, 40, 200)
    return Image.fromarray(arr, "RGB")


def _encode(img: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("fmt", "tolerance"),
    [("PNG", 0), ("JPEG", 12), ("WEBP", 12), ("TIFF", 0), ("BMP", 0), ("GIF", 0)],
)
def test_common_formats_decode_to_rgb(fmt: str, tolerance: int) -> None:
    data = _encode(_picture(), fmt)
    pages = load_pages(data)
    assert len(pages) == 1
    page = pages[0]
    assert page.shape == (H, W, 3) and page.dtype == np.uint8
    left, right = page[H // 2, 4].astype(int), page[H // 2, W - 4].astype(int)
    assert np.abs(right - 230).max() <= tolerance
    assert left[2] > 150 and left[0] < 80  # blue stays blue: channels are RGB, not BGR


def test_heic_is_registered_lazily_and_decodes() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    try:
        buf = io.BytesIO()
        pillow_heif.register_heif_opener()
        _picture().save(buf, format="HEIF", quality=95)
    except (KeyError, OSError, ValueError) as exc:  # pragma: no cover - wheel without an encoder
        pytest.skip(f"no HEIF encoder in this pillow-heif build: {exc}")
    page = load_pages(buf.getvalue())[0]
    assert page.shape == (H, W, 3)
    assert page[H // 2, 4, 2] > 150 and page[H // 2, W - 4].min() > 200


def test_tiff_every_page_is_loaded(tmp_path: Path) -> None:
    first = _picture()
    second = Image.new("RGB", (30, 20), (0, 0, 0))
    path = tmp_path / "scan.tiff"
    first.save(path, format="TIFF", save_all=True, append_images=[second])
    pages = load_pages(path)
    assert [p.shape for p in pages] == [(H, W, 3), (20, 30, 3)]
    assert pages[1].max() == 0


def test_gif_first_frame_only() -> None:
    frames = [Image.new("RGB", (W, H), (255, 255, 255)), Image.new("RGB", (W, H), (0, 0, 0))]
    data = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    pages = load_pages(data)
    assert len(pages) == 1 and pages[0].min() == 255


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    data = _encode(_picture(), "JPEG", exif=exif.tobytes(), quality=95)
    page = load_pages(data)[0]
    assert page.shape == (W, H, 3)  # width and height swapped
    # the dark left half ends up on top after a clockwise turn
    assert page[4, H // 2, 2] > 150 and page[W - 4, H // 2].min() > 200


def test_alpha_is_flattened_on_white() -> None:
    arr = np.zeros((H, W, 4), dtype=np.uint8)
    arr[:, : W // 2] = (0, 0, 0, 255)  # opaque black left, fully transparent right
    page = load_pages(_encode(Image.fromarray(arr, "RGBA"), "PNG"))[0]
    assert page[5, 5].tolist() == [0, 0, 0]
    assert page[5, W - 5].tolist() == [255, 255, 255]


def test_grey_with_alpha_is_flattened() -> None:
    rgba = np.zeros((H, W, 4), dtype=np.uint8)
    rgba[:, : W // 2] = (0, 0, 0, 255)
    img = Image.fromarray(rgba, "RGBA").convert("LA")
    page = load_pages(_encode(img, "PNG"))[0]
    assert page[5, 5].max() < 30 and page[5, W - 5].min() > 225


def test_palette_with_per_entry_alpha() -> None:
    img = Image.new("P", (W, H), 1)
    img.putpalette([200, 0, 0, 0, 0, 0] + [0] * 762)
    img.paste(0, (0, 0, W // 2, H))
    page = load_pages(_encode(img, "PNG", transparency=b"\xff\x00"))[0]  # index 1 fully transparent
    assert page[5, 5].tolist() == [200, 0, 0]
    assert page[5, W - 5].tolist() == [255, 255, 255]


def test_palette_with_transparent_index_on_white() -> None:
    img = Image.new("P", (W, H), 0)
    img.putpalette([0, 0, 0, 10, 200, 10] + [0] * 762)
    img.paste(1, (0, 0, W // 2, H))
    page = load_pages(_encode(img, "PNG", transparency=0))[0]
    assert page[5, 5].tolist() == [10, 200, 10]
    assert page[5, W - 5].tolist() == [255, 255, 255]


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    arr = np.full((H, W), 65535, dtype=np.uint16)
    arr[:, : W // 2] = 32768
    page = load_pages(_encode(Image.fromarray(arr), "PNG"))[0]
    assert page[5, W - 5].tolist() == [255, 255, 255]
    assert 120 <= page[5, 5, 0] <= 135


def test_cmyk_jpeg_and_greyscale() -> None:
    cmyk = Image.new("CMYK", (W, H), (0, 0, 0, 0))  # no ink = white
    assert load_pages(_encode(cmyk, "JPEG", quality=95))[0].min() > 240
    grey = Image.new("L", (W, H), 77)
    page = load_pages(_encode(grey, "PNG"))[0]
    assert page.shape == (H, W, 3) and set(np.unique(page)) == {77}


def test_path_and_bytes_give_the_same_pixels(tmp_path: Path) -> None:
    data = _encode(_picture(), "PNG")
    path = tmp_path / "a.png"
    path.write_bytes(data)
    assert np.array_equal(load_pages(path)[0], load_pages(data)[0])
    assert np.array_equal(load_pages(str(path))[0], load_pages(bytearray(data))[0])


# ----------------------------------------------------------------------------------------- bad input


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(errors.EmptyInputError, match="empty"):
        load_pages(path)
    with pytest.raises(errors.EmptyInputError):
        load_pages(b"")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(errors.InputError, match="not found"):
        load_pages(tmp_path / "nope.png")


@pytest.mark.parametrize(
    ("payload", "said"),
    [
        (b"Quarter,Revenue\nQ1,100\n", "text file"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "SVG"),
        (b"<svg width='10' height='10'></svg>", "SVG"),
        (b"<!DOCTYPE html><html><body><table></table></body></html>", "HTML"),
        (b'{"rows": [1, 2]}', "JSON"),
    ],
)
def test_not_an_image_names_what_it_is(tmp_path: Path, payload: bytes, said: str) -> None:
    path = tmp_path / "table.png"
    path.write_bytes(payload)
    with pytest.raises(errors.NotAnImageError, match=said) as info:
        load_pages(path)
    assert "table.png" in info.value.message


def test_a_pdf_named_like_a_picture_is_read_as_a_pdf(tmp_path: Path) -> None:
    """PDFs are told by their content: a broken one gets a PDF error, not "not an image" (tests/engine/
    test_pdf.py covers the PDFs that load)."""
    path = tmp_path / "table.png"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    with pytest.raises(errors.TruncatedImageError, match="the PDF is damaged") as info:
        load_pages(path)
    assert info.value.message.startswith("table.png: ")


def test_unknown_binary_is_unsupported() -> None:
    rng = np.random.default_rng(0)
    noise = bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tolist())
    noise = b"\x00\x01" + noise  # not valid UTF-8 text either
    with pytest.raises(errors.UnsupportedFormatError, match="supported"):
        load_pages(noise)


def test_image_format_we_do_not_accept() -> None:
    data = _encode(_picture(), "PPM")
    with pytest.raises(errors.UnsupportedFormatError, match="PPM"):
        load_pages(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_image(fmt: str) -> None:
    rng = np.random.default_rng(1)
    noisy = Image.fromarray(rng.integers(0, 256, (200, 200, 3), dtype=np.uint8), "RGB")
    data = _encode(noisy, fmt)
    with pytest.raises(errors.TruncatedImageError, match=r"truncated|damaged"):
        load_pages(data[: len(data) // 2])


def test_damaged_header() -> None:
    data = bytearray(_encode(_picture(), "PNG"))
    data[16:24] = b"\xff" * 8  # IHDR width/height nonsense, CRC now wrong
    with pytest.raises(errors.InputError):
        load_pages(bytes(data))


def test_too_many_bytes_is_refused_before_reading(tmp_path: Path) -> None:
    data = _encode(_picture(), "PNG")
    path = tmp_path / "big.png"
    path.write_bytes(data)
    with pytest.raises(errors.ImageTooLargeError, match="MB"):
        load_pages(path, max_bytes=len(data) - 1)
    with pytest.raises(errors.ImageTooLargeError):
        load_pages(data, max_bytes=100)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims huge dimensions with almost no pixel data: a decompression bomb shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def test_too_many_pixels_is_refused_from_the_header() -> None:
    bomb = _png_header_only(9000, 9000)  # 81 MP claimed, a few bytes of data
    with pytest.raises(errors.ImageTooLargeError, match="MP"):
        load_pages(bomb)
    with pytest.raises(errors.ImageTooLargeError, match="MP"):
        load_pages(_encode(_picture(), "PNG"), max_pixels=W * H - 1)


def test_pillow_bomb_error_is_mapped() -> None:
    bomb = _png_header_only(20000, 20000)  # 400 MP: beyond Pillow's own hard limit
    with pytest.raises(errors.ImageTooLargeError, match="too large"):
        load_pages(bomb, max_pixels=10**12)


def test_too_small() -> None:
    with pytest.raises(errors.ImageTooSmallError, match="too small"):
        load_pages(_encode(Image.new("RGB", (5, 300), "white"), "PNG"))


def test_errors_carry_a_code_and_no_newlines() -> None:
    for payload in (b"", b"hello world", _png_header_only(9000, 9000)):
        with pytest.raises(errors.InputError) as info:
            load_pages(payload)
        assert info.value.code != "bad_input" and "\n" not in info.value.message


def test_multi_page_limits_are_checked_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "many.tiff"
    pages = [Image.new("RGB", (100, 100), (i, i, i)) for i in range(4)]
    pages[0].save(path, format="TIFF", save_all=True, append_images=pages[1:])
    assert len(load_pages(path)) == 4
    with pytest.raises(errors.ImageTooLargeError, match="pages"):
        load_pages(path, max_pages=3)
    with pytest.raises(errors.ImageTooLargeError, match="in all"):
        load_pages(path, max_total_pixels=30_000)


def test_errors_name_the_upload() -> None:
    with pytest.raises(errors.EmptyInputError, match=r"^receipt\.jpg: "):
        load_pages(b"", name="receipt.jpg")
    with pytest.raises(errors.EmptyInputError, match=r"^the upload: "):
        load_pages(b"")


@pytest.mark.parametrize(
    ("raw", "expected"), [("7", 7), ("", 5), ("abc", 5), ("0", 5), ("-3", 5), (" 12 ", 12)]
)
def test_limits_from_the_environment_fall_back_on_bad_values(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: int
) -> None:
    monkeypatch.setenv("IMG2XLSX_TEST_LIMIT", raw)
    assert env_int("IMG2XLSX_TEST_LIMIT", 5) == expected
