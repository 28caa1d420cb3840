"""The GT tables of one bench image, each with the workbook sheet ``bench.score`` matches it to, and the
image selection the diagnostics share (``bench.structmiss``, ``bench.nummiss``): both read their misses
from the same pairs as the scores, so what they list is what the scores counted."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from bench.dataset import BenchImage, load_images
from bench.grid import GridTable, tables_from_gt
from bench.run import OUT, select
from bench.score import match_tables
from bench.teds import teds
from bench.xlsx_read import read_workbook


def add_selection_args(ap: argparse.ArgumentParser) -> None:
    """The options that pick the images and the workbooks to read."""
    ap.add_argument("--subset", required=True)
    ap.add_argument("--out", type=Path, default=OUT / "img2xlsx", help="folder holding SUBSET/NAME.xlsx")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--tag", action="append", default=[])


def selected_workbooks(args: argparse.Namespace) -> Iterator[tuple[BenchImage, Path]]:
    """The selected images that have a workbook, with its path."""
    for img in select(load_images(subset=args.subset), args.only, None, args.tag):
        xlsx = args.out / img.subset / f"{img.name}.xlsx"
        if xlsx.exists():
            yield img, xlsx


def paired_tables(img: BenchImage, xlsx: Path) -> tuple[int, list[tuple[GridTable, GridTable | None]]]:
    """The workbook's sheet count and every GT table of ``img`` with its matched sheet (None: unmatched).
    An unreadable workbook has no sheets."""
    gts = tables_from_gt(json.loads(img.gt_json.read_text(encoding="utf-8")))
    try:
        preds = read_workbook(xlsx, img.tag("lang"))
    except Exception:  # an unreadable workbook: nothing was found
        preds = []
    assignment = match_tables(preds, gts, [[teds(p, g) for p in preds] for g in gts])
    return len(preds), [
        (gt, preds[j] if j is not None else None) for gt, j in zip(gts, assignment, strict=True)
    ]
