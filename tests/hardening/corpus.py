"""The bad-input corpus, generated on the fly (nothing binary is stored): every kind of messy or hostile
upload the converter must survive, each with what it must produce — a workbook, or a specific input error.

Images are kept small so the whole corpus converts in seconds on a shared CI core.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import pdfs

OK = "ok"  # a valid workbook (possibly with a "no table found" warning)


@dataclass(frozen=True)
class Case:
    """One corpus entry. ``expect`` is OK or the set of acceptable ``InputError.code`` values."""

    name: str  # also the upload's file name: the suffix is what a user's file would carry
    make: Callable[[], bytes]
    expect: str | frozenset[str]
    content_type: str = "image/png"
    tags: frozenset[str] = field(default_factory=frozenset)

    @property
    def ok(self) -> bool:
        return self.expect == OK

    def data(self) -> bytes:
        return self.make()


def _font(size: int = 16) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def table_image(
    rows: int = 4, cols: int = 3, cell: tuple[int, int] = (90, 30), mode: str = "RGB"
) -> Image.Image:
    """A small bordered table with a header row and numbers: the smallest thing worth converting."""
    w, h = cell
    margin = 12
    img = Image.new("RGB", (cols * w + 2 * margin, rows * h + 2 * margin), "white")
    draw = ImageDraw.Draw(img)
    font = _font()
    for r in range(rows + 1):
        draw.line([(margin, margin + r * h), (margin + cols * w, margin + r * h)], fill="black", width=2)
    for c in range(cols + 1):
        draw.line([(margin + c * w, margin), (margin + c * w, margin + rows * h)], fill="black", width=2)
    for r in range(rows):
        for c in range(cols):
            text = ["Item", "Qty", "Price"][c % 3] if r == 0 else (f"A{r}" if c == 0 else str(r * 10 + c))
            draw.text((margin + c * w + 8, margin + r * h + 6), text, fill="black", font=font)
    return img if mode == "RGB" else img.convert(mode)


def _save(img: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A ~100-byte PNG whose header promises width x height pixels (a decompression bomb's first line)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    idat = zlib.compress(row * 4, 9)  # a few rows; the rest would follow if a decoder asked for it
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def text_chunk_bomb_png() -> bytes:
    """A small table PNG carrying a zTXt comment that inflates to 20 MB (a bomb hidden in metadata)."""
    png = _save(table_image(), "PNG")
    comment = _png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * (20 << 20), 9))
    return png[:33] + comment + png[33:]  # right after IHDR


def zlib_bomb_png(side: int = 6000) -> bytes:
    """A real, complete, legal-size PNG (white, 36 MP) that compresses to a few dozen KB."""
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _truncated(fmt: str) -> bytes:
    data = _save(table_image(), fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return data[: len(data) // 2]


def _gif_animated() -> bytes:
    first = table_image().convert("P")
    second = Image.new("P", first.size, 0)
    return _save(first, "GIF", save_all=True, append_images=[second], duration=200, loop=0)


def _sixteen_bit() -> bytes:
    grey = np.asarray(table_image().convert("L"), dtype=np.uint16) * 257  # the full 16-bit range
    return _save(Image.fromarray(grey.astype(np.uint16)), "PNG")


def _alpha() -> bytes:
    img = table_image().convert("RGBA")
    arr = np.asarray(img).copy()
    arr[..., 3] = np.where(arr[..., 0] > 128, 0, 255)  # transparent background, opaque ink
    return _save(Image.fromarray(arr), "PNG")


def _exif_rotated() -> bytes:
    """A phone photo stored sideways with EXIF orientation 6 (display rotated 90° clockwise)."""
    upright = table_image()
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what the sensor wrote
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(stored, "JPEG", quality=92, exif=exif.tobytes())


def _heic() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    return _save(table_image(), "HEIF", quality=90)


def _noise() -> bytes:
    rng = np.random.default_rng(1234)
    return _save(Image.fromarray(rng.integers(0, 256, (160, 240, 3), dtype=np.uint8)), "PNG")


def _text_no_table() -> bytes:
    img = Image.new("RGB", (360, 140), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(["Meeting notes", "Bring the quarterly figures", "and the signed contract."]):
        draw.text((14, 12 + i * 38), line, fill="black", font=_font(20))
    return _save(img, "PNG")


def _long_thin() -> bytes:
    img = Image.new("RGB", (6000, 24), "white")
    ImageDraw.Draw(img).text((10, 2), "a very long thin strip " * 20, fill="black", font=_font(14))
    return _save(img, "PNG")


def _multipage_tiff(pages: int) -> bytes:
    frames = [Image.new("L", (32, 32), 255) for _ in range(pages)]
    return _save(frames[0], "TIFF", save_all=True, append_images=frames[1:])


def table_rows(rows: int = 4, cols: int = 3) -> list[list[str]]:
    """The texts of :func:`table_image`, for the same table drawn by a PDF."""
    return [
        [
            ["Item", "Qty", "Price"][c % 3] if r == 0 else (f"A{r}" if c == 0 else str(r * 10 + c))
            for c in range(cols)
        ]
        for r in range(rows)
    ]


def _pdf_table() -> bytes:
    """The corpus table as a born-digital PDF (text and rules drawn by the PDF, 12 pt on a letter page)."""
    return pdfs.document([pdfs.table_page(table_rows(), col_width=90, row_height=30, font_size=12).content])


def _pdf_scan() -> bytes:
    return pdfs.scanned_pdf([table_image()], dpi=100)


_TEXT = b"name,amount\nthis is a text file renamed to .png\n" * 10
_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>\n'
)
_HTML = b"<!DOCTYPE html>\n<html><head><title>x</title></head><body><table><tr><td>1</td></tr></table></body>"

BAD_INPUT = frozenset({"not_an_image", "unsupported_format"})
PDF = "application/pdf"

CASES: list[Case] = [
    Case("empty.png", lambda: b"", frozenset({"empty"})),
    Case("cut-short.png", lambda: _truncated("PNG"), frozenset({"truncated"})),
    Case("cut-short-photo.jpg", lambda: _truncated("JPEG"), frozenset({"truncated"}), "image/jpeg"),
    Case("cut-short.heic", lambda: _heic()[:400], frozenset({"truncated"}), "image/heic"),
    Case("text-file.png", lambda: _TEXT, BAD_INPUT),
    Case("document.png", lambda: _PDF, frozenset({"truncated"})),  # a broken PDF, whatever its name
    Case("drawing.png", lambda: _SVG, BAD_INPUT),
    Case("page.png", lambda: _HTML, BAD_INPUT),
    Case("bomb.png", png_bomb, frozenset({"too_large"})),
    Case("metadata-bomb.png", text_chunk_bomb_png, frozenset({"truncated", "too_large"})),
    Case("one-pixel.png", lambda: _save(Image.new("RGB", (1, 1), "white"), "PNG"), frozenset({"too_small"})),
    Case("too-many-pages.tiff", lambda: _multipage_tiff(60), frozenset({"too_large"}), "image/tiff"),
    Case("table.png", lambda: _save(table_image(), "PNG"), OK, tags=frozenset({"table"})),
    Case("animated.gif", _gif_animated, OK, "image/gif"),
    Case("cmyk.jpg", lambda: _save(table_image(mode="CMYK"), "JPEG", quality=92), OK, "image/jpeg"),
    Case("sixteen-bit.png", _sixteen_bit, OK),
    Case("alpha.png", _alpha, OK),
    Case("exif-rotated.jpg", _exif_rotated, OK, "image/jpeg", frozenset({"rotated"})),
    Case("photo.heic", _heic, OK, "image/heic"),
    Case(
        "blank.png",
        lambda: _save(Image.new("RGB", (240, 160), "white"), "PNG"),
        OK,
        tags=frozenset({"empty"}),
    ),
    Case(
        "black.png",
        lambda: _save(Image.new("RGB", (240, 160), "black"), "PNG"),
        OK,
        tags=frozenset({"empty"}),
    ),
    Case("noise.png", _noise, OK),
    Case("text-no-table.png", _text_no_table, OK, tags=frozenset({"text"})),
    Case("long-thin.png", _long_thin, OK),
    # PDFs: born-digital, scanned, and every way a PDF can be hostile (see pdfs.py)
    Case("born-digital.pdf", _pdf_table, OK, PDF, frozenset({"table"})),
    Case("scanned.pdf", _pdf_scan, OK, PDF, frozenset({"table"})),
    Case("locked.pdf", pdfs.encrypted_pdf, frozenset({"encrypted"}), PDF),
    Case("damaged.pdf", pdfs.truncated_pdf, frozenset({"truncated"}), PDF),
    Case("garbage.pdf", pdfs.garbage_pdf, frozenset({"truncated"}), PDF),
    Case("no-pages.pdf", pdfs.zero_page_pdf, frozenset({"empty"}), PDF),
    Case("huge-page.pdf", pdfs.huge_page_pdf, OK, PDF),
    Case("thousand-pages.pdf", pdfs.many_pages_pdf, frozenset({"too_large"}), PDF),
    Case("scripted-form.pdf", pdfs.scripted_form_pdf, OK, PDF),
    Case("pdf-bomb.pdf", pdfs.bomb_pdf, OK, PDF),  # 2.6 MB inflating to 1 GB: rendered within the limits
    Case("pdf-image-bomb.pdf", pdfs.image_bomb_pdf, OK, PDF),
]


def by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)
