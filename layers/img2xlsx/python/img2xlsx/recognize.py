"""One page image → its tables (structure + cell text) and the text lines around them.

Order of work: normalise the page, find rules and shaded bands, erase the rules, read every word once with
the injected text reader, locate table regions, build each region's grid (rules for bordered tables,
whitespace and text lines for the others), hand every word to the cell that contains it, take a second look
at doubtful cells and numbers. Coordinates are mapped back to the
loaded page at the very end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from .model import Cell, Table, TextLine
from .ocr import TextReader, Word, get_reader
from .ocr.pool import map_reads
from .page.clean import erase_rulings, lighten_dark_fills
from .page.normalize import NOISE_WARNING, NormalizedPage, looks_like_noise, normalize_page, to_gray
from .reread.cells import reread_cells
from .reread.missed import read_missed
from .reread.numbers import reread_numbers
from .tables.borderless import borderless_structure
from .tables.grid import grid_structure
from .tables.header import count_header_rows
from .tables.lines import Band, detect_bands, detect_rulings, frame_dark_bands
from .tables.segment import Region, find_regions
from .tables.skeleton import RawTable, words_text
from .tables.textlines import build_lines, clip_swallowing_boxes, median_height, phrase_gap_for
from .values.repairs import fix_digit_lookalikes

_ALNUM = re.compile(r"[0-9A-Za-z\u00C0-\uFFFF$€£%]")


@dataclass
class PageResult:
    tables: list[Table] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _keep(word: Word) -> bool:
    """Drop OCR noise: rule fragments and speckles read as punctuation."""
    text = word.text.strip()
    if not text:
        return False
    if _ALNUM.search(text):
        return word.conf >= 0.1 or len(text) >= 3
    return word.conf >= 0.5 and len(text) <= 3 and text not in {"|", "||", "_", "__", "~"}


def _area(bands: list[Band]) -> int:
    return sum((b.x1 - b.x0) * (b.y1 - b.y0) for b in bands)


def _new_word(text: str, conf: float, bbox: tuple[int, int, int, int]) -> Word:
    return Word(text, conf, bbox, (-1,))


def _split_word(word: Word) -> list[Word]:
    """A "word" holding spaces (Tesseract's LSTM sometimes returns a whole phrase): one box per word,
    widths in proportion to the characters."""
    parts = word.text.split()
    if len(parts) <= 1:
        return [word]
    x0, y0, x1, y1 = word.bbox
    total = len(word.text)
    out: list[Word] = []
    pos = 0
    for part in parts:
        start = word.text.index(part, pos)
        end = start + len(part)
        pos = end
        a = x0 + (x1 - x0) * start / total
        b = x0 + (x1 - x0) * end / total
        out.append(Word(part, word.conf, (int(a), y0, max(int(a) + 1, int(b)), y1), word.line_id))
    return out


def _structure(region: Region, h: float, phrase_gap: float) -> RawTable | None:
    if region.kind == "grid":
        table = grid_structure(region, h)
        if table is not None:
            return table
        region.kind = "plain"
    return borderless_structure(region, h, phrase_gap)


def recognize_page(rgb: np.ndarray, page: int = 0, *, reader: TextReader | None = None) -> PageResult:
    """Tables and free text of one loaded page (RGB uint8); bboxes in loaded-page pixels.

    ``reader``: the text reader (default: :func:`img2xlsx.ocr.get_reader`).
    """
    if looks_like_noise(to_gray(rgb)):  # nothing to read, and reading it anyway costs many seconds
        return PageResult(warnings=[NOISE_WARNING])
    reader = reader or get_reader()
    norm = normalize_page(rgb, upside_down=False)  # tested below, only when the page pass reads poorly
    shades = _unflattened(rgb, norm)
    return recognize_normalized(norm, page, shades=shades, check_upside_down=True, reader=reader)


def _unflattened(rgb: np.ndarray, norm: NormalizedPage) -> np.ndarray:
    """The loaded page brought into normalised coordinates without illumination flattening: flattening
    lightens cell fills next to text, and faint zebra stripes are exactly what band detection looks for."""
    h, w = norm.gray.shape[:2]
    return cv2.warpPerspective(
        to_gray(rgb), norm.matrix, (w, h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )


# Char-weighted page-pass confidence under which the page may be upside down, and how much better the page
# must read turned by 180° to be taken so. Bench pages read upright: min 0.65, p10 0.89; the same pages
# turned by 180°: max 0.50, p90 0.37.
UPSIDE_DOWN_BELOW = 0.6
TURN_GAIN = 0.15


def _confidence(words: list[Word]) -> float:
    chars = sum(len(w.text) for w in words)
    return sum(w.conf * len(w.text) for w in words) / chars if chars else 0.0


def _page_words(reader: TextReader, ocr_gray: np.ndarray) -> list[Word]:
    # erase_rulings removed the accepted rules already; erase_rules' generic eraser would cut blurred digits
    return [s for w in reader.read_page(ocr_gray) if _keep(w) for s in _split_word(w)]


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
    gray = norm.gray
    text_h = float(norm.text_height or 20.0)
    rulings = detect_rulings(gray, text_h)
    # Shades are looked for on both the flattened and the unflattened page: flattening lightens fills next
    # to text (clean renders lose faint stripes), while on photos only the flattened page is even enough.
    bands = detect_bands(gray, text_h)
    if shades is not None:
        raw_bands = detect_bands(shades, text_h)
        # the unflattened page wins unless it shows (nearly) nothing: flattening breaks stripes into pieces
        if len(raw_bands) >= 2 and _area(raw_bands) >= 0.8 * _area(bands):
            bands = raw_bands
    rulings = frame_dark_bands(rulings, bands, text_h)
    # Tesseract reads the normaliser's OCR copy (sharpened for blurry photos), rules painted out
    ocr_gray = lighten_dark_fills(erase_rulings(getattr(norm, "ocr_gray", gray), rulings.mask), shades)
    if words is None:
        words = _page_words(reader, ocr_gray)
    if check_upside_down and (conf := _confidence(words)) < UPSIDE_DOWN_BELOW:
        turned_words = _page_words(reader, np.ascontiguousarray(ocr_gray[::-1, ::-1]))
        if _confidence(turned_words) >= conf + TURN_GAIN:
            flipped = None if shades is None else np.ascontiguousarray(shades[::-1, ::-1])
            turned = norm.turned_half()
            return recognize_normalized(turned, page, shades=flipped, words=turned_words, reader=reader)
    result = PageResult(warnings=list(norm.warnings))
    if not words:
        result.warnings.append("no text found on the page")
        return result
    h = median_height(words, text_h)
    missed = read_missed(ocr_gray, words, h, reader.read_words, _new_word, rulings.mask, map_reads)
    words.extend(s for w in missed if _keep(w) for s in _split_word(w))  # type: ignore[arg-type]
    # after the missed-ink pass, which must see the ink the long boxes cover
    words = clip_swallowing_boxes(words, lambda w, bbox: replace(w, bbox=bbox))
    phrase_gap = phrase_gap_for(words, h)
    regions = find_regions(words, rulings, bands, h, phrase_gap)
    used: set[int] = set()
    for region in regions:
        raw = _structure(region, h, phrase_gap)
        if raw is None:
            continue
        filled = sum(1 for c in raw.cells if c.words)
        if filled < 2:
            continue
        conf = float(np.mean([w.conf for c in raw.cells for w in c.words]))
        solid = any(
            w.conf >= 0.6 and sum(ch.isalnum() for ch in w.text) >= 3 for c in raw.cells for w in c.words
        )
        if region.kind == "plain" and not region.bands and raw.n_rows <= 3 and (conf < 0.5 or not solid):
            continue  # specks and texture read as letters (photo backgrounds), not a table
        raw.n_header_rows = count_header_rows(raw, region, h)
        reread_cells(raw, ocr_gray, h, reader.read_region, map_reads)
        # garbled numbers, dropped minus signs
        reread_numbers(raw, ocr_gray, h, reader.read_region, map_reads)
        result.tables.append(_to_table(raw, norm, h, page))
        for c in raw.cells:
            used.update(id(w) for w in c.words)
    rest = [w for w in words if id(w) not in used]
    for ln in build_lines(rest, 1.5 * h):
        for p in ln.phrases:
            bbox = norm.bbox_to_source(
                (p.x0, min(w.bbox[1] for w in p.words), p.x1, max(w.bbox[3] for w in p.words))
            )
            conf = float(np.mean([w.conf for w in p.words]))
            result.lines.append(TextLine(p.text, bbox, conf, page))
    if not result.tables:
        result.warnings.append("no table found on the page")
    return result


def _to_table(raw: RawTable, norm: NormalizedPage, h: float, page: int) -> Table:
    cells: list[Cell] = []
    for rc in raw.cells:
        text = words_text(rc.words, h)
        conf = float(np.mean([w.conf for w in rc.words])) if rc.words else None
        if rc.reread is not None:
            text, conf = rc.reread
        cells.append(
            Cell(
                row=rc.row,
                col=rc.col,
                text=text,
                rowspan=rc.rowspan,
                colspan=rc.colspan,
                confidence=conf,
                bbox=norm.bbox_to_source(rc.bbox),
                header=rc.row < raw.n_header_rows,
            )
        )
    fix_digit_lookalikes(cells, raw.n_header_rows)
    style = raw.kind if raw.kind in ("grid", "hrules", "zebra", "plain") else "plain"
    return Table(
        n_rows=raw.n_rows,
        n_cols=raw.n_cols,
        cells=cells,
        bbox=norm.bbox_to_source(raw.bbox),
        style=style,  # type: ignore[arg-type]
        bordered=raw.bordered,
        n_header_rows=raw.n_header_rows,
        page=page,
    )
