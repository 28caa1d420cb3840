"""How many top rows are the header: spanning group headers, a rule or shade under the header, else one."""

from __future__ import annotations

from .region import Region
from .skeleton import RawTable


def count_header_rows(table: RawTable, region: Region, h: float) -> int:
    if table.n_rows < 2:
        return 0
    n = 1
    # spanning cells in the top rows pull the rows they span, and the row under a group header, in
    changed = True
    while changed:
        changed = False
        for c in table.cells:
            if c.row < n:
                end = c.row + c.rowspan
                if c.colspan > 1 and c.row + c.rowspan >= n and c.row == 0:
                    end += 1
                if end > n and end < table.n_rows:
                    n = end
                    changed = True
    n = min(n, max(1, table.n_rows - 1))
    if n > 1:
        return n
    # a rule or band edge under row k < 3 (not the table's top border) marks the header's end
    _, ty0, _, _ = table.bbox
    seps = [float(s.y) for s in region.hlines if s.length > 0.6 * (region.x1 - region.x0)]
    for b in region.bands[:1]:
        if b.y0 <= ty0 + h:
            seps.append(float(b.y1))
    for r in range(min(3, table.n_rows - 1)):
        bottom = max((c.bbox[3] for c in table.cells if c.row == r and c.rowspan == 1), default=None)
        if bottom is None:
            continue
        if any(abs(s - bottom) < 0.8 * h for s in seps) and any(s > ty0 + 0.5 * h for s in seps):
            return r + 1
    return 1
