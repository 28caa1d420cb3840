"""``python -m bench.nummiss``: every ground-truth numeric cell the workbook does not store right, and why.

Each GT numeric body cell is found in its matched sheet exactly as ``bench.score`` finds it (tables matched by
TEDS, rows and columns aligned by text, best candidate under the aligned positions). A miss is classified:

- ``structure``: no sheet, no aligned cell, or the aligned cell holds another cell's text / several cells'
  text (similarity to the GT text below 0.5, or the GT text is only part of it);
- ``typing``: the cell shows the GT text but stores text (or a number of another value);
- ``ocr``: the cell stores text that differs from the GT text (a misread number);
- ``value``: the cell stores a number of another value whose shown text also differs (misread or misparsed).

Cells stored right but shown otherwise than the GT text (``display``) are counted apart: they cost TEDS and
exact-cell text, not numeric typing. Output: counts per class (and per language), then one line per cell.
"""

from __future__ import annotations

import argparse
from collections import Counter

from bench.grid import GridCell, GridTable
from bench.pairing import add_selection_args, paired_tables, selected_workbooks
from bench.score import best_matches, same_number, similarity


def _classify(gt: GridCell, best: GridCell | None) -> str:
    if best is None:
        return "structure"
    if same_number(best, gt.value or 0.0):
        return "ok" if best.text == gt.text else "display"
    sim = similarity(gt.text, best.text)
    if sim < 0.5 or (gt.text in best.text and len(best.text) > len(gt.text) + 1):
        return "structure"
    if best.text == gt.text:
        return "typing"
    return "value" if best.numeric else "ocr"


def _cells(pred: GridTable | None, gt: GridTable) -> list[tuple[GridCell, GridCell | None]]:
    """The GT numeric cells with the workbook cell ``bench.score`` compares them with (None: none)."""
    return [(c, best) for c, best in best_matches(pred, gt) if c.numeric and c.value is not None]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.nummiss", description=__doc__.split("\n")[0])
    add_selection_args(ap)
    ap.add_argument("--show", default="structure,typing,ocr,value,display", help="classes to list")
    args = ap.parse_args(argv)
    show = set(args.show.split(","))
    counts: Counter[str] = Counter()
    by_lang: Counter[tuple[str, str]] = Counter()
    lines: list[str] = []
    for img, xlsx in selected_workbooks(args):
        lang = img.tag("lang")
        _, pairs = paired_tables(img, xlsx)  # an unreadable workbook: every cell is a structure miss
        for i, (gt, pred) in enumerate(pairs):
            for cell, best in _cells(pred, gt):
                kind = _classify(cell, best)
                counts[kind] += 1
                by_lang[(str(lang), kind)] += 1
                if kind in show:
                    got = "-" if best is None else f"{best.text!r} num={best.numeric} v={best.value}"
                    where = f"{img.name} t{i} r{cell.row}c{cell.col}"
                    lines.append(f"{kind:9} {where} gt={cell.text!r} v={cell.value} | {got}")
    total = sum(counts.values())
    print(f"numeric cells {total}: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    langs = sorted({lg for lg, _ in by_lang})
    if len(langs) > 1:
        for lg in langs:
            row = {k: v for (l2, k), v in by_lang.items() if l2 == lg}
            print(f"  {lg}: " + ", ".join(f"{k} {v}" for k, v in sorted(row.items())))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
