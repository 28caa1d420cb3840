"""A page's own words (a born-digital PDF's text layer) served through the :class:`TextReader` interface.

The page pass gets the text layer's words (exact characters, confidence 1.0) moved into the normalised page,
plus what the real reader finds in blocks of text-like ink no text-layer word covers (a scanned table pasted
into the PDF, text drawn as outlines). Cell re-reads on the page are answered from the text layer where it
has words, by the real reader elsewhere; crops and strips always go to the real reader. So recognition needs
no idea where its words come from, and the structure still comes from the page picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .reader import TextReader
from .words import BBox, Word

if TYPE_CHECKING:
    import numpy as np

# A block of uncovered text-like ink is read by the real reader when its tokens together are at least this
# many text heights wide (a table or paragraph kept as a picture: a line or two of text); smaller leftovers
# go to recognition's own missed-ink pass. At most MAX_BLOCKS blocks per page (bounded time).
MIN_BLOCK_WIDTH = 12.0
MAX_BLOCKS = 8


class TextLayerReader:
    """Serves one page's text layer; everything the text layer cannot answer goes to ``base``."""

    def __init__(self, base: TextReader, words: Sequence[Word], matrix: np.ndarray) -> None:
        """``words``: the page's own words in loaded-page pixels; ``matrix``: loaded page -> normalised
        page (``NormalizedPage.matrix``), the coordinates every read below works in."""
        self.base = base
        self.name = base.name
        self.langs = base.langs
        self.misses_isolated_text = base.misses_isolated_text
        self._source = list(words)
        self._matrix = matrix
        self._page: np.ndarray | None = None  # the page the last read_page was given
        self._words: list[Word] = []  # the text layer on that page
        self.blocks_read = 0  # uncovered blocks handed to the real reader (for reports and tests)

    def read_page(self, gray: np.ndarray, *, threads: int | None = None) -> list[Word]:
        self._page = gray
        self._words = self._mapped(gray.shape[:2])
        return self._words + self._read_uncovered(gray, threads)

    def read_words(self, gray: np.ndarray, *, mode: str = "sparse") -> list[Word]:
        return self.base.read_words(gray, mode=mode)

    def read_region(self, gray: np.ndarray, bbox: BBox, *, single_line: bool = False) -> tuple[str, float]:
        if gray is self._page:
            inside = _inside(self._words, bbox)
            if inside:
                return _text_of(inside, single_line), 1.0
        return self.base.read_region(gray, bbox, single_line=single_line)

    def _mapped(self, shape: tuple[int, int]) -> list[Word]:
        """The text layer's words in normalised-page pixels (boxes through the page's homography)."""
        import cv2
        import numpy as np

        if not self._source:
            return []
        height, width = shape
        corners = np.array(
            [[(x0, y0), (x1, y0), (x0, y1), (x1, y1)] for x0, y0, x1, y1 in (w.bbox for w in self._source)],
            dtype=np.float64,
        )
        moved = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), self._matrix).reshape(-1, 4, 2)
        out = []
        for word, pts in zip(self._source, moved, strict=True):
            x0 = max(0, int(np.floor(pts[:, 0].min())))
            y0 = max(0, int(np.floor(pts[:, 1].min())))
            x1 = min(width, int(np.ceil(pts[:, 0].max())))
            y1 = min(height, int(np.ceil(pts[:, 1].max())))
            if x1 > x0 and y1 > y0:
                out.append(Word(word.text, word.conf, (x0, y0, x1, y1), word.line_id))
        return out

    def _read_uncovered(self, gray: np.ndarray, threads: int | None) -> list[Word]:
        """Blocks of glyph-like ink no text-layer word covers, read by the real reader (page coordinates)."""
        import cv2
        import numpy as np

        from img2xlsx.reread.missed import find_missed_boxes
        from img2xlsx.tables.textlines import median_height

        h = median_height(self._words, 20.0) if self._words else 20.0
        glyphs = find_missed_boxes(gray, self._words, h)  # tokens: runs of glyph-sized ink on one line
        if sum(g[2] - g[0] for g in glyphs) < MIN_BLOCK_WIDTH * h:
            return []
        marks = np.zeros(gray.shape[:2], dtype=np.uint8)
        for x0, y0, x1, y1 in glyphs:
            marks[y0:y1, x0:x1] = 255
        reach = max(3, round(1.5 * h))
        grown = cv2.dilate(marks, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, reach + 1)))
        n, _, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
        blocks = []
        for k in range(1, n):
            bx, by, bw, bh = (int(v) for v in stats[k, :4])
            width = sum(g[2] - g[0] for g in glyphs if bx <= g[0] < bx + bw and by <= g[1] < by + bh)
            if width >= MIN_BLOCK_WIDTH * h:
                blocks.append((width, (bx, by, bx + bw, by + bh)))
        blocks.sort(reverse=True)
        words: list[Word] = []
        for _, (x0, y0, x1, y1) in blocks[:MAX_BLOCKS]:
            crop = np.ascontiguousarray(gray[y0:y1, x0:x1])
            self.blocks_read += 1
            for w in self.base.read_words(crop, mode="sparse"):
                a, b, c, d = w.bbox
                words.append(
                    Word(
                        w.text, w.conf, (a + x0, b + y0, c + x0, d + y0), (-2 - self.blocks_read, *w.line_id)
                    )
                )
        return words


def _inside(words: Sequence[Word], bbox: BBox) -> list[Word]:
    x0, y0, x1, y1 = bbox
    return [
        w for w in words if x0 <= (w.bbox[0] + w.bbox[2]) / 2 < x1 and y0 <= (w.bbox[1] + w.bbox[3]) / 2 < y1
    ]


def _text_of(words: Sequence[Word], single_line: bool) -> str:
    """Words in reading order: by text line, left to right; lines joined by a newline (or a space)."""
    lines: dict[tuple[int, ...], list[Word]] = {}
    for w in words:
        lines.setdefault(w.line_id, []).append(w)
    ordered = sorted(lines.values(), key=lambda ws: min(w.bbox[1] for w in ws))
    texts = [" ".join(w.text for w in sorted(ws, key=lambda w: w.bbox[0])) for ws in ordered]
    return (" " if single_line else "\n").join(texts)
