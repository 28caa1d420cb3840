"""PDF pages in: each page rendered to RGB at reading resolution, with the PDF's own words where they are
usable (born-digital pages, or a scan's OCR layer that matches the ink).

PDFium (pypdfium2, which ships its own binary) does the parsing and rendering. A PDF can cost far more to
render than its size suggests (a 250 KB file can hold a 100 MB content stream: 30 s and 1.6 GB), so by default
the whole job runs in a forked child process with a CPU-time and an address-space limit, and the parent
stops waiting at a wall-clock deadline: a hostile file ends as a one-line error, never as a hang or an
out-of-memory kill of the converter. Page count, page size and pixel budget are checked before any page is
rendered.

Forms are flattened (a filled-in field's value becomes page content, in the picture and in the text
layer); JavaScript never runs (this PDFium build has no JavaScript engine, and no form actions are fired).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import select
import signal
import struct
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from img2xlsx.errors import (
    EmptyInputError,
    ImageTooLargeError,
    ImageTooSmallError,
    InputError,
    TruncatedImageError,
)
from img2xlsx.ocr import Word

if TYPE_CHECKING:
    import numpy as np


def _env_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


DEFAULT_DPI = 200  # reading resolution: 10 pt text is ~20 px tall, what the recogniser normalises to anyway
DEFAULT_MAX_PDF_PAGES = _env_int("IMG2XLSX_MAX_PDF_PAGES", 20)
# What the render child may spend on the whole file. Ordinary pages take ~0.1 s and ~50 MB each.
RENDER_CPU_SECONDS = _env_int("IMG2XLSX_PDF_RENDER_SECONDS", 20)
RENDER_MEMORY_MB = _env_int("IMG2XLSX_PDF_RENDER_MB", 1536)
# Off only for fuzzing (fuzz/fuzz_loader.py), where a PDFium crash or hang must surface as one.
ISOLATE = os.environ.get("IMG2XLSX_PDF_ISOLATE", "1") != "0"
LOW_DPI_WARNING = 72  # a page rendered below this (a huge page scaled into the pixel limit) gets a warning

# When a page's text layer is trusted: enough visible characters, nearly all of them real text (fonts without
# a Unicode map give private-use or replacement characters), nearly all of them on ink in the rendered page
# (a scan's invisible OCR layer is fine when it sits on the scanned glyphs; text hidden under an image, or
# white on white, is not).
MIN_TEXT_CHARS = 3
MAX_GARBAGE_SHARE = 0.1
MIN_ON_INK_SHARE = 0.8
INK_CONTRAST = 40  # grey levels between the darkest and lightest pixel of a glyph box that count as ink
MAX_ANGLE_DEG = 2.0  # rotated characters (vertical column headers) are left to the page picture

TEXT_LAYER_NOTE = "text from the PDF's text layer"


class EncryptedPdfError(InputError):
    """The PDF needs a password to open."""

    code = "encrypted"


@dataclass
class PdfPage:
    """One rendered page: its picture, and its own words when its text layer is usable."""

    rgb: np.ndarray  # HxWx3 uint8
    dpi: float  # pixels per inch the page was rendered at
    words: list[Word] | None = None  # in ``rgb`` pixels, x1/y1 exclusive; None: no usable text layer
    text_note: str = ""  # why the text layer was used or not, for logs and reports
    warnings: list[str] = field(default_factory=list)


def is_pdf(head: bytes) -> bool:
    """PDF by content, not by name: the header may follow up to 1 KB of junk (readers accept that)."""
    return b"%PDF-" in head[:1024]


@dataclass(frozen=True)
class _Limits:
    max_pixels: int
    min_side: int
    max_pages: int
    max_total_pixels: int
    dpi: float


def load_pdf(
    data: bytes,
    name: str,
    *,
    max_pixels: int,
    min_side: int,
    max_total_pixels: int,
    max_pages: int = DEFAULT_MAX_PDF_PAGES,
    dpi: float = DEFAULT_DPI,
    isolate: bool | None = None,
) -> list[PdfPage]:
    """Render every page (refusing too many pages before rendering any) and extract usable text layers.

    ``isolate`` (default: ``ISOLATE``, on) runs PDFium in a forked child with CPU, memory and wall-clock
    limits (where fork exists).
    Raises an :class:`~img2xlsx.errors.InputError` with a one-line message for every unusable file.
    """
    limits = _Limits(max_pixels, min_side, max_pages, max_total_pixels, dpi)
    if (ISOLATE if isolate is None else isolate) and hasattr(os, "fork"):
        header, blobs = _run_isolated(lambda: _render_document(data, name, limits), name)
    else:
        header, blobs = _render_document(data, name, limits)
    return _pages_from(header, blobs)


# --- rendering (runs in the child) ------------------------------------------------------------------------


def _render_document(data: bytes, name: str, limits: _Limits) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Everything PDFium does, as a JSON-able header (per-page facts and words) and the page pictures."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _open_error(exc, name) from None
    try:
        n_pages = len(doc)
        if n_pages == 0:
            raise EmptyInputError(f"{name}: the PDF has no pages (it may be damaged)")
        if n_pages > limits.max_pages:
            raise ImageTooLargeError(
                f"{name}: the PDF has {n_pages} pages, more than the {limits.max_pages}-page limit"
            )
        with contextlib.suppress(Exception):  # a broken form must not stop the page from rendering
            doc.init_forms()  # before the first page is loaded, so widgets can be flattened
        sizes = [_page_size(doc, index, name) for index in range(n_pages)]
        scales = _scales(sizes, limits, name)
        header: dict[str, Any] = {"pages": []}
        pictures: list[np.ndarray] = []
        for index, scale in enumerate(scales):
            rgb, facts = _render_page(doc, index, scale, name)
            pictures.append(rgb)
            header["pages"].append(facts)
        return header, pictures
    finally:
        doc.close()


def _open_error(exc: Exception, name: str) -> InputError:
    import pypdfium2.raw as raw

    code = getattr(exc, "err_code", None)
    if code == raw.FPDF_ERR_SUCCESS:  # PDFium refuses a document without pages, but with no error
        return EmptyInputError(f"{name}: the PDF has no pages")
    if code == raw.FPDF_ERR_PASSWORD:
        return EncryptedPdfError(f"{name}: the PDF is password-protected; remove the password and try again")
    if code == raw.FPDF_ERR_SECURITY:
        return EncryptedPdfError(f"{name}: the PDF uses an unsupported encryption scheme")
    return TruncatedImageError(_damaged_message(name))


def _damaged_message(name: str) -> str:
    return f"{name}: the PDF is damaged and cannot be read"


def _page_size(doc: Any, index: int, name: str) -> tuple[float, float]:
    import pypdfium2 as pdfium

    try:
        width, height = doc.get_page_size(index)
    except pdfium.PdfiumError:
        raise TruncatedImageError(f"{name}: page {index + 1} of the PDF is damaged") from None
    if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
        raise TruncatedImageError(f"{name}: page {index + 1} of the PDF has no valid size")
    return float(width), float(height)


def _scales(sizes: list[tuple[float, float]], limits: _Limits, name: str) -> list[float]:
    """Pixels per point for each page: the reading resolution, lowered for pages that would exceed the
    per-page pixel limit, and lowered evenly for all pages when together they would exceed the total."""
    base = limits.dpi / 72.0
    scales = [min(base, math.sqrt(limits.max_pixels / (w * h))) for w, h in sizes]
    total = sum(w * h * s * s for (w, h), s in zip(sizes, scales, strict=True))
    if total > limits.max_total_pixels:
        shrink = math.sqrt(limits.max_total_pixels / total)
        scales = [s * shrink for s in scales]
    for index, ((w, h), s) in enumerate(zip(sizes, scales, strict=True)):
        if min(round(w * s), round(h * s)) < limits.min_side:
            raise ImageTooSmallError(
                f"{name}: page {index + 1} is {w:.0f}x{h:.0f} pt, too small to hold a table"
            )
    return scales


def _render_page(doc: Any, index: int, scale: float, name: str) -> tuple[np.ndarray, dict[str, Any]]:
    import numpy as np
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        page = doc[index]
        if raw.FPDFPage_GetAnnotCount(page.raw) > 0 and page.formenv is not None:
            page.flatten(raw.FLAT_PRINT)  # form values and stamps become page content
            page.close()
            page = doc[index]
        textpage = page.get_textpage()
        try:
            turn = _upright_turn(page, textpage)
            bitmap = page.render(
                scale=scale, rotation=turn, rev_byteorder=True, may_draw_forms=False, draw_annots=True
            )
            rgb = np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
            height, width = rgb.shape[:2]
            posconv = pdfium.PdfPosConv(page, (0, 0, width, height, turn // 90))
            words, note = _text_layer(textpage, posconv, rgb)
        finally:
            textpage.close()
    except pdfium.PdfiumError as exc:
        raise TruncatedImageError(f"{name}: page {index + 1} of the PDF cannot be rendered ({exc})") from None
    dpi = scale * 72.0
    facts: dict[str, Any] = {"dpi": dpi, "note": note, "warnings": []}
    if turn:
        facts["warnings"].append(f"the page was turned by {turn}° clockwise to read its text upright")
    if dpi < LOW_DPI_WARNING:
        facts["warnings"].append(f"the page is very large: rendered at only {dpi:.0f} dpi")
    facts["words"] = None if words is None else [[w.text, *w.bbox, *w.line_id] for w in words]
    return rgb, facts


def _upright_turn(page: Any, textpage: Any) -> int:
    """The clockwise quarter turn (0, 90, 180, 270) that makes most of the page's text run left to right as
    displayed: a landscape table printed sideways on a portrait page is read upright, text layer and all."""
    import pypdfium2 as pdfium

    posconv = pdfium.PdfPosConv(page, (0, 0, 1000, 1000, 0))
    votes = [0, 0, 0, 0]
    for _, _, angle in _directions(textpage, _affine(posconv), limit=2000):
        quarter = round(angle / 90) % 4
        if abs(angle - 90 * round(angle / 90)) <= MAX_ANGLE_DEG:
            votes[quarter] += 1
    best = max(range(4), key=lambda q: votes[q])
    return 90 * best if votes[best] > 2 * votes[0] else 0


def _directions(
    textpage: Any, to_px: Callable[[float, float], tuple[float, float]], limit: int | None = None
) -> list[tuple[int, str, float]]:
    """(index, character, displayed angle in degrees counter-clockwise) of the visible characters."""
    import pypdfium2.raw as raw

    matrix = raw.FS_MATRIX()
    ox, oy = to_px(0, 0)
    out = []
    n = textpage.count_chars()
    for i in range(n if limit is None else min(n, limit)):
        code = raw.FPDFText_GetUnicode(textpage.raw, i)
        if code <= 32 or raw.FPDFText_IsGenerated(textpage.raw, i) == 1:
            continue
        if not raw.FPDFText_GetMatrix(textpage.raw, i, matrix):
            continue
        dx, dy = to_px(matrix.a, matrix.b)
        angle = math.degrees(math.atan2(-(dy - oy), dx - ox))  # pixel y runs down
        out.append((i, chr(code) if code < 0x110000 else "", angle))
    return out


# --- the text layer -------------------------------------------------------------------------------------


@dataclass
class _Char:
    text: str
    box: tuple[float, float, float, float]  # pixels: x0, y0, x1, y1 (floats)
    baseline: float  # pixels
    size: float  # font size in pixels
    space: bool


def _affine(posconv: Any) -> Callable[[float, float], tuple[float, float]]:
    """Page points -> bitmap pixels as exact floats (PDFium's own converter rounds to whole pixels)."""
    far = 10000.0
    ox, oy = posconv.to_bitmap(0, 0)
    ax, ay = posconv.to_bitmap(far, 0)
    bx, by = posconv.to_bitmap(0, far)
    m = ((ax - ox) / far, (bx - ox) / far, (ay - oy) / far, (by - oy) / far)

    def convert(x: float, y: float) -> tuple[float, float]:
        return ox + m[0] * x + m[1] * y, oy + m[2] * x + m[3] * y

    return convert


def _chars(textpage: Any, posconv: Any) -> tuple[list[_Char], int]:
    """The page's left-to-right characters in content order, and how many characters were garbage."""
    import ctypes

    import pypdfium2.raw as raw

    tp = textpage.raw
    to_px = _affine(posconv)
    px_per_pt = math.hypot(*(a - b for a, b in zip(to_px(1, 0), to_px(0, 0), strict=True)))
    sideways = {i for i, _, angle in _directions(textpage, to_px) if abs(angle) > MAX_ANGLE_DEG}
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    out: list[_Char] = []
    garbage = 0
    for i in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(tp, i)
        text = chr(code) if 0 < code < 0x110000 else "\ufffd"
        space = text.isspace() or code in (0, 2) or bool(raw.FPDFText_IsGenerated(tp, i))
        if not space and (raw.FPDFText_HasUnicodeMapError(tp, i) == 1 or _is_garbage(text)):
            garbage += 1
            continue
        if i in sideways or not raw.FPDFText_GetCharBox(tp, i, left, right, bottom, top):
            continue  # rotated text (vertical column headers) is left to the page picture
        raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
        corners = [to_px(x, y) for x in (left.value, right.value) for y in (bottom.value, top.value)]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        baseline = to_px(ox.value, oy.value)[1]
        size = raw.FPDFText_GetFontSize(tp, i) * px_per_pt
        if not space and "\ufb00" <= text <= "\ufb06":  # ligatures: ﬁ -> fi
            text = unicodedata.normalize("NFKC", text)
        out.append(_Char(text, (min(xs), min(ys), max(xs), max(ys)), baseline, size, space))
    return out, garbage


def _is_garbage(text: str) -> bool:
    """A character no real text shows: replacement, private-use, control or unassigned code points."""
    return text == "\ufffd" or unicodedata.category(text) in ("Co", "Cc", "Cn", "Cs")


def _words(chars: list[_Char], page_size: tuple[int, int]) -> list[Word]:
    """Characters grouped into words (split at spaces, baseline jumps, backward steps and wide gaps), each
    with the union of its glyph boxes in pixels; line ids group words that share a baseline."""
    groups: list[list[_Char]] = []
    current: list[_Char] = []
    for ch in chars:
        if ch.space:
            if current:
                groups.append(current)
            current = []
            continue
        if current:
            prev = current[-1]
            em = max(prev.size, ch.size, 1.0)
            if (
                abs(ch.baseline - prev.baseline) > 0.4 * em
                or ch.box[0] < prev.box[0] - 0.1 * em
                or ch.box[0] - prev.box[2] > 0.3 * em
            ):
                groups.append(current)
                current = []
        current.append(ch)
    if current:
        groups.append(current)
    width, height = page_size
    boxed: list[tuple[str, tuple[int, int, int, int], float, float]] = []
    for group in groups:
        x0 = max(0, math.floor(min(c.box[0] for c in group)))
        y0 = max(0, math.floor(min(c.box[1] for c in group)))
        x1 = min(width, math.ceil(max(c.box[2] for c in group)))
        y1 = min(height, math.ceil(max(c.box[3] for c in group)))
        if x1 <= x0 or y1 <= y0:
            continue  # off the page (or a zero-size glyph)
        text = "".join(c.text for c in group)
        baseline = sum(c.baseline for c in group) / len(group)
        size = max(c.size for c in group)
        boxed.append((text, (x0, y0, x1, y1), baseline, size))
    boxed.sort(key=lambda b: b[2])
    line = -1
    line_base = -math.inf
    words: list[tuple[int, float, Word]] = []
    for text, box, baseline, size in boxed:
        if baseline - line_base > 0.4 * max(size, 1.0):
            line += 1
            line_base = baseline
        words.append((line, box[0], Word(text, 1.0, box, (line,))))
    words.sort(key=lambda w: (w[0], w[1]))
    return [w for _, _, w in words]


def _on_ink(words: list[Word], rgb: np.ndarray) -> list[bool]:
    """Whether each word's box holds ink: enough contrast between its darkest and lightest pixel (dark
    text on paper and light text on a dark band both pass; an empty or uniformly filled box does not)."""
    out = []
    for w in words:
        x0, y0, x1, y1 = w.bbox
        box = rgb[y0:y1, x0:x1]
        out.append(box.size > 0 and int(box.max()) - int(box.min()) >= INK_CONTRAST)
    return out


def _text_layer(textpage: Any, posconv: Any, rgb: np.ndarray) -> tuple[list[Word] | None, str]:
    """The page's words when its text layer can replace OCR, else None; and a note saying why."""
    chars, garbage = _chars(textpage, posconv)
    visible = sum(1 for c in chars if not c.space)
    if visible + garbage < MIN_TEXT_CHARS:
        return None, "no text layer"
    if garbage > MAX_GARBAGE_SHARE * (visible + garbage):
        return None, f"text layer not used: {garbage} of {visible + garbage} characters are unreadable"
    height, width = rgb.shape[:2]
    words = _words(chars, (width, height))
    if not words:
        return None, "no text layer on the page"
    ink = _on_ink(words, rgb)
    weights = [len(w.text) for w in words]
    on_share = sum(n for n, on in zip(weights, ink, strict=True) if on) / max(1, sum(weights))
    if on_share < MIN_ON_INK_SHARE:
        return None, f"text layer not used: only {on_share:.0%} of its text is visible on the page"
    kept = [w for w, on in zip(words, ink, strict=True) if on]
    return kept, f"{TEXT_LAYER_NOTE} ({len(kept)} words)"


# --- results across the process boundary ----------------------------------------------------------------


def _pages_from(header: dict[str, Any], blobs: list[np.ndarray]) -> list[PdfPage]:
    pages = []
    for facts, rgb in zip(header["pages"], blobs, strict=True):
        words = None
        if facts["words"] is not None:
            words = [
                Word(str(t), 1.0, (int(a), int(b), int(c), int(d)), (int(ln),))
                for t, a, b, c, d, ln in facts["words"]
            ]
        pages.append(PdfPage(rgb, float(facts["dpi"]), words, str(facts["note"]), list(facts["warnings"])))
    return pages


def _run_isolated(
    work: Callable[[], tuple[dict[str, Any], list[np.ndarray]]], name: str
) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Run ``work`` in a forked child under CPU and address-space limits; its result comes back through a
    pipe (a JSON header, then each page's raw pixels). An InputError in the child is re-raised here; a child
    killed by a limit or past the wall-clock deadline becomes a one-line InputError."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(work, write_fd, name)
    os.close(write_fd)
    deadline = time.monotonic() + 2 * RENDER_CPU_SECONDS + 5
    try:
        header, blobs = _receive(read_fd, deadline)
    except TimeoutError:
        _kill(pid)
        raise ImageTooLargeError(f"{name}: the PDF takes too long to render") from None
    except (EOFError, ValueError, OSError):
        status = _reap(pid)
        raise _death_error(status, name) from None
    finally:
        os.close(read_fd)
    _reap(pid)
    if "error" in header:
        error = header["error"]
        cls = _ERROR_CLASSES.get(error["code"], InputError)
        raise cls(error["message"])
    return header, blobs


_ERROR_CLASSES: dict[str, type[InputError]] = {
    cls.code: cls
    for cls in (
        EncryptedPdfError,
        EmptyInputError,
        ImageTooLargeError,
        ImageTooSmallError,
        TruncatedImageError,
    )
}


def _child(work: Callable[[], tuple[dict[str, Any], list[np.ndarray]]], fd: int, name: str) -> None:
    code = 0
    try:
        _limit_child()
        try:
            header, blobs = work()
        except InputError as exc:
            header, blobs = {"error": {"code": exc.code, "message": exc.message}}, []
        except MemoryError:
            header, blobs = {"error": {"code": "too_large", "message": _memory_message(name)}}, []
        except Exception:  # PDFium surprised by a malformed file: still the file's fault
            header, blobs = {"error": {"code": "truncated", "message": _damaged_message(name)}}, []
        header["shapes"] = [list(b.shape) for b in blobs]
        raw_header = json.dumps(header).encode()
        with os.fdopen(fd, "wb") as out:
            out.write(struct.pack("<Q", len(raw_header)))
            out.write(raw_header)
            for blob in blobs:
                out.write(blob.data.cast("B"))
    except BaseException:  # the parent reports the child's death; the child never runs the parent's code
        code = 70
    os._exit(code)


def _limit_child() -> None:
    import resource

    cpu = max(1, int(RENDER_CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    current = _vm_size()
    if current is not None:
        budget = current + RENDER_MEMORY_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))


def _vm_size() -> int | None:
    """This process's virtual size in bytes (Linux), the base the child's address-space budget adds to."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _read_into(fd: int, view: memoryview, deadline: float) -> None:
    pos = 0
    while pos < len(view):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        n = os.readv(fd, [view[pos:]])
        if n == 0:
            raise EOFError
        pos += n


def _receive(fd: int, deadline: float) -> tuple[dict[str, Any], list[np.ndarray]]:
    import numpy as np

    size = bytearray(8)
    _read_into(fd, memoryview(size), deadline)
    (length,) = struct.unpack("<Q", size)
    if length > 64 * 1024 * 1024:
        raise ValueError("header too large")
    raw_header = bytearray(length)
    _read_into(fd, memoryview(raw_header), deadline)
    header = json.loads(raw_header)
    blobs = []
    for shape in header.pop("shapes", []):
        arr = np.empty(tuple(int(s) for s in shape), dtype=np.uint8)
        _read_into(fd, arr.data.cast("B"), deadline)
        blobs.append(arr)
    return header, blobs


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> int:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return 0
    return status


def _memory_message(name: str) -> str:
    return f"{name}: the PDF needs too much memory to render"


def _death_error(status: int, name: str) -> InputError:
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        return ImageTooLargeError(f"{name}: the PDF takes too long to render")
    return ImageTooLargeError(_memory_message(name) + " (or is damaged)")
