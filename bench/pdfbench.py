"""PDF bench: whole pages of the icdar2013 source PDFs through the product's PDF path, with the PDF's text
layer used and with it ignored (every page OCR'd), scored against the tables the competition names.

Each page holding a ground-truth table is cut out of its document as a one-page PDF (what a user would
upload), converted by ``img2xlsx.pipeline.convert`` (``text_layer=True`` / ``False``), written to xlsx and
read back like every other bench result; the page's predicted tables are matched to its ground-truth tables
(``score.score_image``: TEDS, TEDS-struct, cell text, numeric typing, table precision/recall). Ground truth is
the shared bench's ``icdar_<doc>_t<id>.json`` (the competition's structure XML with the repairs documented in
its SOURCES.md); which page holds which table comes from its manifest. Time is CPU seconds of this process
and its children (the PDF render child), per page.

    python -m bench.pdfbench                      # every page, both modes; writes bench/PDF_RESULTS.md
    python -m bench.pdfbench --docs eu-004 --modes text
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.dataset import REPO, bench_dir
from bench.grid import GridTable, tables_from_gt
from bench.score import ImageScore, score_image
from bench.xlsx_read import read_workbook

MODES = ("text", "ocr")  # text layer used / ignored
RESULTS_MD = REPO / "bench" / "PDF_RESULTS.md"
OUT_DIR = REPO / "bench" / "out"


@dataclass
class BenchPage:
    """One PDF page holding ground-truth tables."""

    document: str
    page: int  # 1-based, as the manifest says
    pdf: Path
    gt_names: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.document}_p{self.page}"


def load_pages(root: Path | None = None) -> list[BenchPage]:
    """Pages of the icdar2013 PDFs that hold at least one ground-truth table, in document order."""
    folder = (root or bench_dir()) / "icdar2013"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    pages: dict[tuple[str, int], BenchPage] = {}
    for entry in manifest["images"]:
        doc, page = str(entry["document"]), int(entry["page"])
        pdf = next(
            (p for p in (folder / "pdf" / f"{doc}.pdf", folder / "pdf" / f"{doc}a.pdf") if p.is_file()), None
        )
        if pdf is None:
            raise FileNotFoundError(f"no PDF for {doc} in {folder / 'pdf'}")
        pages.setdefault((doc, page), BenchPage(doc, page, pdf)).gt_names.append(str(entry["name"]))
    return sorted(pages.values(), key=lambda p: (p.document, p.page))


def page_pdf(path: Path, page: int) -> bytes:
    """One page of ``path`` as a PDF of its own (fonts and images come along)."""
    import io

    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(path))
    out = pdfium.PdfDocument.new()
    try:
        out.import_pages(src, [page - 1])
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()
        src.close()


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_page(page: BenchPage, mode: str, root: Path) -> tuple[ImageScore, dict[str, Any]]:
    """Convert one page in ``mode`` and score it; the extras say what the converter reported."""
    from img2xlsx.pipeline import convert
    from img2xlsx.writers.xlsx import write_xlsx

    data = page_pdf(page.pdf, page.page)
    gts: list[GridTable] = []
    for name in page.gt_names:
        gts.extend(
            tables_from_gt(json.loads((root / "icdar2013" / f"{name}.json").read_text(encoding="utf-8")))
        )
    started, wall = _cpu(), time.perf_counter()
    try:
        doc = convert(data, name=f"{page.name}.pdf", text_layer=mode == "text")
    except Exception as exc:  # a crash scores zero, the run goes on
        score = score_image(page.name, [], gts)
        score.crashed, score.error = True, f"{type(exc).__name__}: {exc}"
        return score, {"cpu_s": _cpu() - started, "wall_s": time.perf_counter() - wall}
    cpu = _cpu() - started
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "page.xlsx"
        write_xlsx(doc, out)
        preds = read_workbook(out)
    score = score_image(page.name, preds, gts)
    extras = {
        "cpu_s": cpu,
        "wall_s": time.perf_counter() - wall,
        "text_source": list(doc.text_sources),
        "warnings": list(doc.warnings),
    }
    return score, extras


def summarize(scores: list[ImageScore], extras: list[dict[str, Any]]) -> dict[str, float]:
    """Pooled figures of one mode: means over GT tables, cells and numbers; CPU per page."""
    tables = [t for s in scores for t in s.per_table]
    n_gt = sum(s.n_gt for s in scores)
    text_n = sum(s.text_n for s in scores)
    num_n = sum(s.numeric_n for s in scores)
    n_pred = sum(s.n_pred for s in scores)
    tp = sum(s.n_tp for s in scores)
    cpu = [e["cpu_s"] for e in extras]
    return {
        "pages": len(scores),
        "tables": n_gt,
        "teds": sum(t["teds"] for t in tables) / n_gt if n_gt else 0.0,
        "teds_struct": sum(t["teds_struct"] for t in tables) / n_gt if n_gt else 0.0,
        "cell_text": sum(s.text_sum for s in scores) / text_n if text_n else 0.0,
        "numeric": sum(s.numeric_hits for s in scores) / num_n if num_n else 0.0,
        "recall": tp / n_gt if n_gt else 0.0,
        "precision": tp / n_pred if n_pred else 0.0,
        "cpu_median_s": statistics.median(cpu) if cpu else 0.0,
        "cpu_total_s": sum(cpu),
        "crashed": sum(s.crashed for s in scores),
    }


def report(summaries: dict[str, dict[str, float]], per_page: dict[str, list[ImageScore]]) -> str:
    """The markdown report: one summary row per mode, then the pages where the modes differ most."""
    labels = {"text": "text layer", "ocr": "OCR only"}
    head = (
        "| mode | pages | tables | TEDS | TEDS-struct | cell text | numeric | table recall | precision "
        "| CPU s/page (median) | CPU s (total) |"
    )
    lines = [head, "|" + " --- |" * 11]
    for mode, s in summaries.items():
        lines.append(
            f"| {labels.get(mode, mode)} | {s['pages']:.0f} | {s['tables']:.0f} | {s['teds']:.3f} | "
            f"{s['teds_struct']:.3f} | {s['cell_text']:.3f} | {s['numeric']:.3f} | {s['recall']:.3f} | "
            f"{s['precision']:.3f} | {s['cpu_median_s']:.2f} | {s['cpu_total_s']:.0f} |"
        )
    if set(per_page) >= {"text", "ocr"}:
        pairs = sorted(
            zip(per_page["text"], per_page["ocr"], strict=True), key=lambda p: p[0].teds - p[1].teds
        )
        lines += ["", "Pages where the two modes differ most (mean TEDS of the page's tables):", ""]
        lines += ["| page | text layer | OCR only |", "| --- | --- | --- |"]
        for text, ocr in pairs[:5] + pairs[-5:]:
            lines.append(f"| {text.name} | {text.teds:.3f} | {ocr.teds:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", help="comma-separated document ids (default: all)")
    ap.add_argument("--modes", default=",".join(MODES), help="text,ocr (default: both)")
    ap.add_argument("--results", type=Path, help=f"markdown report (default: {RESULTS_MD} on full runs)")
    args = ap.parse_args(argv)
    root = bench_dir()
    pages = load_pages(root)
    if args.docs:
        wanted = set(args.docs.split(","))
        pages = [p for p in pages if p.document in wanted]
    modes = [m for m in args.modes.split(",") if m]
    if not pages or any(m not in MODES for m in modes):
        print("nothing to run (check --docs / --modes)", file=sys.stderr)
        return 2
    per_page: dict[str, list[ImageScore]] = defaultdict(list)
    per_extra: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for page in pages:
        for mode in modes:
            score, extra = run_page(page, mode, root)
            per_page[mode].append(score)
            per_extra[mode].append(extra)
            print(
                f"{page.name:14s} {mode:4s} TEDS {score.teds:.3f} cell {score.cell_text:.3f} "
                f"tables {score.n_tp}/{score.n_gt} (pred {score.n_pred}) CPU {extra['cpu_s']:.2f} s"
                + (f" CRASH {score.error}" if score.crashed else ""),
                flush=True,
            )
    summaries = {m: summarize(per_page[m], per_extra[m]) for m in modes}
    text = report(summaries, per_page)
    print("\n" + text)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    dump = {
        m: {
            "summary": summaries[m],
            "pages": [s.to_dict() | e for s, e in zip(per_page[m], per_extra[m], strict=True)],
        }
        for m in modes
    }
    (OUT_DIR / "pdf-scores.json").write_text(json.dumps(dump, indent=1, default=str), encoding="utf-8")
    full = not args.docs and set(modes) == set(MODES)
    dest = args.results or (RESULTS_MD if full else None)
    if dest is not None:
        header = (
            "# PDF bench: icdar2013 pages, text layer vs OCR\n\n"
            "`python -m bench.pdfbench` (see its docstring). Every page of the icdar2013 PDFs that holds a "
            "ground-truth table, cut out as a one-page PDF and converted through the PDF path; scores pooled "
            "over the ground-truth tables (TEDS, TEDS-struct), their non-empty cells (cell text) and numeric "
            "cells; CPU seconds of the converter process and its render child.\n\n"
        )
        dest.write_text(header + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
