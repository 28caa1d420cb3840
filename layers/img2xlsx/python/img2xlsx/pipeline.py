"""One call from an uploaded picture to a typed Document: load → recognise each page → type → Document.

The recognition stack (OpenCV, the OCR backend) is imported on first use, so importing this module — and the
CLI, the API handlers and the job service that import it — stays fast. The text reader is chosen once per
call (:func:`img2xlsx.ocr.get_reader`) and handed down to every stage that reads.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from img2xlsx.languages import parse_langs
from img2xlsx.loader import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, Source, load_document
from img2xlsx.model import Document
from img2xlsx.ocr import get_reader
from img2xlsx.ocr.warm import warm_up
from img2xlsx.values import type_table

NO_TABLE_WARNING = "no table found"

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract's OpenMP threads only slow a shared CPU down


def _source_name(source: Source, name: str | None) -> str | None:
    if name:
        return name
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return None


def convert(
    source: Source,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    ocr: str | None = None,
    langs: Sequence[str] = ("eng",),
    text_layer: bool = True,
) -> Document:
    """Recognise every table of every page; raises :class:`img2xlsx.errors.InputError` for unusable input.

    A picture without a table is not an error: the Document then holds the recognised text lines and a
    ``"no table found"`` warning, so the user still gets something back. ``ocr``: the text reader's name
    (None: ``$IMG2XLSX_OCR``, else the default); ``langs``: the picture's languages, main first (codes of
    :data:`img2xlsx.languages.LANGUAGES`; an unknown one raises
    :class:`~img2xlsx.languages.LanguageError`): the reader reads them and values are typed by their
    conventions (``1.234,56`` in German). ``text_layer``: take a PDF page's own text where it is usable
    (False: read every page from its picture).
    """
    langs = parse_langs(langs)
    pages = load_document(source, max_bytes=max_bytes, max_pixels=max_pixels, name=name)
    reader = get_reader(ocr, langs)
    # after loading (a PDF is rendered in a forked child, which must not inherit a half-made session): the
    # models load beside the imports and the page preparation below instead of before the first read
    warm_up(reader)
    from img2xlsx.recognize import recognize_page  # heavy: OpenCV

    doc = Document(source=_source_name(source, name), langs=langs, kind=pages[0].kind if pages else "image")
    multi_page = len(pages) > 1
    for loaded in pages:
        index, rgb = loaded.index, loaded.rgb
        height, width = rgb.shape[:2]
        doc.pages.append((int(width), int(height)))
        words = loaded.text_words if text_layer else None
        doc.text_sources.append("text_layer" if words else "ocr")
        result = recognize_page(rgb, index, reader=reader, text_words=words)
        prefix = f"page {index + 1}: " if multi_page else ""
        doc.warnings.extend(prefix + w for w in loaded.warnings)
        for table in result.tables:
            table.page = index
            type_table(table, langs)
            doc.tables.append(table)
        for line in result.lines:
            line.page = index
            doc.lines.append(line)
        doc.warnings.extend(prefix + w for w in result.warnings)
    if not doc.tables:  # one document-level warning instead of a per-page echo of the same news
        doc.warnings = [w for w in doc.warnings if NO_TABLE_WARNING not in w] + [NO_TABLE_WARNING]
    return doc
