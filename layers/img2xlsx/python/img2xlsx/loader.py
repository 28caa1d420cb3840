"""Decode an uploaded picture or PDF into upright RGB uint8 pages, refusing bad input before it costs memory.

Limits are checked on the header (dimensions, frame count, PDF page count and page sizes) before any pixel is
decoded, so a decompression bomb or an oversized scan is rejected cheaply. PDFs are told apart by their
content, never by their name, and rendered by :mod:`img2xlsx.pdf` (with their text layer where usable).
Every failure is an :class:`img2xlsx.errors.InputError` subclass whose message can be shown to the user as is.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from img2xlsx.env import env_int
from img2xlsx.errors import (
    EmptyInputError,
    ImageTooLargeError,
    ImageTooSmallError,
    NotAnImageError,
    TruncatedImageError,
    UnsupportedFormatError,
)

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from img2xlsx.ocr import Word


DEFAULT_MAX_BYTES = env_int("IMG2XLSX_MAX_BYTES", 20 * 1024 * 1024)
DEFAULT_MAX_PIXELS = env_int("IMG2XLSX_MAX_PIXELS", 50_000_000)  # per page
DEFAULT_MIN_SIDE = 8
DEFAULT_MAX_PAGES = 50
DEFAULT_MAX_TOTAL_PIXELS = 150_000_000  # all pages of a TIFF together (about 450 MB decoded)

SUPPORTED_FORMATS = frozenset({"PNG", "JPEG", "MPO", "WEBP", "TIFF", "BMP", "DIB", "GIF", "HEIF", "AVIF"})
SUPPORTED_LABEL = "PNG, JPEG, WebP, TIFF, BMP, GIF, HEIC or PDF"

Source = bytes | bytearray | memoryview | str | os.PathLike[str]

_heif_registered = False

# Leading bytes of common non-image uploads, so the error can say what the file actually is.
_KNOWN_NON_IMAGES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x1f\x8b", "a gzip archive"),
)
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"})


def _register_heif() -> None:
    """Teach Pillow HEIC/HEIF only when a file looks like one (pillow-heif costs import time)."""
    global _heif_registered
    if _heif_registered:
        return
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - the engine extra installs it
        return
    _heif_registered = True


def _looks_like_heif(head: bytes) -> bool:
    return len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def _describe_non_image(head: bytes) -> str | None:
    """Name what a non-image upload is, or None when it might still be an image."""
    for magic, what in _KNOWN_NON_IMAGES:
        if head.startswith(magic):
            return what
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in head.lower()):
        return "an SVG drawing (vector images are not supported; export it as PNG)"
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "an HTML page"
    if text.startswith(b"<?xml"):
        return "an XML document"
    if text.startswith((b"{", b"[")):
        return "a JSON or text file"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(ch >= 32 or ch in (9, 10, 13) for ch in head)
    if head and printable / len(head) > 0.95:
        return "a text file"
    return None


def _read_source(source: Source, max_bytes: int, name: str | None) -> tuple[bytes, str]:
    """Return the raw bytes and a display name; the size limit is checked before reading a file."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = name or "the upload"
    else:
        path = Path(source)
        name = name or path.name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise NotAnImageError(f"{name}: file not found") from None
        except OSError as exc:
            raise NotAnImageError(f"{name}: cannot read file ({exc.strerror or exc})") from None
        if path.is_dir():
            raise NotAnImageError(f"{name}: is a directory, not an image")
        if size > max_bytes:
            raise ImageTooLargeError(f"{name}: file is {_mb(size)}, larger than the {_mb(max_bytes)} limit")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise NotAnImageError(f"{name}: cannot read file ({exc.strerror or exc})") from None
    if not data:
        raise EmptyInputError(f"{name}: the file is empty")
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"{name}: file is {_mb(len(data))}, larger than the {_mb(max_bytes)} limit")
    return data, name


def _bomb_message(name: str) -> str:
    return f"{name}: image dimensions are too large (possible decompression bomb)"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _detail(exc: BaseException) -> str:
    """A decoder's own words on one line (libheif's end with a newline), short enough for a status."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _open(data: bytes, name: str) -> Image.Image:
    """Open the header only (Pillow is lazy): format and size are known, pixels are not decoded yet."""
    from PIL import Image, UnidentifiedImageError

    # Our header check (below) enforces the pixel limit; Pillow's own warning would only add stderr noise.
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
    # Nor its notes on damaged tags ("Corrupt EXIF data"): they print Pillow's source lines to the user.
    warnings.filterwarnings("ignore", category=UserWarning, module="PIL")
    head = data[:64]
    if _looks_like_heif(head):
        _register_heif()
    try:
        img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageTooLargeError(_bomb_message(name)) from None
    except UnidentifiedImageError:
        what = _describe_non_image(data[:512])
        if what:
            raise NotAnImageError(f"{name}: this is {what}, not an image") from None
        raise UnsupportedFormatError(
            f"{name}: not a recognised image format (supported: {SUPPORTED_LABEL})"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise TruncatedImageError(f"{name}: the image header is damaged ({_detail(exc)})") from None
    if img.format not in SUPPORTED_FORMATS:
        fmt = img.format or "unknown"
        raise UnsupportedFormatError(f"{name}: {fmt} images are not supported (supported: {SUPPORTED_LABEL})")
    return img


def _check_size(width: int, height: int, name: str, max_pixels: int, min_side: int) -> None:
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"{name}: image is {width}x{height} = {width * height / 1e6:.1f} MP, "
            f"larger than the {max_pixels / 1e6:.0f} MP limit"
        )
    if min(width, height) < min_side:
        raise ImageTooSmallError(
            f"{name}: image is {width}x{height} px, too small to hold a table (min {min_side} px a side)"
        )


def _to_rgb(frame: Image.Image) -> Image.Image:
    """Flatten any mode (16-bit, palette, CMYK, grey, alpha) to 8-bit RGB on a white background."""
    from PIL import Image

    mode = frame.mode
    if mode == "P":
        frame = frame.convert("RGBA" if "transparency" in frame.info else "RGB")
    elif mode in ("PA", "LA", "La", "RGBa"):
        frame = frame.convert("RGBA")
    elif mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        frame = _scale_wide_grey(frame)
    elif mode in ("L", "RGB") and "transparency" in frame.info:
        frame = frame.convert("RGBA")
    mode = frame.mode
    if mode == "RGBA":
        background = Image.new("RGB", frame.size, (255, 255, 255))
        background.paste(frame, mask=frame.getchannel("A"))
        return background
    if mode != "RGB":
        frame = frame.convert("RGB")
    return frame


def _scale_wide_grey(frame: Image.Image) -> Image.Image:
    """Map 16-bit / 32-bit / float greyscale onto 0..255 by its own range (Pillow would clip at 255)."""
    import numpy as np
    from PIL import Image

    arr = np.asarray(frame, dtype=np.float64)
    if frame.mode.startswith("I;16"):
        lo, hi = 0.0, 65535.0
    else:
        lo, hi = float(arr.min()), float(arr.max())
        if hi <= 255 and lo >= 0:
            lo, hi = 0.0, 255.0
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    out = np.clip((arr - lo) * scale, 0, 255).round().astype(np.uint8)
    return Image.fromarray(out, mode="L")


def _decode_frame(img: Image.Image, name: str, page: int) -> np.ndarray:
    import numpy as np
    from PIL import Image, ImageOps

    try:
        img.load()
        upright = ImageOps.exif_transpose(img)
        rgb = _to_rgb(upright if upright is not None else img)
        arr = np.asarray(rgb, dtype=np.uint8)
    except Image.DecompressionBombError:
        raise ImageTooLargeError(_bomb_message(name)) from None
    except (OSError, SyntaxError, ValueError, EOFError, TypeError) as exc:  # TypeError: a damaged TIFF
        where = f" (page {page + 1})" if page else ""
        message = f"{name}: the image data is truncated or damaged{where} ({_detail(exc)})"
        raise TruncatedImageError(message) from None
    return np.ascontiguousarray(arr)


def _page_count(img: Image.Image, name: str) -> int:
    """Pages of a TIFF (counting walks every page's header, which may be damaged); 1 for other formats."""
    if img.format != "TIFF":
        return 1
    try:
        return int(getattr(img, "n_frames", 1) or 1)
    except (EOFError, OSError, ValueError, SyntaxError, TypeError) as exc:  # "Missing dimensions": TypeError
        raise TruncatedImageError(f"{name}: the list of pages is damaged ({_detail(exc)})") from None


def _seek(img: Image.Image, index: int, name: str) -> None:
    from PIL import Image

    try:
        img.seek(index)
    except Image.DecompressionBombError:
        raise ImageTooLargeError(_bomb_message(name)) from None
    except (EOFError, OSError, ValueError, SyntaxError, TypeError) as exc:  # TypeError: a damaged TIFF
        message = f"{name}: page {index + 1} is missing or damaged ({_detail(exc)})"
        raise TruncatedImageError(message) from None


@dataclass
class LoadedPage:
    """One page of the input, as the engine reads it.

    ``text_words``: the page's own words (a born-digital PDF page, or a scan's OCR layer that sits on the
    ink), in ``rgb`` pixels with x1/y1 exclusive and confidence 1.0; None when the page has no usable text
    layer (every image, and PDF pages whose text is missing, unreadable or invisible).
    """

    rgb: np.ndarray  # HxWx3 uint8
    index: int  # 0-based page number in the input
    kind: Literal["image", "pdf"] = "image"
    text_words: list[Word] | None = None
    dpi: float | None = None  # PDF pages: the resolution they were rendered at
    text_note: str = ""  # PDF pages: whether (and why not) the text layer is used
    warnings: list[str] = field(default_factory=list)


def load_document(
    source: Source,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    min_side: int = DEFAULT_MIN_SIDE,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_pdf_pages: int | None = None,
    max_total_pixels: int = DEFAULT_MAX_TOTAL_PIXELS,
    name: str | None = None,
) -> list[LoadedPage]:
    """Every page of a picture or PDF, with what else the input tells about it (a PDF's text layer).

    PDF pages are rendered at about 200 dpi within the same per-page and total pixel limits as pictures;
    ``max_pdf_pages`` (default ``IMG2XLSX_MAX_PDF_PAGES``, 20) is checked before any page is rendered.
    """
    data, name = _read_source(source, max_bytes, name)
    from img2xlsx import pdf

    if pdf.is_pdf(data[:1024]):
        pdf_pages = pdf.load_pdf(
            data,
            name,
            max_pixels=max_pixels,
            min_side=min_side,
            max_total_pixels=max_total_pixels,
            max_pages=max_pdf_pages or pdf.DEFAULT_MAX_PDF_PAGES,
        )
        return [
            LoadedPage(p.rgb, i, "pdf", p.words, p.dpi, p.text_note, p.warnings)
            for i, p in enumerate(pdf_pages)
        ]
    arrays = _load_image(data, name, max_pixels, min_side, max_pages, max_total_pixels)
    return [LoadedPage(rgb, i) for i, rgb in enumerate(arrays)]


def load_pages(
    source: Source,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    min_side: int = DEFAULT_MIN_SIDE,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_total_pixels: int = DEFAULT_MAX_TOTAL_PIXELS,
    name: str | None = None,
) -> list[np.ndarray]:
    """Decode every page (TIFF, PDF) or the first frame (GIF, animated WebP) as an ``HxWx3`` RGB uint8 array.

    Every page's header is checked (size, count, total pixels) before the first pixel is decoded. ``name``
    is how error messages refer to the input (default: the file name, or "the upload" for bytes).
    :func:`load_document` gives the same pages with what else is known about them (a PDF's text layer).
    """
    pages = load_document(
        source,
        max_bytes=max_bytes,
        max_pixels=max_pixels,
        min_side=min_side,
        max_pages=max_pages,
        max_total_pixels=max_total_pixels,
        name=name,
    )
    return [p.rgb for p in pages]


def _load_image(
    data: bytes, name: str, max_pixels: int, min_side: int, max_pages: int, max_total_pixels: int
) -> list[np.ndarray]:
    """Every page of a picture, each page's header checked before the first pixel is decoded."""
    img = _open(data, name)
    try:
        n_frames = _page_count(img, name)
        if n_frames > max_pages:
            raise ImageTooLargeError(f"{name}: {n_frames} pages, more than the {max_pages}-page limit")
        total = 0
        for index in range(n_frames):
            if index:
                _seek(img, index, name)
            width, height = img.size
            _check_size(width, height, name, max_pixels, min_side)
            total += width * height
        if total > max_total_pixels:
            raise ImageTooLargeError(
                f"{name}: {n_frames} pages of {total / 1e6:.0f} MP in all, "
                f"more than the {max_total_pixels / 1e6:.0f} MP limit"
            )
        pages: list[np.ndarray] = []
        for index in range(n_frames):
            if index or n_frames > 1:
                _seek(img, index, name)
            pages.append(_decode_frame(img, name, index))
    finally:
        img.close()
    return pages
