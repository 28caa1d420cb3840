"""The structure of one table before text is read: grid lines, spanning cells and the words each cell owns."""

from __future__ import annotations

from dataclasses import dataclass, field

from .textlines import WordLike, build_lines

BBox = tuple[int, int, int, int]


@dataclass
class RawCell:
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    bbox: BBox = (0, 0, 0, 0)
    words: list[WordLike] = field(default_factory=list)
    reread: tuple[str, float] | None = None  # a targeted re-read that beat the page pass (text, confidence)


@dataclass
class RawTable:
    n_rows: int
    n_cols: int
    cells: list[RawCell]
    kind: str
    bordered: bool
    bbox: BBox
    n_header_rows: int = 0


def words_text(words: list[WordLike], h: float) -> str:
    """Words of one cell in reading order: lines top to bottom, words left to right, joined by spaces."""
    if not words:
        return ""
    lines = build_lines(words, 1e9)
    return " ".join(" ".join(w.text for w in ln.words) for ln in lines)


def fill_grid(n_rows: int, n_cols: int, spans: list[RawCell]) -> list[RawCell]:
    """Cells covering every grid position exactly once: the given spanning cells plus 1x1 cells elsewhere."""
    owner = [[False] * n_cols for _ in range(n_rows)]
    out: list[RawCell] = []
    for c in sorted(spans, key=lambda c: -(c.rowspan * c.colspan)):
        cells = [
            (r, k)
            for r in range(c.row, min(n_rows, c.row + c.rowspan))
            for k in range(c.col, min(n_cols, c.col + c.colspan))
        ]
        if any(owner[r][k] for r, k in cells):
            continue
        for r, k in cells:
            owner[r][k] = True
        out.append(c)
    for r in range(n_rows):
        for k in range(n_cols):
            if not owner[r][k]:
                out.append(RawCell(r, k))
    out.sort(key=lambda c: (c.row, c.col))
    return out
