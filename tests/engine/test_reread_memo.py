"""A cell both re-read passes doubt is read once (reread.memo): the same answers, fewer reads."""

from __future__ import annotations

import cv2
import numpy as np
from img2xlsx.ocr import Word
from img2xlsx.reread.cells import reread_cells
from img2xlsx.reread.memo import remembering
from img2xlsx.reread.numbers import reread_numbers
from img2xlsx.tables.skeleton import RawCell, RawTable

ROW_H = 40


def _column(texts: list[str], confs: list[float]) -> tuple[np.ndarray, RawTable]:
    gray = np.full((ROW_H * len(texts) + 20, 220), 255, np.uint8)
    cells = []
    for r, (text, conf) in enumerate(zip(texts, confs, strict=True)):
        y0 = 10 + r * ROW_H
        cv2.putText(gray, text, (60, y0 + 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
        word = Word(text, conf, (60, y0 + 8, 60 + 16 * len(text), y0 + 31), (0, 0, r))
        cells.append(RawCell(row=r, col=0, bbox=(10, y0, 210, y0 + ROW_H), words=[word]))
    raw = RawTable(n_rows=len(cells), n_cols=1, cells=cells, kind="grid", bordered=True, bbox=(0, 0, 1, 1))
    return gray, raw


class _Reader:
    def __init__(self) -> None:
        self.calls: list[tuple[int, ...]] = []

    def __call__(
        self, gray: np.ndarray, bbox: tuple[int, int, int, int], *, single_line: bool = False
    ) -> tuple[str, float]:
        self.calls.append((gray.shape[0], *bbox))
        return "458", 0.45  # no more sure than the page pass: reread_cells keeps the page-pass text


def _both_passes(read: object, gray: np.ndarray, raw: RawTable) -> None:
    reread_cells(raw, gray, 20.0, read, lambda f, items: [f(i) for i in items])  # type: ignore[arg-type]
    reread_numbers(raw, gray, 20.0, read)  # type: ignore[arg-type]


def test_a_cell_both_passes_doubt_is_read_once_with_the_same_outcome() -> None:
    texts, confs = ["120", "345", "4s8a", "77", "981"], [0.95, 0.95, 0.4, 0.95, 0.95]
    gray, plain = _column(texts, confs)
    reader = _Reader()
    _both_passes(reader, gray, plain)
    assert reader.calls.count(reader.calls[0]) == 2  # read alone by both passes, the very same request

    gray, raw = _column(texts, confs)
    memo_reader = _Reader()
    _both_passes(remembering(memo_reader, gray), gray, raw)
    assert len(memo_reader.calls) == len(reader.calls) - 1
    assert [c.reread for c in raw.cells] == [c.reread for c in plain.cells]
    assert raw.cells[2].reread == ("458", 0.45)


def test_reads_of_another_image_are_not_remembered() -> None:
    gray = np.full((60, 60), 255, np.uint8)
    reader = _Reader()
    read = remembering(reader, gray)
    read(gray, (0, 0, 30, 30), single_line=True)
    read(gray, (0, 0, 30, 30), single_line=True)
    read(gray, (0, 0, 30, 30), single_line=False)  # another request: read
    enlarged = cv2.resize(gray, None, fx=2, fy=2)
    read(enlarged, (0, 0, 30, 30), single_line=True)
    read(enlarged, (0, 0, 30, 30), single_line=True)  # a scaled crop is made anew each time: not kept
    assert len(reader.calls) == 4
