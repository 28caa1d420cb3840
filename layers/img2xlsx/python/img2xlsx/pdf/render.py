"""PDFium's part: open the document, check page count and sizes, render each page (turned so its text
runs left to right) and take its text layer. Runs in the render child (see :mod:`img2xlsx.pdf.isolate`)."""

from __future__ import annotations

import contextlib
import math
from typing import TYPE_CHECKING, Any

from img2xlsx.errors import (
    EmptyInputError,
    ImageTooLargeError,
    ImageTooSmallError,
    InputError,
    TruncatedImageError,
)

from .common import LOW_DPI_WARNING, EncryptedPdfError, Limits, damaged_message
from .words import MAX_ANGLE_DEG, affine, directions, text_layer

if TYPE_CHECKING:
    import numpy as np


def render_document(data: bytes, name: str, limits: Limits) -> tuple[dict[str, Any], list[np.ndarray]]:
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
    return TruncatedImageError(damaged_message(name))


def _page_size(doc: Any, index: int, name: str) -> tuple[float, float]:
    import pypdfium2 as pdfium

    try:
        width, height = doc.get_page_size(index)
    except pdfium.PdfiumError:
        raise TruncatedImageError(f"{name}: page {index + 1} of the PDF is damaged") from None
    if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
        raise TruncatedImageError(f"{name}: page {index + 1} of the PDF has no valid size")
    return float(width), float(height)


def _scales(sizes: list[tuple[float, float]], limits: Limits, name: str) -> list[float]:
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
            words, note = text_layer(textpage, posconv, rgb)
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
    for _, _, angle in directions(textpage, affine(posconv), limit=2000):
        quarter = round(angle / 90) % 4
        if abs(angle - 90 * round(angle / 90)) <= MAX_ANGLE_DEG:
            votes[quarter] += 1
    best = max(range(4), key=lambda q: votes[q])
    return 90 * best if votes[best] > 2 * votes[0] else 0
