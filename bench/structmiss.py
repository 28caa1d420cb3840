"""``python -m bench.structmiss``: the structural errors of a workbook's tables and the TEDS-struct they cost.

Tables are matched as ``bench.score`` matches them (by TEDS) and GT rows/columns are aligned to the sheet's
rows/columns by text exactly as ``bench.score.best_matches`` aligns them. Every unaligned line and every span
that differs under the aligned positions is an error of one kind:

- ``header rows merged`` / ``body rows merged``: a GT row with no sheet row whose text sits in the sheet row
  of a neighbouring GT row; ``header row dropped`` / ``body row dropped``: its text is nowhere near (cut off
  or lost);
- ``header row split`` / ``body row split``: a sheet row with no GT row whose text belongs to the GT row of a
  neighbouring sheet row; ``extra row``: a sheet row of text that is in no neighbouring GT row (a title,
  a note or a stray line taken into the table);
- ``columns merged`` / ``column dropped`` / ``column split`` / ``extra column``: the same for columns;
- ``colspan missing`` / ``rowspan missing``: a GT spanning cell whose aligned positions hold several sheet
  cells; ``colspan extra`` / ``rowspan extra``: a sheet cell covering the aligned positions of several GT
  cells (only aligned rows and columns are looked at, so a merged line is not counted twice); a GT cell
  spanning the whole width (a section label) whose span is missing is ``section colspan missing``;
- ``other``: the table loses TEDS-struct but none of the above was found.

The loss of a table (1 - TEDS-struct, divided by the image's GT table count as in the image score) is shared
among its errors in proportion to the tree nodes each would take to mend (a line's cells and its ``tr``, a
span's pieces). By default only images whose sheet count equals the GT table count are looked at (the others
lose mostly to table finding); ``--all`` takes every image. Output: kinds ranked by TEDS-struct lost (summed
over images, as "points"), with image and error counts, optionally per tag value (``--by``), then one line
per image.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.dataset import BenchImage
from bench.grid import GridCell, GridTable
from bench.pairing import add_selection_args, paired_tables, selected_workbooks
from bench.score import align, line_texts, similarity
from bench.teds import teds

_INSIDE = 0.5  # share of a line's words found in a neighbour for the line to count as merged / split
_SAME_WORD = 0.6  # similarity at which a word is taken for a misread of another


@dataclass
class TableErrors:
    """The structural errors of one GT table against its sheet: kind → node cost of each error."""

    loss: float
    errors: list[tuple[str, float]] = field(default_factory=list)

    def add(self, kind: str, cost: float) -> None:
        self.errors.append((kind, max(cost, 1.0)))

    def shares(self) -> dict[str, float]:
        """The table's loss shared among its error kinds by node cost (``other`` when none was found)."""
        if self.loss <= 0:
            return {}
        total = sum(c for _, c in self.errors)
        if not total:
            return {"other": self.loss}
        out: dict[str, float] = defaultdict(float)
        for kind, cost in self.errors:
            out[kind] += self.loss * cost / total
        return dict(out)


def _words(text: str) -> list[str]:
    return text.split()


def _inside(text: str, other: str) -> bool:
    """Most of ``text``'s words occur in ``other``, misread or not (an empty line is inside anything)."""
    words = _words(text)
    if not words:
        return True
    pool = _words(other)
    hits = 0
    for w in words:
        near = max(pool, key=lambda p: similarity(w, p), default=None)
        if near is not None and similarity(w, near) >= _SAME_WORD:
            pool.remove(near)
            hits += 1
    return hits >= _INSIDE * len(words)


def _neighbours(idx: int, mapping: list[int | None]) -> list[int]:
    """The targets of the nearest aligned items before and after ``idx``."""
    out: list[int] = []
    for step in (-1, 1):
        k = idx + step
        while 0 <= k < len(mapping) and mapping[k] is None:
            k += step
        if 0 <= k < len(mapping):
            target = mapping[k]
            if target is not None:
                out.append(target)
    return out


def _inverse(mapping: list[int | None], n: int) -> list[int | None]:
    inv: list[int | None] = [None] * n
    for i, j in enumerate(mapping):
        if j is not None:
            inv[j] = i
    return inv


def _anchored(table: GridTable, index: int, by_row: bool) -> int:
    return sum(1 for c in table.cells if (c.row if by_row else c.col) == index)


def _lines(
    out: TableErrors,
    gt: GridTable,
    pred: GridTable,
    mapping: list[int | None],
    by_row: bool,
) -> None:
    """Missing and extra rows (``by_row``) or columns, told apart by where their text went / came from."""
    gt_texts = line_texts(gt.owner_grid(), gt.n_rows if by_row else gt.n_cols, by_row)
    pred_texts = line_texts(pred.owner_grid(), pred.n_rows if by_row else pred.n_cols, by_row)
    inverse = _inverse(mapping, len(pred_texts))
    noun = "row" if by_row else "column"
    heads = gt.n_header_rows if by_row else 0
    for i, target in enumerate(mapping):
        if target is not None:
            continue
        merged = any(_inside(gt_texts[i], pred_texts[j]) for j in _neighbours(i, mapping))
        part = ("header " if i < heads else "body ") if by_row else ""
        kind = f"{part}{noun}s merged" if merged else f"{part}{noun} dropped"
        out.add(kind, _anchored(gt, i, by_row) + int(by_row))
    for j, source in enumerate(inverse):
        if source is not None:
            continue
        near = _neighbours(j, inverse)
        split = any(_inside(pred_texts[j], gt_texts[i]) for i in near)
        part = ""
        if by_row:
            part = "header " if near and min(near) < heads else "body "
        kind = f"{part}{noun} split" if split else f"extra {noun}"
        out.add(kind, _anchored(pred, j, by_row) + int(by_row))


def _spans(
    out: TableErrors, gt: GridTable, pred: GridTable, rows: list[int | None], cols: list[int | None]
) -> None:
    """Spans that differ under aligned rows and columns, in either direction."""
    gg, pg = gt.owner_grid(), pred.owner_grid()
    for cell in gt.cells:
        for noun, span in (("colspan", cell.colspan), ("rowspan", cell.rowspan)):
            if span < 2:
                continue
            owners = _owners(cell, pg, rows, cols, noun == "colspan")
            if len(owners) > 1:
                section = "section " if noun == "colspan" and cell.colspan == gt.n_cols else ""
                out.add(f"{section}{noun} missing", len(owners))
    for cell in pred.cells:
        for noun, by_col in (("colspan", True), ("rowspan", False)):
            covered = _owners(cell, gg, _inverse(rows, pred.n_rows), _inverse(cols, pred.n_cols), by_col)
            if len(covered) > 1 and all((c.colspan if by_col else c.rowspan) == 1 for c in covered):
                out.add(f"{noun} extra", len(covered))


def _owners(
    cell: GridCell,
    grid: list[list[GridCell | None]],
    rows: list[int | None],
    cols: list[int | None],
    across: bool,
) -> list[GridCell]:
    """The distinct cells of ``grid`` under ``cell``'s first row (``across``) or column, where aligned."""
    if across:
        spots = [(rows[cell.row], cols[c]) for c in range(cell.col, cell.col + cell.colspan) if c < len(cols)]
    else:
        spots = [(rows[r], cols[cell.col]) for r in range(cell.row, cell.row + cell.rowspan) if r < len(rows)]
    found: list[GridCell] = []
    for r, c in spots:
        owner = grid[r][c] if r is not None and c is not None else None
        if owner is not None and all(owner is not x for x in found):
            found.append(owner)
    return found


def table_errors(pred: GridTable | None, gt: GridTable, weight: float = 1.0) -> TableErrors:
    """The structural errors of one GT table against its sheet (None: no sheet, all of it lost)."""
    if pred is None or pred.n_rows == 0 or pred.n_cols == 0:
        out = TableErrors(loss=weight)
        out.add("no sheet", 1.0)
        return out
    out = TableErrors(loss=weight * (1.0 - teds(pred, gt, structure_only=True)))
    if out.loss <= 1e-9:
        return out
    gg, pg = gt.owner_grid(), pred.owner_grid()
    rows = align(line_texts(gg, gt.n_rows, True), line_texts(pg, pred.n_rows, True))
    cols = align(line_texts(gg, gt.n_cols, False), line_texts(pg, pred.n_cols, False))
    _lines(out, gt, pred, rows, True)
    _lines(out, gt, pred, cols, False)
    _spans(out, gt, pred, rows, cols)
    return out


def image_errors(img: BenchImage, xlsx: Path) -> tuple[int, list[TableErrors]]:
    """The sheet count and the errors of every GT table of one image."""
    n_pred, pairs = paired_tables(img, xlsx)
    return n_pred, [table_errors(pred, gt, 1.0 / len(pairs)) for gt, pred in pairs]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.structmiss", description=__doc__.split("\n")[0])
    add_selection_args(ap)
    ap.add_argument("--all", action="store_true", help="also images whose sheet count is wrong")
    ap.add_argument("--by", action="append", default=[], help="tag to break the ranking down by (repeatable)")
    ap.add_argument("--kind", default="", help="list only images with this kind")
    args = ap.parse_args(argv)
    lost: dict[tuple[str, str], float] = defaultdict(float)  # (tag=value or "", kind) → points
    images: dict[tuple[str, str], set[str]] = defaultdict(set)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    lines: list[tuple[float, str]] = []
    n_images, total = 0, 0.0
    for img, xlsx in selected_workbooks(args):
        n_pred, tables = image_errors(img, xlsx)
        if not args.all and n_pred != len(tables):
            continue
        n_images += 1
        groups = [""] + [f"{key}={img.tag(key)}" for key in args.by]
        per_image: dict[str, float] = defaultdict(float)
        for table in tables:
            for kind, share in table.shares().items():
                per_image[kind] += share
            for kind, _cost in table.errors:
                for g in groups:
                    counts[(g, kind)] += 1
        for kind, share in per_image.items():
            total += share
            for g in groups:
                lost[(g, kind)] += share
                images[(g, kind)].add(img.name)
        if per_image and (not args.kind or args.kind in per_image):
            tags = f"{img.tag('style')}/{img.tag('degradation')}"
            what = ", ".join(f"{k} {v:.3f}" for k, v in sorted(per_image.items(), key=lambda kv: -kv[1]))
            lines.append(
                (
                    sum(per_image.values()),
                    f"{img.name:14} {tags:22} lost {sum(per_image.values()):.3f}: {what}",
                )
            )
    print(f"{n_images} images, TEDS-struct lost {total:.2f} points")
    for g in sorted({g for g, _ in lost}):
        print(f"\n{g or 'all'}:")
        for (g2, kind), pts in sorted(lost.items(), key=lambda kv: -kv[1]):
            if g2 == g:
                n_img, n_err = len(images[(g, kind)]), counts[(g, kind)]
                print(f"  {kind:24} {pts:6.2f} points  {n_img:4} images  {n_err:5} errors")
    print()
    print("\n".join(text for _, text in sorted(lines, reverse=True)))


if __name__ == "__main__":
    main()
