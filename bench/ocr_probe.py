"""Page-pass OCR probe: word recall against the ground-truth cell texts and CPU seconds, per OCR backend.

Reads each image's normalised OCR page exactly as the engine does (normalise, erase accepted rulings,
lighten dark fills) and runs only the page pass of each reader on it, so OCR variants are compared on equal
input without the rest of the pipeline. Recall is bag-of-words: the share of ground-truth cell tokens
(whitespace-split) found among the page's word tokens, as a multiset.

    python -m bench.ocr_probe --n 40 --variants tesseract,ppocr:det_text_px=12
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.dataset import bench_dir

_split: Counter[str] = Counter()
_EDGE = re.compile(r"^[\"'(\[{]+|[\"')\]},.:;]+$")


def _tokens(texts: list[str]) -> Counter[str]:
    out: Counter[str] = Counter()
    for t in texts:
        for tok in t.split():
            tok = _EDGE.sub("", tok)
            if tok:
                out[tok] += 1
    return out


def pick_images(n: int) -> list[tuple[str, Path, Path]]:
    """About ``n`` images spread over synthetic degradations, PubTabNet, photos and ICDAR 2013."""
    root = bench_dir()
    quota = {"synthetic": n * 6 // 10, "real": max(1, n // 10), "photos": n * 15 // 100}
    quota["icdar2013"] = max(1, n - sum(quota.values()))
    out: list[tuple[str, Path, Path]] = []
    for sub, k in quota.items():
        folder = root / sub
        manifest = folder / "manifest.json"
        if sub == "synthetic" and manifest.is_file():
            images = json.loads(manifest.read_text())["images"]
            by_deg: dict[str, list[Any]] = {}
            for e in images:
                by_deg.setdefault(e["degradation"], []).append(e)
            per = max(1, k // max(1, len(by_deg)))
            for deg, entries in sorted(by_deg.items()):
                step = max(1, len(entries) // per)
                for e in entries[::step][:per]:
                    out.append((f"synthetic/{deg}", folder / e["file"], folder / f"{e['name']}.json"))
            continue
        files = sorted(p for p in folder.iterdir() if p.suffix in (".png", ".jpg", ".jpeg"))
        step = max(1, len(files) // k)
        for p in files[::step][:k]:
            out.append((sub, p, p.with_suffix(".json")))
    return out


def ocr_page(path: Path) -> tuple[np.ndarray, float]:
    """The grey page the engine's page pass reads, and its text height."""
    from img2xlsx.loader import load_pages
    from img2xlsx.ocr import get_reader
    from img2xlsx.page.normalize import normalize_page, unflattened
    from img2xlsx.recognize import page_ocr_gray
    from img2xlsx.tables.cues import drawn_cues

    rgb = load_pages(str(path))[0]
    norm = normalize_page(rgb, upside_down=False, reader=get_reader("tesseract"))
    text_h = float(norm.text_height or 20.0)
    shades = unflattened(rgb, norm)
    rulings, bands = drawn_cues(norm.gray, shades, text_h)
    gray = page_ocr_gray(norm, shades, rulings, bands)
    return gray, text_h


def make_reader(spec: str) -> Callable[[np.ndarray], list[Any]]:
    name, _, args = spec.partition(":")
    kwargs: dict[str, Any] = {}
    for kv in filter(None, args.split(",")):
        k, _, v = kv.partition("=")
        kwargs[k] = float(v) if "." in v else int(v)
    if name == "tesseract":
        from img2xlsx.ocr import get_reader

        threads = int(kwargs.get("threads", 1))
        tess = get_reader("tesseract")
        return lambda g: tess.read_page(g, threads=threads)
    if name == "ppocr":
        from img2xlsx.ocr.ppocr import PpocrReader

        reader = PpocrReader(**kwargs)

        def read(g: np.ndarray) -> list[Any]:
            c0 = time.process_time()
            boxes = reader.detect(g, 18.0)
            c1 = time.process_time()
            lines = reader.recognize(g, boxes)
            c2 = time.process_time()
            _split["det"] += c1 - c0
            _split["rec"] += c2 - c1
            _split["width"] += sum(48 * (b[2] - b[0]) / max(1, b[3] - b[1]) for b in boxes)
            return reader.words(g, lines)

        return read
    raise SystemExit(f"unknown reader {name}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--variants", default="tesseract,ppocr")
    ap.add_argument("--out", default=None, help="write per-image rows as JSON here")
    args = ap.parse_args(argv)
    images = pick_images(args.n)
    pages = []
    for group, img, gt in images:
        gray, text_h = ocr_page(img)
        truth = json.loads(gt.read_text())
        texts = [c.get("text", "") for t in truth["tables"] for c in t["cells"]]
        pages.append((group, img.name, gray, text_h, _tokens(texts)))
    print(f"{len(pages)} images; threads env={os.environ.get('IMG2XLSX_OCR_THREADS')}")
    rows = []
    for spec in args.variants.split(";"):
        read = make_reader(spec)
        read(pages[0][2])  # warm-up: sessions / APIs created outside the timing
        _split.clear()
        per_group: dict[str, list[tuple[float, float, float]]] = {}
        for group, name, gray, _text_h, truth in pages:
            c0, w0 = time.process_time(), time.perf_counter()
            words = read(gray)
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            found = _tokens([w.text for w in words])
            total = sum(truth.values())
            hit = sum(min(v, found[k]) for k, v in truth.items())
            recall = hit / total if total else 1.0
            per_group.setdefault(group, []).append((recall, cpu, wall))
            rows.append({"variant": spec, "group": group, "image": name, "recall": recall, "cpu": cpu})
        n = len(pages)
        if _split:
            print(
                f"   det cpu/img {_split['det'] / n:.2f} rec cpu/img {_split['rec'] / n:.2f} "
                f"rec input px/img {_split['width'] / n:.0f}"
            )
        _split.clear()
        allr = [r for v in per_group.values() for r in v]
        summary = " ".join(f"{g}={np.mean([r for r, _, _ in v]):.3f}" for g, v in sorted(per_group.items()))
        recall = np.mean([r for r, _, _ in allr])
        cpus = [c for _, c, _ in allr]
        wall = np.mean([w for _, _, w in allr])
        print(
            f"{spec:45s} recall {recall:.3f} cpu/img {np.mean(cpus):.2f} (median {np.median(cpus):.2f})"
            f" wall {wall:.2f} | {summary}",
            flush=True,
        )
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
