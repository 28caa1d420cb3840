"""One region to one table: its structure, whether it is a table at all, and the finished model Table."""

from __future__ import annotations

import numpy as np

from img2xlsx.model import Cell, Table
from img2xlsx.page.normalize import NormalizedPage
from img2xlsx.values.repairs import fix_digit_lookalikes

from .borderless import borderless_structure
from .grid import grid_structure
from .region import Region
from .skeleton import RawTable, words_text

# A row of drawn boxes holding only short reads below this mean confidence is a stamp's frame or a
# signature box: the reader guesses at the stamp's outlined letters, while a real one-row table prints a
# word of three letters or more, or reads its short values with confidence.
STAMP_CONF = 0.7


def structure(region: Region, h: float, phrase_gap: float) -> RawTable | None:
    """Rows, columns and spans of ``region``: from its rules if it is a grid that holds, else from text."""
    if region.kind == "grid":
        table = grid_structure(region, h, phrase_gap)
        if table is not None:
            return table
        region.kind = "plain"
    return borderless_structure(region, h, phrase_gap)


def is_table(raw: RawTable, region: Region) -> bool:
    """At least two filled cells, and not specks and texture read as letters (photo backgrounds), nor two
    lines of two phrases with nothing drawn around them (a receipt's date and time over its order number
    and cashier: label/value text, which no reader would call a table)."""
    filled = sum(1 for c in raw.cells if c.words)
    if filled < 2:
        return False
    undrawn = region.kind == "plain" and not region.bands and not region.hlines and not region.vlines
    if undrawn and (raw.n_cols == 1 or (raw.n_rows <= 2 and raw.n_cols <= 2)):
        return False  # (one column with nothing drawn: a paragraph or a list)
    if raw.n_cols == 1 and filled <= 3:
        return False  # a word or two under a shadow's stripes or in a box (a margin note, a stamp)
    conf = float(np.mean([w.conf for c in raw.cells for w in c.words]))
    solid = any(w.conf >= 0.6 and sum(ch.isalnum() for ch in w.text) >= 3 for c in raw.cells for w in c.words)
    if raw.n_rows == 1 and not solid and conf < STAMP_CONF:
        return False  # a stamp's double frame (or a box round a signature) read as a grid of one row
    return not (region.kind == "plain" and not region.bands and raw.n_rows <= 3 and (conf < 0.5 or not solid))


def to_table(raw: RawTable, norm: NormalizedPage, h: float, page: int) -> Table:
    """The model Table of a recognised grid, boxes mapped back to the loaded page."""
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
