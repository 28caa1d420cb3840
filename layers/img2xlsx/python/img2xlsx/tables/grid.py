"""Bordered tables: rows and columns from the rules, spans where a separating rule is missing."""

from __future__ import annotations

from .segment import Region, _cluster
from .skeleton import RawCell, RawTable, fill_grid


def _coverage_v(region: Region, x: float, y0: float, y1: float, tol: float) -> float:
    """Fraction of the segment x, y0..y1 drawn by some vertical rule."""
    total = 0.0
    for v in region.vlines:
        if abs(v.x - x) <= tol:
            total += max(0.0, min(y1, v.y1) - max(y0, v.y0))
    return total / max(1.0, y1 - y0)


def _coverage_h(region: Region, y: float, x0: float, x1: float, tol: float) -> float:
    total = 0.0
    for s in region.hlines:
        if abs(s.y - y) <= tol:
            total += max(0.0, min(x1, s.x1) - max(x0, s.x0))
    return total / max(1.0, x1 - x0)


def grid_structure(region: Region, h: float) -> RawTable | None:
    tol = max(4.0, 0.6 * h)
    xs = _cluster([v.x for v in region.vlines], tol)
    ys = _cluster([s.y for s in region.hlines], tol)
    # an open side (no outer rule) still has text beyond the last rule: close it at the text's extent
    if region.words:
        wx0 = min(w.bbox[0] for w in region.words)
        wx1 = max(w.bbox[2] for w in region.words)
        wy0 = min(w.bbox[1] for w in region.words)
        wy1 = max(w.bbox[3] for w in region.words)
        if wx0 < xs[0] - 0.3 * h:
            xs.insert(0, wx0 - 0.3 * h)
        if wx1 > xs[-1] + 0.3 * h:
            xs.append(wx1 + 0.3 * h)
        if wy0 < ys[0] - 0.3 * h:
            ys.insert(0, wy0 - 0.3 * h)
        if wy1 > ys[-1] + 0.3 * h:
            ys.append(wy1 + 0.3 * h)
    # drop slivers narrower than a glyph: double rules, or a rule detected twice
    xs = _drop_slivers(xs, 0.8 * h)
    ys = _drop_slivers(ys, 0.8 * h)
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 1 or n_rows * n_cols < 2:
        return None
    # union cells across missing rules
    parent = list(range(n_rows * n_cols))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(n_rows):
        for c in range(n_cols - 1):
            if _coverage_v(region, xs[c + 1], ys[r], ys[r + 1], tol) < 0.5:
                union(r * n_cols + c, r * n_cols + c + 1)
    for r in range(n_rows - 1):
        for c in range(n_cols):
            if _coverage_h(region, ys[r + 1], xs[c], xs[c + 1], tol) < 0.5:
                union(r * n_cols + c, (r + 1) * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    spans: list[RawCell] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        r0 = min(m[0] for m in members)
        r1 = max(m[0] for m in members)
        c0 = min(m[1] for m in members)
        c1 = max(m[1] for m in members)
        spans.append(RawCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    cells = fill_grid(n_rows, n_cols, spans)
    for cell in cells:
        cell.bbox = (
            int(xs[cell.col]),
            int(ys[cell.row]),
            int(xs[cell.col + cell.colspan]),
            int(ys[cell.row + cell.rowspan]),
        )
    for w in region.words:
        cx = (w.bbox[0] + w.bbox[2]) / 2
        cy = (w.bbox[1] + w.bbox[3]) / 2
        for cell in cells:
            x0, y0, x1, y1 = cell.bbox
            if x0 <= cx < x1 and y0 <= cy < y1:
                cell.words.append(w)
                break
    # a grid whose top row has no rule below... header rows: rows above the first full-width rule below a
    # spanning header, else the first row
    bbox = (int(xs[0]), int(ys[0]), int(xs[-1]), int(ys[-1]))
    table = RawTable(n_rows, n_cols, cells, "grid", True, bbox)
    # a border-only frame around a single line of text is not a table
    if n_rows == 1 and sum(1 for c in cells if c.words) < 2:
        return None
    return table


def _drop_slivers(edges: list[float], min_gap: float) -> list[float]:
    out: list[float] = []
    for e in edges:
        if out and e - out[-1] < min_gap:
            out[-1] = (out[-1] + e) / 2
        else:
            out.append(e)
    return out
