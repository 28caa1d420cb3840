"""``python -m bench.run``: convert bench images with each engine, score the workbooks, report side by side.

Typical loops: ``python -m bench.run --engines img2xlsx --subset train --limit 40`` (or ``--tag
degradation=photo``; prints the worst images and the change since the previous run); ``--subset val`` to check
a change on the fresh split; ``make bench`` (every set but train, both engines, writes ``bench/RESULTS.md``
and ``bench/out/scores-full.csv``). The generated sets (val, lang, train) are made on first use. img2table
outputs are cached by image hash under ``bench/out/cache`` (``--force`` re-runs it). Per-image scores:
``bench/out/scores.{csv,json}``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import fnmatch
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.dataset import (
    DEFAULT_SUBSETS,
    GENERATED_SUBSETS,
    REPO,
    SUBSETS,
    TAG_KEYS,
    BenchImage,
    bench_dir,
    load_images,
)
from bench.engines import ENGINE_NAMES, Job, cache_key, get_engine, run_engine, run_fresh
from bench.grid import tables_from_gt
from bench.report import Row, subset_sections, subsets_table, summarize, summary_table, worst_table
from bench.score import ImageScore, score_image
from bench.xlsx_read import read_workbook

OUT = REPO / "bench" / "out"
RESULTS_MD = REPO / "bench" / "RESULTS.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--subset",
        help=f"comma list of {', '.join(SUBSETS)} (default: {','.join(DEFAULT_SUBSETS)}; "
        "the generated ones (val, lang, train, langtrain) are made on first use)",
    )
    ap.add_argument("--limit", type=int, help="N images spread evenly over the selection (deterministic)")
    ap.add_argument("--only", action="append", default=[], help="image name or glob (repeatable, comma list)")
    ap.add_argument(
        "--tag", action="append", default=[], help="manifest tag filter KEY=VALUE, e.g. degradation=photo"
    )
    ap.add_argument("--engines", default=",".join(ENGINE_NAMES), help="comma list: img2xlsx,img2table")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes per engine and scorer processes")
    ap.add_argument("--timeout", type=int, default=180, help="seconds per image before it counts as a crash")
    ap.add_argument("--force", action="store_true", help="ignore cached img2table outputs")
    ap.add_argument("--score-only", action="store_true", help="re-score existing bench/out workbooks")
    ap.add_argument(
        "--extras",
        choices=["auto", "yes", "no"],
        default="auto",
        help="fresh-process and 4000x3000 measurements (auto: only on full runs)",
    )
    ap.add_argument("--worst", type=int, default=10, help="how many worst images to list per engine")
    ap.add_argument("--results", type=Path, help="markdown report path (default: RESULTS.md on full runs)")
    ap.add_argument("--ocr", help="img2xlsx text reader passed to convert(ocr=...), e.g. ppocr or tesseract")
    ap.add_argument(
        "--langs",
        choices=["auto", "off"],
        default="auto",
        help="auto: give each non-English image's language (lang tag) as convert(langs=[...]); off: never",
    )
    args = ap.parse_args(argv)
    subsets = tuple(x.strip() for x in (args.subset or "").split(",") if x.strip())
    bad = [x for x in subsets if x not in SUBSETS]
    if bad:
        ap.error(f"unknown subset(s) {', '.join(bad)}; choose from {', '.join(SUBSETS)}")
    args.subsets = subsets
    return args


# languages a user would pick for an image (issue 12's list); others (e.g. Indonesian) are read as English
PASSED_LANGS = frozenset({"deu", "fra", "spa", "ita", "por", "nld", "vie"})


def engine_opts(img: BenchImage, engine: str, ocr: str | None, langs: str) -> dict[str, Any] | None:
    """Keywords for the engine on this image, only those that are set: ``ocr`` (img2xlsx) and ``langs``
    (the image's language when it is one of ``PASSED_LANGS``; both engines)."""
    opts: dict[str, Any] = {}
    if ocr and engine == "img2xlsx":
        opts["ocr"] = ocr
    lang = img.tag("lang")
    if langs == "auto" and lang in PASSED_LANGS:
        opts["langs"] = [lang]
    return opts or None


def select(
    images: list[BenchImage], only: list[str], limit: int | None, tags: list[str] | None = None
) -> list[BenchImage]:
    for tag in tags or []:
        key, _, value = tag.partition("=")
        images = [i for i in images if i.tag(key) == value]
    pats = [p for arg in only for p in arg.split(",") if p]
    if pats:
        images = [i for i in images if any(fnmatch.fnmatch(i.name, p) or i.name == p for p in pats)]
    if limit and limit < len(images):
        step = len(images) / limit
        images = [images[int((k + 0.5) * step)] for k in range(limit)]
    return images


def _score_one(
    args: tuple[str, str, str, dict[str, Any]] | tuple[str, str, str, dict[str, Any], str],
) -> ImageScore:
    name, gt_json, xlsx, run = args[:4]
    lang = args[4] if len(args) > 4 else None
    gts = tables_from_gt(json.loads(Path(gt_json).read_text(encoding="utf-8")))
    if not run.get("ok"):
        return ImageScore(
            name=name,
            n_gt=len(gts),
            crashed=True,
            error=run.get("error", "no output"),
            text_n=sum(1 for g in gts for c in g.cells if c.text),
            numeric_n=sum(1 for g in gts for c in g.cells if c.numeric),
        )
    try:
        preds = read_workbook(xlsx, lang)
    except Exception as exc:  # an unreadable or missing workbook is the engine's failure
        return ImageScore(
            name=name,
            n_gt=len(gts),
            crashed=True,
            error=f"unreadable xlsx: {exc}"[:300],
            text_n=sum(1 for g in gts for c in g.cells if c.text),
            numeric_n=sum(1 for g in gts for c in g.cells if c.numeric),
        )
    return score_image(name, preds, gts)


def out_path(engine: str, img: BenchImage) -> Path:
    return OUT / engine / img.subset / f"{img.name}.xlsx"


def pick_extras_images(images: list[BenchImage]) -> tuple[BenchImage, BenchImage]:
    """The bench image closest to 1500 px on its long side, and the photo closest to 4:3."""
    from PIL import Image

    sizes = {i.name: Image.open(i.image).size for i in images}
    mid = min(images, key=lambda i: (abs(max(sizes[i.name]) - 1500), i.name))
    photos = [i for i in images if i.tag("degradation") == "photo"] or images
    photo = min(photos, key=lambda i: (abs(sizes[i.name][0] / sizes[i.name][1] - 4 / 3), i.name))
    return mid, photo


FRESH_RUNS = 3  # fresh-process conversions per engine; the report shows the median


def measure_extras(
    engines: list[str], all_images: list[BenchImage], force: bool
) -> dict[str, dict[str, Any]]:
    from PIL import Image

    mid, photo = pick_extras_images(all_images)
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-big-") as tmp:
        big = Path(tmp) / f"{photo.name}_4000x3000.jpg"
        with Image.open(photo.image) as im:
            im.convert("RGB").resize((4000, 3000), Image.Resampling.LANCZOS).save(big, quality=90)
        for name in engines:
            engine = get_engine(name)
            cache = OUT / "cache" / name / f"extras3-{cache_key(mid.image)}-{cache_key(photo.image)}.json"
            if engine.cacheable and cache.exists() and not force:
                out[name] = json.loads(cache.read_text())
                continue
            print(
                f"bench: {name}: fresh-process conversion of {mid.name}, then 4000x3000 {photo.name}",
                flush=True,
            )
            # Three fresh interpreters, the median kept: one cold start on a shared box swings by a second.
            runs = [run_fresh(engine, mid.image, Path(tmp) / f"{name}-fresh.xlsx") for _ in range(FRESH_RUNS)]
            ok_runs = sorted((r for r in runs if r["ok"]), key=lambda r: float(r["seconds_wall"]))
            fresh = ok_runs[len(ok_runs) // 2] if ok_runs else runs[-1]
            large = run_fresh(engine, big, Path(tmp) / f"{name}-big.xlsx")
            fresh_score = _score_one(
                (mid.name, str(mid.gt_json), str(Path(tmp) / f"{name}-fresh.xlsx"), fresh)
            )
            big_score = _score_one(
                (photo.name, str(photo.gt_json), str(Path(tmp) / f"{name}-big.xlsx"), large)
            )
            rec = {
                "fresh_image": f"{mid.name} ({'x'.join(map(str, Image.open(mid.image).size))})",
                "fresh_s": fresh.get("seconds_wall"),
                "fresh_import_s": fresh.get("seconds_import"),
                "fresh_ok": fresh["ok"],
                "fresh_error": fresh.get("error", ""),
                "fresh_teds": fresh_score.teds,
                "big_image": f"{photo.name} upscaled to 4000x3000",
                "big_rss_mb": large.get("peak_rss_mb"),
                "big_s": large.get("seconds_wall"),
                "big_ok": large["ok"],
                "big_error": large.get("error", ""),
                "big_teds": big_score.teds,
            }
            out[name] = rec
            if engine.cacheable and fresh["ok"] and large["ok"]:
                cache.parent.mkdir(parents=True, exist_ok=True)
                cache.write_text(json.dumps(rec))
    return out


def write_scores(by_engine: dict[str, list[Row]], stem: str = "scores") -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    cols = [
        "engine",
        "name",
        "subset",
        *TAG_KEYS,
        "teds",
        "teds_struct",
        "cell_text",
        "cell_exact",
        "numeric_hits",
        "numeric_n",
        "n_gt",
        "n_pred",
        "n_tp",
        "crashed",
        "seconds",
        "cpu_seconds",
        "peak_rss_mb",
        "error",
    ]
    records = []
    for engine, rows in by_engine.items():
        for r in rows:
            s = r.score
            records.append(
                {
                    "engine": engine,
                    "name": r.image.name,
                    "subset": r.image.subset,
                    **{k: r.image.tag(k) for k in TAG_KEYS},
                    "teds": round(s.teds, 4),
                    "teds_struct": round(s.teds_struct, 4),
                    "cell_text": round(s.cell_text, 4),
                    "cell_exact": round(s.cell_exact, 4),
                    "numeric_hits": s.numeric_hits,
                    "numeric_n": s.numeric_n,
                    "n_gt": s.n_gt,
                    "n_pred": s.n_pred,
                    "n_tp": s.n_tp,
                    "crashed": s.crashed,
                    "seconds": r.run.get("seconds"),
                    "cpu_seconds": r.run.get("cpu_seconds"),
                    "peak_rss_mb": r.run.get("peak_rss_mb"),
                    "error": s.error,
                    "tables": s.per_table,
                    "xlsx": str(out_path(engine, r.image).relative_to(REPO)),
                }
            )
    with open(OUT / f"{stem}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(records)
    (OUT / f"{stem}.json").write_text(json.dumps(records, indent=1), encoding="utf-8")
    return OUT / f"{stem}.csv"


def compare_with_previous(engine: str, rows: list[Row], n_show: int = 5) -> str:
    """Per-image change against the previous run of ``engine`` (its last score of each image), then remember
    this run: the quick feedback an engine engineer wants after a change."""
    path = OUT / f"previous-{engine}.json"
    prev: dict[str, dict[str, float]] = json.loads(path.read_text()) if path.exists() else {}
    now = {
        r.image.name: {
            "teds": r.score.teds,
            "teds_struct": r.score.teds_struct,
            "cell_text": r.score.cell_text,
            "cell_exact": r.score.cell_exact,
        }
        for r in rows
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**prev, **now}))
    common = [n for n in now if n in prev and "cell_exact" in prev[n]]
    if not common:
        return ""
    lines = [f"vs previous {engine} scores of the same {len(common)} images:"]
    for key in ("teds", "teds_struct", "cell_text", "cell_exact"):
        a = sum(prev[n][key] for n in common) / len(common)
        b = sum(now[n][key] for n in common) / len(common)
        lines.append(f"  {key:12s} {a:.3f} → {b:.3f} ({b - a:+.3f})")
    deltas = sorted((now[n]["teds"] - prev[n]["teds"], n) for n in common)
    worse = [f"{n} {d:+.3f}" for d, n in deltas[:n_show] if d < -0.005]
    better = [f"{n} {d:+.3f}" for d, n in reversed(deltas[-n_show:]) if d > 0.005]
    lines.append("  TEDS regressions: " + (", ".join(worse) or "none"))
    lines.append("  TEDS gains: " + (", ".join(better) or "none"))
    return "\n".join(lines)


def render(
    by_engine: dict[str, list[Row]],
    extras: dict[str, dict[str, Any]],
    args: argparse.Namespace,
    worst: int,
    notes: list[str] | None = None,
) -> str:
    summaries = {e: summarize(rows) for e, rows in by_engine.items()}
    n_img = len(next(iter(by_engine.values())))
    parts = [
        "## Summary",
        f"{n_img} images; {', '.join(by_engine)}; worker processes per engine: {args.jobs}; "
        "OMP_THREAD_LIMIT=1.",
        *(f"- {n}" for n in notes or []),
        "",
        "### Each set side by side",
        "",
        subsets_table(by_engine),
        "",
        "### All images together",
        "",
        summary_table(summaries, extras),
    ]
    if extras:
        e0 = next(iter(extras.values()))
        parts += ["", f"Fresh process: {e0.get('fresh_image')}; big photo: {e0.get('big_image')}."]
        for e, rec in extras.items():
            for k in ("fresh_error", "big_error"):
                if rec.get(k):
                    parts.append(f"- {e} {k}: {rec[k]}")
    for title, section in subset_sections(by_engine):
        parts += ["", f"## {title}", "", section]
    for e, rows in by_engine.items():
        parts += ["", f"### Worst {worst} images: {e}", "", worst_table(rows, worst)]
    return "\n".join(parts) + "\n"


def load_subsets(subsets: tuple[str, ...], strict: bool, notes: list[str]) -> list[BenchImage]:
    """Images of ``subsets``, generating the generated sets first when missing or stale. ``strict`` (the user
    named the subsets): any that cannot be had is an error; otherwise it is skipped with a note."""
    out: list[BenchImage] = []
    for sub in subsets:
        try:
            if sub in GENERATED_SUBSETS:
                from bench.gen.build import ensure

                ensure(sub, log=lambda m: print(f"bench: {m}", flush=True))
            out += load_images(subsets=(sub,))
        except (FileNotFoundError, RuntimeError, ImportError) as exc:
            if strict:
                raise
            notes.append(f"{sub} skipped: {exc}")
            print(f"bench: {sub} skipped: {exc}", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    bad = [e for e in engines if e not in ENGINE_NAMES]
    if bad or not engines:
        print(f"bench: unknown engine(s) {bad}; choose from {', '.join(ENGINE_NAMES)}", file=sys.stderr)
        return 2
    asked = bool(args.subsets)
    notes: list[str] = []
    try:
        all_images = load_subsets(args.subsets or DEFAULT_SUBSETS, strict=asked, notes=notes)
    except (FileNotFoundError, KeyError, ValueError, RuntimeError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    images = select(all_images, args.only, args.limit, args.tag)
    if not images:
        print("bench: no image matches the selection", file=sys.stderr)
        return 2
    full = not asked and not args.only and not args.limit and not args.tag
    subsets = sorted({i.subset for i in images}, key=lambda x: SUBSETS.index(x))
    print(
        f"bench: {len(images)} images ({', '.join(subsets)}) from {bench_dir()} and bench/out/gen; "
        f"engines: {', '.join(engines)}",
        flush=True,
    )

    runs: dict[str, dict[str, dict[str, Any]]] = {}
    for name in engines:
        jobs = [
            Job(i.name, i.image, out_path(name, i), engine_opts(i, name, args.ocr, args.langs))
            for i in images
        ]
        if args.score_only:
            prev = (
                {r["name"]: r for r in json.loads((OUT / "scores.json").read_text()) if r["engine"] == name}
                if (OUT / "scores.json").exists()
                else {}
            )
            runs[name] = {
                j.name: {
                    "ok": j.out.exists(),
                    "error": "" if j.out.exists() else "no output",
                    "seconds": prev.get(j.name, {}).get("seconds"),
                    "peak_rss_mb": prev.get(j.name, {}).get("peak_rss_mb"),
                }
                for j in jobs
            }
            continue
        print(f"bench: running {name} ...", flush=True)
        t0, load0 = dt.datetime.now(), os.getloadavg()[0]
        try:
            engine = get_engine(name)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"bench: cannot set up {name}: {exc}", file=sys.stderr)
            return 2
        runs[name] = run_engine(
            engine,
            jobs,
            OUT / "work" / name,
            n_jobs=args.jobs,
            timeout=args.timeout,
            force=args.force,
        )
        cached = sum(1 for r in runs[name].values() if r.get("cached"))
        load = f"{load0:.1f} → {os.getloadavg()[0]:.1f}"
        took = (dt.datetime.now() - t0).total_seconds()
        notes.append(
            f"{name}: {len(jobs) - cached} images converted in {took:.0f} s, machine load (1-min avg) {load}"
            + (f"; {cached} taken from the cache (timings from the run that made them)" if cached else "")
        )
        ignored = sorted({o for r in runs[name].values() for o in r.get("ignored_opts", [])})
        if ignored:
            n_ign = sum(1 for r in runs[name].values() if r.get("ignored_opts"))
            notes.append(f"{name}: options {', '.join(ignored)} not supported, ignored on {n_ign} images")
        crashed = [n for n, r in runs[name].items() if not r.get("ok")]
        if crashed:
            log = (OUT / "work" / name).relative_to(REPO)
            print(
                f"bench: {name}: {len(crashed)} crashed ({', '.join(crashed[:5])}); "
                f"logs: {log}/shard*/worker.log"
            )
        print(
            f"bench: {name} done in {(dt.datetime.now() - t0).total_seconds():.0f}s"
            + (f" ({cached} cached)" if cached else ""),
            flush=True,
        )

    tasks = [
        (i.name, str(i.gt_json), str(out_path(e, i)), runs[e][i.name], i.tag("lang"))
        for e in engines
        for i in images
    ]
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        scores = list(pool.map(_score_one, tasks, chunksize=4))
    by_engine: dict[str, list[Row]] = {e: [] for e in engines}
    for (name, _, _, run, _), score, (e, img) in zip(
        tasks, scores, [(e, i) for e in engines for i in images], strict=True
    ):
        assert name == img.name
        by_engine[e].append(Row(img, score, run))

    extras: dict[str, dict[str, Any]] = {}
    if args.extras == "yes" or (args.extras == "auto" and full and not args.score_only):
        extras = measure_extras(
            engines, [i for i in all_images if i.subset == "synthetic"] or all_images, args.force
        )

    scores_csv = write_scores(by_engine)
    if full:  # kept apart so quick --limit runs by others don't overwrite the full picture
        scores_csv = write_scores(by_engine, "scores-full")
    text = render(by_engine, extras, args, args.worst, notes)
    print()
    print(text)
    for name in engines:
        if not get_engine(name).cacheable and (delta := compare_with_previous(name, by_engine[name])):
            print(delta)
    dest = args.results or (RESULTS_MD if full and len(engines) == 2 and not args.score_only else None)
    if dest is not None:
        dest.write_text(results_header() + text, encoding="utf-8")
        print(f"bench: wrote {dest}")
    print(f"bench: per-image scores in {scores_csv}")
    return 0


def _git_state() -> str:
    def git(*a: str) -> str:
        proc = subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True, check=False)
        return proc.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "layers")
    return f"commit {head}" + (" + uncommitted engine changes" if dirty else "")


def results_header() -> str:
    return (
        Path(__file__).with_name("RESULTS_HEADER.md").read_text(encoding="utf-8")
        + f"\n_Run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {_git_state()}._\n\n"
    )


if __name__ == "__main__":
    sys.exit(main())
