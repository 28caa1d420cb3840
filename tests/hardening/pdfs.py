"""PDFs written by hand for the tests (nothing binary is stored): born-digital tables drawn with a standard
font, scans (a picture per page, with or without an invisible OCR layer), and hostile files (encrypted,
damaged, empty, huge pages, a thousand pages, scripts and forms, a decompression bomb).

Everything is plain PDF syntax assembled here, so each file is exactly what its name says; pypdfium2 is only
used to turn a born-digital page into a "scan" (its rendering).
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

Point = tuple[float, float]
# Algorithm 2's padding string (PDF 1.7, 7.6.3.3): pads or stands in for a password.
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_ID = bytes.fromhex("0123456789abcdeffedcba9876543210")


def pdf_bytes(objects: Sequence[bytes], *, trailer: bytes = b"") -> bytes:
    """A complete PDF: objects numbered from 1 (object 1 is the catalog), a valid xref table and trailer."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", *, flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def document(
    contents: Sequence[bytes],
    *,
    size: Point = (612, 792),
    page_extra: bytes = b"",
    catalog_extra: bytes = b"",
    images: Sequence[Image.Image | None] = (),
    extra_objects: Sequence[bytes] = (),
) -> bytes:
    """One page per content stream, all of ``size`` points, sharing Helvetica as /F1; ``images[i]`` (when
    given) is page i's /Im1. ``extra_objects`` are numbered after the pages' objects (see :func:`next_id`)."""
    n = len(contents)
    objects: list[bytes] = [b"", b""]  # catalog and page tree, filled in below
    objects.append(_FONT)  # 3
    kids = []
    for index, content in enumerate(contents):
        page_id = len(objects) + 1
        kids.append(b"%d 0 R" % page_id)
        image = images[index] if index < len(images) else None
        xobject = b" /XObject << /Im1 %d 0 R >>" % (page_id + 2) if image is not None else b""
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >>%s >> %s >>"
            % (size[0], size[1], page_id + 1, xobject, page_extra)
        )
        objects.append(stream(content, flate=True))
        if image is not None:
            objects.append(image_xobject(image))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog_extra
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), n)
    objects.extend(extra_objects)
    return pdf_bytes(objects)


def next_id(contents: Sequence[bytes], images: Sequence[Image.Image | None] = ()) -> int:
    """The object number :func:`document` gives its first extra object."""
    return 3 + 2 * len(contents) + sum(1 for i in images if i is not None) + 1


def image_xobject(image: Image.Image) -> bytes:
    rgb = image.convert("RGB")
    extra = (
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8"
        % (
            rgb.width,
            rgb.height,
        )
    )
    return stream(rgb.tobytes(), extra, flate=True)


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


@dataclass(frozen=True)
class PlacedText:
    """A string the test PDF draws: where (PDF points, origin bottom left, baseline start) and how big."""

    text: str
    x: float
    y: float
    size: float = 10.0


@dataclass(frozen=True)
class TablePage:
    """A ruled table drawn by a content stream: its texts (in reading order) and its rules."""

    content: bytes
    texts: list[PlacedText]
    grid: tuple[list[float], list[float]]  # column edges x, row edges y (points, y from the top edge down)


def table_page(
    rows: Sequence[Sequence[str]],
    *,
    col_width: float = 110.0,
    row_height: float = 24.0,
    origin: Point = (60.0, 700.0),
    font_size: float = 10.0,
    render_mode: int = 0,
    rules: bool = True,
) -> TablePage:
    """A bordered table of ``rows`` drawn with real text (Helvetica), its top left corner at ``origin``."""
    x0, top = origin
    n_cols = max(len(r) for r in rows)
    xs = [x0 + c * col_width for c in range(n_cols + 1)]
    ys = [top - r * row_height for r in range(len(rows) + 1)]
    ops = [b"0 g 1 w"]
    if rules:
        for y in ys:
            ops.append(b"%g %g m %g %g l S" % (xs[0], y, xs[-1], y))
        for x in xs:
            ops.append(b"%g %g m %g %g l S" % (x, ys[0], x, ys[-1]))
    texts = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if not text:
                continue
            placed = PlacedText(text, xs[c] + 6, ys[r + 1] + 0.3 * row_height, font_size)
            texts.append(placed)
            ops.append(
                b"BT %d Tr /F1 %g Tf %g %g Td (%s) Tj ET"
                % (render_mode, font_size, placed.x, placed.y, _escape(text))
            )
    return TablePage(b"\n".join(ops), texts, (xs, ys))


SAMPLE_ROWS = [
    ["Item", "Quantity", "Price"],
    ["Apples", "12", "3.50"],
    ["Pears", "7", "12.25"],
    ["Plums", "140", "0.99"],
]


def born_digital_table(rows: Sequence[Sequence[str]] = SAMPLE_ROWS, pages: int = 1) -> bytes:
    """A born-digital PDF: ``pages`` pages each holding the same ruled table drawn as text and lines."""
    return document([table_page(rows).content for _ in range(pages)])


def render(pdf: bytes, dpi: float = 200) -> list[Image.Image]:
    """Every page as a picture (what a scanner would have seen), through PDFium."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()


def scanned_pdf(pictures: Sequence[Image.Image], dpi: float = 200) -> bytes:
    """A scan: each picture is a page of its own size at ``dpi`` (Pillow's PDF writer, like many scanners)."""
    buf = io.BytesIO()
    first, *rest = [p.convert("RGB") for p in pictures]
    first.save(buf, format="PDF", resolution=dpi, save_all=True, append_images=rest)
    return buf.getvalue()


def scan_with_ocr_layer(rows: Sequence[Sequence[str]] = SAMPLE_ROWS, *, shift: Point = (0, 0)) -> bytes:
    """A scanned page (a picture of the table) under an invisible text layer (render mode 3), the way OCR
    software saves searchable scans. ``shift`` (points) moves the text away from the ink it should cover."""
    page = table_page(rows)
    picture = render(document([page.content]))[0]
    hidden = table_page(rows, origin=(60.0 + shift[0], 700.0 + shift[1]), render_mode=3, rules=False)
    content = b"q 612 0 0 792 0 0 cm /Im1 Do Q\n" + hidden.content
    return document([content], images=[picture])


# --- hostile files ----------------------------------------------------------------------------------------


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(user_password: bytes = b"secret", owner_password: bytes = b"owner") -> bytes:
    """The born-digital table encrypted with the standard security handler (revision 2, 40-bit RC4).

    With a user password the file cannot be opened without it; with an empty one it opens (only the owner's
    permissions are protected), which shows the encryption itself is right."""
    permissions = -4
    owner_key = hashlib.md5((owner_password + _PAD)[:32]).digest()[:5]
    o_value = _rc4(owner_key, (user_password + _PAD)[:32])
    seed = (user_password + _PAD)[:32] + o_value + permissions.to_bytes(4, "little", signed=True) + _ID
    key = hashlib.md5(seed).digest()[:5]
    u_value = _rc4(key, _PAD)

    def encrypt(number: int, data: bytes) -> bytes:
        object_key = hashlib.md5(key + number.to_bytes(3, "little") + b"\x00\x00").digest()[:10]
        return _rc4(object_key, data)

    content = zlib.compress(table_page(SAMPLE_ROWS).content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + encrypt(4, content)
        + b"\nendstream",
        _FONT,
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (o_value.hex().encode(), u_value.hex().encode(), permissions),
    ]
    return pdf_bytes(
        objects, trailer=b"/Encrypt 6 0 R /ID [<%s> <%s>]" % (_ID.hex().encode(), _ID.hex().encode())
    )


def truncated_pdf() -> bytes:
    """The born-digital table cut off in the middle of its content stream (no xref, no trailer)."""
    data = born_digital_table()
    return data[: data.index(b"stream\n") + 20]


def garbage_pdf() -> bytes:
    """A PDF header followed by random bytes: nothing a parser can rebuild."""
    rng = np.random.default_rng(7)
    return b"%PDF-1.7\n" + rng.integers(0, 256, 4000, dtype=np.uint8).tobytes()


def zero_page_pdf() -> bytes:
    return pdf_bytes([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def huge_page_pdf(points: float = 20000) -> bytes:
    """One page of ``points`` x ``points`` (7 m a side; the PDF spec's own limit is 14400) with a table."""
    return document([table_page(SAMPLE_ROWS, origin=(60.0, points - 92.0)).content], size=(points, points))


def many_pages_pdf(pages: int = 1000) -> bytes:
    """``pages`` pages sharing one tiny content stream: a small file that would take minutes to render."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)), pages),
        _FONT,
        stream(table_page(SAMPLE_ROWS).content, flate=True),
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 3 0 R >> >> >>"
    ] * pages
    return pdf_bytes(objects)


FORM_VALUE = "Filled 42"


def scripted_form_pdf() -> bytes:
    """The table plus a filled-in form field (with its appearance), JavaScript run on opening, and a
    JavaScript action on the field: the scripts must never run, the field's value should show."""
    page = table_page(SAMPLE_ROWS)
    contents = [page.content]
    first = next_id(contents)
    field_id, appearance_id, js_id = first, first + 1, first + 2
    appearance = b"/Tx BMC BT /F1 12 Tf 2 6 Td (%s) Tj ET EMC" % _escape(FORM_VALUE)
    page_extra = b"/Annots [%d 0 R]" % field_id
    catalog_extra = (
        b"/AcroForm << /Fields [%d 0 R] /DA (/F1 12 Tf 0 g) /DR << /Font << /F1 3 0 R >> >> >> " % (field_id)
        + b"/OpenAction %d 0 R /Names << /JavaScript << /Names [(init) %d 0 R] >> >>" % (js_id, js_id)
    )
    extra = [
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (amount) /V (%s) /Rect [60 560 260 584] /F 4 "
        b"/DA (/F1 12 Tf 0 g) /AP << /N %d 0 R >> /P 4 0 R "
        b"/AA << /K << /S /JavaScript /JS (app.alert\\('field'\\);) >> >> >>"
        % (_escape(FORM_VALUE), appearance_id),
        stream(
            appearance,
            b"/Type /XObject /Subtype /Form /BBox [0 0 200 24] /Resources << /Font << /F1 3 0 R >> >>",
        ),
        b"<< /S /JavaScript /JS (while \\(true\\) {} app.alert\\('opened'\\);) >>",
    ]
    return document(contents, page_extra=page_extra, catalog_extra=catalog_extra, extra_objects=extra)


def _deflate_repeated(chunk: bytes, times: int) -> bytes:
    """zlib data inflating to ``chunk * times`` without compressing all of it: after a full flush the
    compressor starts afresh, so every further copy of the chunk compresses to the same bytes."""
    comp = zlib.compressobj(9)
    head = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    again = zlib.compressobj(9)
    again.compress(b"")
    block = again.compress(chunk) + again.flush(zlib.Z_FULL_FLUSH)
    block = block[2:]  # without the zlib header
    tail = comp.flush(zlib.Z_FINISH)[:-4]  # the final empty block, without the checksum
    checksum = 1
    for _ in range(times):
        checksum = zlib.adler32(chunk, checksum)
    return head + block * (times - 1) + tail + checksum.to_bytes(4, "big")


def bomb_pdf(inflated_mb: int = 1024) -> bytes:
    """A PDF bomb: a ~2 MB file whose one page's content stream inflates to ``inflated_mb`` MB of drawing
    operators (a million strokes per 20 MB: minutes of rendering and gigabytes if nothing stops it)."""
    unit = b"10 10 m 300 300 l S\n" * 52428  # ~1 MB
    data = _deflate_repeated(unit, inflated_mb)
    content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            content,
        ]
    )


def image_bomb_pdf(side: int = 100_000) -> bytes:
    """A page drawing a ``side`` x ``side`` RGB image whose tiny Flate stream would inflate to 30 GB."""
    row = b"\xff" * (3 * side)
    data = _deflate_repeated(row, 64)  # only a few rows of data: the decoder must not trust the header
    image = stream_raw(
        data,
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
        b"/Filter /FlateDecode" % (side, side),
    )
    content = stream(b"q 612 0 0 792 0 0 cm /Im1 Do Q", flate=True)
    return pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
            content,
            image,
        ]
    )


def stream_raw(data: bytes, extra: bytes) -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"
