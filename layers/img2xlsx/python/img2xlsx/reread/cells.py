"""Cells the page pass missed (ink but no word) or read with low confidence, read again alone."""

from __future__ import annotations

import numpy as np

from img2xlsx.ocr.pool import MapReads
from img2xlsx.ocr.reader import ReadRegion
from img2xlsx.tables.skeleton import RawCell, RawTable
from img2xlsx.tables.textlines import build_lines

from .budget import CELL_BELOW, CELL_BUDGET


def reread_cells(raw: RawTable, gray: np.ndarray, h: float, read: ReadRegion, map_reads: MapReads) -> None:
    """Read again, alone, the cells the page pass missed or doubted; keep the re-read only when the reader
    is clearly more confident about it (``cell.reread``)."""
    todo: list[tuple[float, RawCell]] = []
    boxes = [w.bbox for c in raw.cells for w in c.words]
    for cell in raw.cells:
        x0, y0, x1, y1 = cell.bbox
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        if cell.words:
            conf = float(np.mean([w.conf for w in cell.words]))
            if conf < CELL_BELOW:
                todo.append((conf, cell))
        elif _loose_ink(gray, cell.bbox, boxes) > 0.5 * h * h * 0.15:
            todo.append((0.0, cell))
    todo.sort(key=lambda t: t[0])
    todo = todo[:CELL_BUDGET]

    def read_one(cell: RawCell) -> tuple[str, float]:
        lines = max(1, len(build_lines(cell.words, 1e9))) if cell.words else 1
        return read(gray, cell.bbox, single_line=lines == 1)

    for (conf, cell), (text, new_conf) in zip(todo, map_reads(read_one, [c for _, c in todo]), strict=True):
        text = " ".join(text.split())
        if text and new_conf > conf + 0.1:
            cell.reread = (text, new_conf)


def _loose_ink(
    gray: np.ndarray, bbox: tuple[int, int, int, int], boxes: list[tuple[int, int, int, int]]
) -> int:
    """Dark pixels inside a cell that no word of the table covers: a word of a neighbouring cell that reaches
    into this one (a spanning label cut at a column edge) is that cell's text, not a word missed here."""
    x0, y0, x1, y1 = bbox[0] + 2, bbox[1] + 2, bbox[2] - 2, bbox[3] - 2
    if x1 <= x0 or y1 <= y0:
        return 0
    dark = gray[max(0, y0) : y1, max(0, x0) : x1] < 128
    for bx0, by0, bx1, by1 in boxes:
        a0, b0, a1, b1 = max(bx0, x0), max(by0, y0), min(bx1, x1), min(by1, y1)
        if a0 < a1 and b0 < b1:
            dark[b0 - max(0, y0) : b1 - max(0, y0), a0 - max(0, x0) : a1 - max(0, x0)] = False
    return int(dark.sum())
