"""One page image → its tables (structure + cell text) and the text lines around them.

Order of work: normalise the page, find rules and shaded bands, erase the rules, read every word once with
Tesseract, locate table regions, build each region's grid (rules for bordered tables, whitespace and text
lines for the others), hand every word to the cell that contains it. Coordinates are mapped back to the
loaded page at the very end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from .model import Cell, Table, TextLine
from .normalize import NOISE_WARNING, NormalizedPage, looks_like_noise, normalize_page, to_gray
from .number_reread import reread_numbers
from .ocr import Word, lighten_dark_fills, map_reads, read_page_words, read_region, read_words
from .tables.borderless import borderless_structure
from .tables.grid import grid_structure
from .tables.header import count_header_rows
from .tables.lines import Band, detect_bands, detect_rulings, erase_rulings, frame_dark_bands
from .tables.missed import read_missed
from .tables.segment import Region, find_regions
from .tables.skeleton import RawCell, RawTable, words_text
from .tables.textlines import build_lines, clip_swallowing_boxes, median_height, phrase_gap_for

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


def recognize_page(rgb: np.ndarray, page: int = 0) -> PageResult:
    """Tables and free text of one loaded page (RGB uint8); bboxes in loaded-page pixels."""
    if looks_like_noise(to_gray(rgb)):  # nothing to read, and reading it anyway costs many seconds
        return PageResult(warnings=[NOISE_WARNING])
    norm = normalize_page(rgb, upside_down=False)  # tested below, only when the page pass reads poorly
    return recognize_normalized(norm, page, shades=_unflattened(rgb, norm), check_upside_down=True)


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


def _page_words(ocr_gray: np.ndarray) -> list[Word]:
    # erase_rulings removed the accepted rules already; read_words' generic eraser would cut blurred digits
    return [s for w in read_page_words(ocr_gray) if _keep(w) for s in _split_word(w)]


def recognize_normalized(
    norm: NormalizedPage,
    page: int = 0,
    shades: np.ndarray | None = None,
    *,
    check_upside_down: bool = False,
    words: list[Word] | None = None,
) -> PageResult:
    """As :func:`recognize_page` on an already normalised page; ``shades`` is the unflattened grey.

    ``check_upside_down``: the page was normalised without the 180° test. Only a page that the page pass
    reads poorly is read again turned by 180° (the whole page is a far surer witness than a strip); if that
    reads clearly better, recognition continues on the turned page. ``words``: this page's words if read.
    """
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
    ocr_gray = lighten_dark_fills(erase_rulings(getattr(norm, "ocr_gray", gray), rulings), shades)
    if words is None:
        words = _page_words(ocr_gray)
    if check_upside_down and (conf := _confidence(words)) < UPSIDE_DOWN_BELOW:
        turned_words = _page_words(np.ascontiguousarray(ocr_gray[::-1, ::-1]))
        if _confidence(turned_words) >= conf + TURN_GAIN:
            flipped = None if shades is None else np.ascontiguousarray(shades[::-1, ::-1])
            return recognize_normalized(norm.turned_half(), page, shades=flipped, words=turned_words)
    result = PageResult(warnings=list(norm.warnings))
    if not words:
        result.warnings.append("no text found on the page")
        return result
    h = median_height(words, text_h)
    missed = read_missed(ocr_gray, words, h, read_words, _new_word, rulings.mask, map_reads)
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
        _reread_cells(raw, ocr_gray, h)
        reread_numbers(raw, ocr_gray, h, read_region, map_reads)  # garbled numbers, dropped minus signs
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


REREAD_BELOW = 0.5  # page-pass confidence under which a cell is read again on its own
REREAD_BUDGET = 24  # at most this many re-reads per table (the least confident first): bounded time


def _reread_cells(raw: RawTable, gray: np.ndarray, h: float) -> None:
    """Read again, alone, the cells the page pass missed (ink but no word) or read with low confidence;
    keep the re-read only when Tesseract is more confident about it."""
    todo: list[tuple[float, RawCell]] = []
    for cell in raw.cells:
        x0, y0, x1, y1 = cell.bbox
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        if cell.words:
            conf = float(np.mean([w.conf for w in cell.words]))
            if conf < REREAD_BELOW:
                todo.append((conf, cell))
        else:
            inner = gray[y0 + 2 : y1 - 2, x0 + 2 : x1 - 2]
            if inner.size and int((inner < 128).sum()) > 0.5 * h * h * 0.15:
                todo.append((0.0, cell))
    todo.sort(key=lambda t: t[0])
    todo = todo[:REREAD_BUDGET]

    def read(cell: RawCell) -> tuple[str, float]:
        lines = max(1, len(build_lines(cell.words, 1e9))) if cell.words else 1
        return read_region(gray, cell.bbox, single_line=lines == 1)

    for (conf, cell), (text, new_conf) in zip(todo, map_reads(read, [c for _, c in todo]), strict=True):
        text = " ".join(text.split())
        if text and new_conf > conf + 0.1:
            cell.reread = (text, new_conf)


_NUMBER = re.compile(r"^[(+\-\u2212$€£¥]*\d[\d.,\s]*%?\)?$")
_LOOKALIKE = {"o": "0", "O": "0", "l": "1", "I": "1", "|": "1"}


def _fix_digit_lookalikes(cells: list[Cell], n_header: int) -> None:
    """A lone "o" or "l" in a column of numbers is the digit Tesseract misread (it reads isolated glyphs
    without context)."""
    by_col: dict[int, list[Cell]] = {}
    for c in cells:
        if c.row >= n_header and c.colspan == 1:
            by_col.setdefault(c.col, []).append(c)
    for col in by_col.values():
        filled = [c for c in col if c.text]
        numeric = sum(1 for c in filled if _NUMBER.match(c.text))
        if len(filled) < 3 or numeric < 0.6 * len(filled):
            continue
        for c in filled:
            if c.text in _LOOKALIKE:
                c.text = _LOOKALIKE[c.text]


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
    _fix_digit_lookalikes(cells, raw.n_header_rows)
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
