"""Generate a split: draw each image's plan from (split seed, index), render it, degrade it, write it with its
ground truth, then the manifest. Image ``i`` depends only on the seed and ``i``: ``--n 40`` is the first 40
images of ``--n 150``, and the same seed gives the same files.
"""

from __future__ import annotations

import io
import itertools
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from bench.dataset import gen_dir
from bench.gen.content import Rng, TableSpec, make_table
from bench.gen.marks import add_marks
from bench.gen.page import gt_html, make_page, page_html
from bench.gen.photo import DEGRADATIONS, degrade, encode
from bench.gen.render import Renderer, chromium_version
from bench.gen.style import FONT_PACKAGES, draw_style, missing_fonts
from bench.grid import norm_text

GEN_VERSION = 2  # bump when a change alters what a seed produces: bench.run regenerates stale splits


@dataclass(frozen=True)
class Split:
    """A named split: its seed, default size and languages (image i gets ``langs[i % len(langs)]``)."""

    seed: int
    n: int
    langs: tuple[str, ...]
    purpose: str


SPLITS: dict[str, Split] = {
    "train": Split(20261206, 300, ("eng",), "develop and tune on this one"),
    "val": Split(73018457, 150, ("eng",), "fresh seed: report on it, never tune on it"),
    "lang": Split(
        51129034, 80, ("deu", "fra", "spa", "vie"), "other languages and number formats (issue 12)"
    ),
    "langtrain": Split(
        90417263, 80, ("deu", "fra", "spa", "vie"), "the lang split's tuning twin: tune on it, report on lang"
    ),
}

DEGRADATION_WEIGHTS = {
    "clean": 0.18, "lowres": 0.14, "scan": 0.16, "photo": 0.18,
    "curled": 0.1, "screen": 0.12, "crumpled": 0.12,
}  # fmt: skip
assert set(DEGRADATION_WEIGHTS) == set(DEGRADATIONS)


def split_dir(split: str, root: Path | None = None) -> Path:
    """Where a split lives: ``root``, else where the bench reads it ($IMG2XLSX_GEN_DIR or bench/out/gen)."""
    return (root or gen_dir()) / split


def size_band(px: float) -> str:
    return "tiny" if px < 10 else "small" if px < 13 else "normal" if px < 17 else "large"


def plan(seed: int, index: int, lang: str) -> dict[str, Any]:
    """Everything drawn for one image except its pixels: tables, page, degradation, marks."""
    rng = Rng([seed, index])
    layout = rng.pick_w({"single": 0.65, "stacked": 0.2, "side_by_side": 0.15})
    n_tables = 1 if layout == "single" else rng.int(2, 3 if layout == "stacked" else 2)
    tables = [make_table(rng, lang) for _ in range(n_tables)]
    style = draw_style(rng, lang)
    degradation = rng.pick_w(DEGRADATION_WEIGHTS)
    marks = rng.pick_w({"none": 0.64, "handwriting": 0.12, "stamp": 0.12, "ticks": 0.12})
    dpr = rng.pick_w({1.0: 0.7, 1.5: 0.1, 2.0: 0.2})
    margin = rng.int(40, 90) if marks != "none" else rng.int(8, 40)
    page = make_page(rng, tables, style, layout, lang, margin)
    return {
        "rng": rng, "tables": tables, "style": style, "page": page, "layout": layout,
        "degradation": degradation, "marks": marks, "dpr": dpr, "lang": lang,
    }  # fmt: skip


def check_rendered_text(name: str, tables: list[TableSpec], texts: list[list[str]]) -> None:
    """The page shows what the ground truth says: every cell's laid-out text equals its GT text (whitespace
    and line wraps aside). Raises ValueError naming the first difference."""
    if len(texts) != len(tables):
        raise ValueError(f"{name}: {len(texts)} tables on the page, {len(tables)} in the ground truth")
    for k, (t, shown) in enumerate(zip(tables, texts, strict=True)):
        gt = [norm_text(c.text) for c in sorted(t.cells, key=lambda c: (c.row, c.col))]
        seen = [norm_text(x) for x in shown]
        if gt != seen:
            diff = next((a, b) for a, b in itertools.zip_longest(gt, seen, fillvalue="") if a != b)
            raise ValueError(
                f"{name}: table {k + 1} shows {diff[1]!r} where the ground truth says {diff[0]!r}"
            )


def gt_doc(name: str, file: str, tables: list[TableSpec]) -> dict[str, Any]:
    return {"image": file, "tables": [t.gt() for t in tables]}


def make_image(renderer: Renderer, split: str, seed: int, index: int, lang: str, out: Path) -> dict[str, Any]:
    """Render, mark, degrade and write image ``index``; returns its manifest entry."""
    pl = plan(seed, index, lang)
    rng: Rng = pl["rng"]
    name = f"{split}_{index:04d}"
    shot = renderer.render(page_html(pl["page"]), pl["dpr"])
    check_rendered_text(name, pl["tables"], shot.texts)
    with Image.open(io.BytesIO(shot.png)) as im:
        img = np.asarray(im.convert("RGB")).copy()
    style = pl["style"]
    font_px = style.font_px * pl["dpr"]
    img, mark_info = add_marks(img, pl["marks"], rng.g, shot.tables, shot.rows, lang, font_px)
    pic, params, ext = degrade(img, pl["degradation"], rng.g, font_px)
    file = f"{name}.{ext}"
    (out / file).write_bytes(encode(pic, ext, params))
    tables: list[TableSpec] = pl["tables"]
    (out / f"{name}.json").write_text(
        json.dumps(gt_doc(name, file, tables), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (out / f"{name}.html").write_text(gt_html(tables), encoding="utf-8")
    scale = params.get("scale", 1.0) * params.get("screen_scale", 1.0)
    return {
        "name": name,
        "file": file,
        **style.tags(),
        "font_size": size_band(style.font_px),
        "degradation": pl["degradation"],
        "layout": pl["layout"],
        "n_tables": len(tables),
        "content": [t.theme for t in tables],
        "lang": lang,
        "marks": mark_info.get("marks", "none"),
        "has_merges": any(t.has_colspan or t.has_rowspan for t in tables),
        "has_colspan": any(t.has_colspan for t in tables),
        "has_rowspan": any(t.has_rowspan for t in tables),
        "has_wrapped_text": any(t.has_wrapped for t in tables),
        "has_totals": any(t.totals_row is not None for t in tables),
        "has_extra_text": pl["page"].has_extra_text,
        "dpr": pl["dpr"],
        "font_px_effective": round(font_px * scale, 1),
        "shape": [t.n_rows for t in tables],
        "cols": [t.n_cols for t in tables],
        "width": int(pic.shape[1]),
        "height": int(pic.shape[0]),
        "degradation_params": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in params.items()},
        "mark_params": mark_info,
    }


def generate(
    split: str,
    n: int | None = None,
    *,
    seed: int | None = None,
    root: Path | None = None,
    strict_fonts: bool = True,
    log: Any = print,
) -> Path:
    """Write split ``split`` (``n`` images, default: the split's size) to ``root/split``; returns it."""
    spec = SPLITS[split]
    n = spec.n if n is None else n
    seed = spec.seed if seed is None else seed
    missing = missing_fonts()
    if missing and strict_fonts:
        raise RuntimeError(
            f"fonts missing: {', '.join(missing)}; install the Debian packages {' '.join(FONT_PACKAGES)} "
            "(make bench does) or pass --allow-missing-fonts (the pictures then differ from other machines')"
        )
    out = split_dir(split, root)
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    t0, c0 = time.perf_counter(), time.process_time()
    entries = []
    with Renderer() as renderer:
        for i in range(n):
            entries.append(make_image(renderer, split, seed, i, spec.langs[i % len(spec.langs)], tmp))
            if log and (i + 1) % 25 == 0:
                log(f"gen: {split}: {i + 1}/{n} images, {time.perf_counter() - t0:.0f} s")
    manifest = {
        "set": split,
        "seed": seed,
        "n": n,
        "generator": "bench.gen",
        "version": GEN_VERSION,
        "purpose": spec.purpose,
        "chromium": chromium_version(),
        "missing_fonts": missing,
        "seconds": round(time.perf_counter() - t0, 1),
        "cpu_seconds_generator": round(time.process_time() - c0, 1),
        "images": entries,
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    if log:
        log(f"gen: {split}: {n} images in {manifest['seconds']} s → {out}")
    return out


def is_current(split: str, n: int | None = None, root: Path | None = None) -> bool:
    """The split exists with this generator version, its default seed and at least ``n`` images."""
    path = split_dir(split, root) / "manifest.json"
    if not path.exists():
        return False
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    want = SPLITS[split].n if n is None else n
    return m.get("version") == GEN_VERSION and m.get("seed") == SPLITS[split].seed and m.get("n", 0) >= want


def ensure(split: str, root: Path | None = None, log: Any = print) -> Path:
    """The split's folder, generated first if missing or stale (what ``make bench`` relies on)."""
    if not is_current(split, root=root):
        if log:
            log(
                f"gen: generating the {split} split ({SPLITS[split].n} images, seed {SPLITS[split].seed}) ..."
            )
        generate(split, root=root, log=log)
    return split_dir(split, root)
