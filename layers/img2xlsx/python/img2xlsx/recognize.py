"""One page image → its tables (structure + cell text) and the text lines around them.

Order of work: normalise the page, find rules and shaded bands, erase the rules, read every word once with
the injected text reader (turning the page by 180° if it reads poorly), pick up ink the page pass missed,
locate table regions, build each region's grid (rules for bordered tables, whitespace and text lines for
the others) holding the words of each cell, take a second look at doubtful cells and numbers. Coordinates
are mapped back to the loaded page at the very end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .model import Table, TextLine
from .ocr import TextReader, Word, get_reader
from .ocr.pool import map_reads
from .ocr.textlayer import TextLayerReader
from .page.clean import DARK_FILL, clean_for_ocr
from .page.normalize import (
    NOISE_WARNING,
    NormalizedPage,
    looks_like_noise,
    normalize_page,
    to_gray,
    unflattened,
)
from .reread.cells import reread_cells
from .reread.memo import remembering
from .reread.missed import read_missed
from .reread.numbers import reread_numbers
from .tables.assemble import is_table, structure, to_table
from .tables.cues import drawn_cues
from .tables.header import count_header_rows
from .tables.lines import Band, Rulings
from .tables.panels import split_panel
from .tables.region import Region
from .tables.rowspans import join_row_labels
from .tables.segment import find_regions
from .tables.textlines import build_lines, clip_swallowing_boxes, median_height, phrase_gap_for
from .tables.words import confidence, new_word, usable

# Char-weighted page-pass confidence under which the page may be upside down, and how much better the page
# must read turned by 180° to be taken so. Bench pages read upright: min 0.65, p10 0.89; the same pages
# turned by 180°: max 0.50, p90 0.37.
UPSIDE_DOWN_BELOW = 0.6
TURN_GAIN = 0.15


@dataclass
class PageResult:
    tables: list[Table] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def recognize_page(
    rgb: np.ndarray,
    page: int = 0,
    *,
    reader: TextReader | None = None,
    text_words: Sequence[Word] | None = None,
) -> PageResult:
    """Tables and free text of one loaded page (RGB uint8); bboxes in loaded-page pixels.

    ``reader``: the text reader (default: :func:`img2xlsx.ocr.get_reader`). ``text_words``: the page's own
    words in loaded-page pixels (a born-digital PDF page's text layer); the page pass then takes them instead
    of reading the picture, and only ink they do not cover is read (see :class:`TextLayerReader`).
    """
    if looks_like_noise(to_gray(rgb)):  # nothing to read, and reading it anyway costs many seconds
        return PageResult(warnings=[NOISE_WARNING])
    reader = reader or get_reader()
    # 180°: tested below, on the page pass; a text layer's words are placed through the homography alone
    norm = normalize_page(rgb, upside_down=False, reader=reader, flatten_bends=not text_words)
    shades = unflattened(rgb, norm)
    if text_words:  # the page is upright by construction (its text runs left to right): no 180° test
        layer = TextLayerReader(reader, text_words, norm.matrix)
        return recognize_normalized(norm, page, shades=shades, reader=layer)
    return recognize_normalized(norm, page, shades=shades, check_upside_down=True, reader=reader)


def _page_words(reader: TextReader, ocr_gray: np.ndarray) -> list[Word]:
    # erase_rulings removed the accepted rules already; erase_rules' generic eraser would cut blurred digits
    return usable(reader.read_page(ocr_gray))


def dark_fill_boxes(bands: Sequence[Band], text_h: float) -> list[tuple[int, int, int, int]]:
    """The bands dark enough to hold light text, and tall enough: a band lower than a text line is a heavy
    rule (a nutrition panel's bars), which inverted would leave a hollow box for the reader to take as a
    word; the rule eraser handles it."""
    return [(b.x0, b.y0, b.x1, b.y1) for b in bands if b.level < DARK_FILL and b.y1 - b.y0 >= text_h]


def page_ocr_gray(
    norm: NormalizedPage, shades: np.ndarray | None, rulings: Rulings, bands: Sequence[Band]
) -> np.ndarray:
    """What the page pass reads: the normaliser's OCR copy (sharpened for blurry photos) with the rules
    painted out and the dark fills (the band finder's whole ones among them) made black on white."""
    fills = dark_fill_boxes(bands, float(norm.text_height or 0.0))
    return clean_for_ocr(getattr(norm, "ocr_gray", norm.gray), rulings.mask, shades, fills)


def recognize_normalized(
    norm: NormalizedPage,
    page: int = 0,
    shades: np.ndarray | None = None,
    *,
    check_upside_down: bool = False,
    words: list[Word] | None = None,
    reader: TextReader | None = None,
) -> PageResult:
    """As :func:`recognize_page` on an already normalised page; ``shades`` is the unflattened grey.

    ``check_upside_down``: the page was normalised without the 180° test. Only a page that the page pass
    reads poorly is read again turned by 180° (the whole page is a far surer witness than a strip); if that
    reads clearly better, recognition continues on the turned page. ``words``: this page's words if read.
    """
    reader = reader or get_reader()
    text_h = float(norm.text_height or 20.0)
    rulings, bands = drawn_cues(norm.gray, shades, text_h)
    ocr_gray = page_ocr_gray(norm, shades, rulings, bands)
    if words is None:
        words = _page_words(reader, ocr_gray)
    if check_upside_down and (conf := confidence(words)) < UPSIDE_DOWN_BELOW:
        turned_words = _page_words(reader, np.ascontiguousarray(ocr_gray[::-1, ::-1]))
        if confidence(turned_words) >= conf + TURN_GAIN:
            flipped = None if shades is None else np.ascontiguousarray(shades[::-1, ::-1])
            turned = norm.turned_half()
            return recognize_normalized(turned, page, shades=flipped, words=turned_words, reader=reader)
    result = PageResult(warnings=list(norm.warnings))
    if not words:
        result.warnings.append("no text found on the page")
        return result
    h = median_height(words, text_h)
    words = _with_missed(words, ocr_gray, h, rulings, reader)
    phrase_gap = phrase_gap_for(words, h)
    used: set[int] = set()
    for region in find_regions(words, rulings, bands, h, phrase_gap):
        for piece in split_panel(region, phrase_gap):
            table = _read_table(piece, norm, ocr_gray, h, phrase_gap, page, reader, used)
            if table is not None:
                result.tables.append(table)
    result.lines = _free_text([w for w in words if id(w) not in used], norm, h, page)
    if not result.tables:
        result.warnings.append("no table found on the page")
    return result


def _with_missed(
    words: list[Word], ocr_gray: np.ndarray, h: float, rulings: Rulings, reader: TextReader
) -> list[Word]:
    """``words`` plus what the missed-ink pass read (for readers that skip isolated tokens), long boxes then
    clipped off their neighbours."""
    if reader.misses_isolated_text:
        missed = read_missed(ocr_gray, words, h, reader.read_words, new_word, rulings.mask, map_reads)
        words.extend(usable(missed))  # type: ignore[arg-type]
    # after the missed-ink pass, which must see the ink the long boxes cover
    return clip_swallowing_boxes(words, lambda w, bbox: replace(w, bbox=bbox))


def _read_table(
    region: Region,
    norm: NormalizedPage,
    ocr_gray: np.ndarray,
    h: float,
    phrase_gap: float,
    page: int,
    reader: TextReader,
    used: set[int],
) -> Table | None:
    """The table in ``region`` (None if it is none), its doubtful cells and numbers read again; the ids
    of the words it holds are added to ``used``."""
    raw = structure(region, h, phrase_gap)
    if raw is None or not is_table(raw, region):
        return None
    raw.n_header_rows = count_header_rows(raw, region, h)
    raw = join_row_labels(raw, raw.n_header_rows)
    read = remembering(reader.read_region, ocr_gray)  # a cell both passes doubt is read once
    reread_cells(raw, ocr_gray, h, read, map_reads)
    # garbled numbers, lost minus signs
    reread_numbers(raw, ocr_gray, h, read, map_reads, reader.langs)
    table = to_table(raw, norm, h, page)
    for c in raw.cells:
        used.update(id(w) for w in c.words)
    return table


def _free_text(rest: list[Word], norm: NormalizedPage, h: float, page: int) -> list[TextLine]:
    """The words outside every table, as phrases of text lines (titles, notes) in loaded-page boxes."""
    lines: list[TextLine] = []
    for ln in build_lines(rest, 1.5 * h):
        for p in ln.phrases:
            bbox = norm.bbox_to_source(
                (p.x0, min(w.bbox[1] for w in p.words), p.x1, max(w.bbox[3] for w in p.words))
            )
            conf = float(np.mean([w.conf for w in p.words]))
            lines.append(TextLine(p.text, bbox, conf, page))
    return lines
