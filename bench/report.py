"""Aggregate per-image scores into the side-by-side tables printed by ``bench.run`` and kept in RESULTS.md."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.dataset import DEFAULT_SUBSETS, SUBSET_TAGS, SUBSETS, TAG_KEYS, BenchImage
from bench.score import ImageScore


@dataclass
class Row:
    """One image of one engine: its score, its run record, its tags."""

    image: BenchImage
    score: ImageScore
    run: dict[str, Any]


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); NaN for no values."""
    vals = sorted(values)
    if not vals:
        return math.nan
    pos = (len(vals) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def summarize(rows: Sequence[Row]) -> dict[str, float]:
    """Engine-level figures over a set of images (see RESULTS.md for definitions)."""
    n = len(rows)
    if n == 0:
        return {}
    secs = [r.run["seconds"] for r in rows if r.run.get("ok") and r.run.get("seconds") is not None]
    cpu = [r.run["cpu_seconds"] for r in rows if r.run.get("ok") and r.run.get("cpu_seconds") is not None]
    rss = [r.run["peak_rss_mb"] for r in rows if r.run.get("peak_rss_mb")]
    num_n = sum(r.score.numeric_n for r in rows)
    n_pred = sum(r.score.n_pred for r in rows)
    n_gt = sum(r.score.n_gt for r in rows)
    tp = sum(r.score.n_tp for r in rows)
    return {
        "images": n,
        "teds": statistics.fmean(r.score.teds for r in rows),
        "teds_struct": statistics.fmean(r.score.teds_struct for r in rows),
        "cell_text": statistics.fmean(r.score.cell_text for r in rows),
        "cell_exact": statistics.fmean(r.score.cell_exact for r in rows),
        "numeric": sum(r.score.numeric_hits for r in rows) / num_n if num_n else math.nan,
        "table_precision": tp / n_pred if n_pred else 0.0,
        "table_recall": tp / n_gt if n_gt else math.nan,
        "tables_pred": n_pred,
        "tables_gt": n_gt,
        "crashes": sum(1 for r in rows if r.score.crashed),
        "median_s": statistics.median(secs) if secs else math.nan,
        "p90_s": percentile(secs, 90),
        "median_cpu_s": statistics.median(cpu) if cpu else math.nan,
        "peak_rss_mb": max(rss) if rss else math.nan,
    }


METRICS: list[tuple[str, str, bool]] = [  # key, label, higher is better
    ("teds", "TEDS", True),
    ("teds_struct", "TEDS-struct", True),
    ("cell_text", "cell text accuracy (similarity)", True),
    ("cell_exact", "cells exactly right", True),
    ("numeric", "numeric typing", True),
    ("table_precision", "table precision", True),
    ("table_recall", "table recall", True),
    ("crashes", "crashes", False),
    ("median_s", "median s/image", False),
    ("p90_s", "p90 s/image", False),
    ("median_cpu_s", "median CPU s/image (all threads + subprocesses)", False),
    ("peak_rss_mb", "peak RSS MB (batch worker)", False),
]


def fmt(v: Any, key: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if key in ("crashes", "images", "tables_pred", "tables_gt", "n"):
        return str(int(v))
    if key.endswith("_mb"):
        return f"{v:.0f}"
    if key.endswith("_s") or key.startswith("seconds"):
        return f"{v:.2f}"
    return f"{v:.3f}"


def ratio(a: Any, b: Any) -> str:
    try:
        if b == 0 or math.isnan(a) or math.isnan(b):
            return "-"
        return f"{a / b:.2f}x"
    except TypeError:
        return "-"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def summary_table(summaries: dict[str, dict[str, float]], extras: dict[str, dict[str, Any]]) -> str:
    engines = list(summaries)
    two = len(engines) == 2
    header = ["metric", *engines] + ([f"ratio {engines[0]}/{engines[1]}"] if two else [])
    rows = []
    for key, label, higher in METRICS:
        vals = [summaries[e].get(key, math.nan) for e in engines]
        row = [f"{label} ({'↑' if higher else '↓'})", *(fmt(v, key) for v in vals)]
        if two:
            row.append(ratio(vals[0], vals[1]))
        rows.append(row)
    rows.append(
        [
            "tables found / expected",
            *(f"{summaries[e]['tables_pred']}/{summaries[e]['tables_gt']}" for e in engines),
        ]
        + ([""] if two else [])
    )
    for key, label in (
        ("fresh_s", "first conversion, fresh process, s (↓)"),
        ("big_rss_mb", "peak RSS MB, 4000x3000 photo (↓)"),
        ("big_s", "seconds, 4000x3000 photo, fresh process (↓)"),
        ("fresh_teds", "TEDS of the fresh-process image (↑)"),
        ("big_teds", "TEDS of the 4000x3000 photo (↑)"),
    ):
        if any(key in extras.get(e, {}) for e in engines):
            vals = [extras.get(e, {}).get(key, math.nan) for e in engines]
            rows.append([label, *(fmt(v, key) for v in vals)] + ([ratio(vals[0], vals[1])] if two else []))
    rows.append(["images", *(fmt(summaries[e]["images"], "images") for e in engines)] + ([""] if two else []))
    return md_table(header, rows)


BREAKDOWN_METRICS = [
    ("teds", "TEDS"),
    ("teds_struct", "TEDS-s"),
    ("cell_text", "text"),
    ("cell_exact", "exact"),
    ("numeric", "numeric"),
]


def breakdown_table(by_engine: dict[str, list[Row]], key: str, tag: Callable[[Row], str]) -> str:
    engines = list(by_engine)
    groups = sorted({tag(r) for rows in by_engine.values() for r in rows})
    header = (
        [key, "n"]
        + [f"{label} {'/'.join(engines)}" for _, label in BREAKDOWN_METRICS]
        + [f"median s {'/'.join(engines)}"]
    )
    out = []
    for g in groups:
        sums = {e: summarize([r for r in rows if tag(r) == g]) for e, rows in by_engine.items()}
        n = next(iter(sums.values()))["images"]
        cells = [" / ".join(fmt(sums[e][m], m) for e in engines) for m, _ in BREAKDOWN_METRICS]
        cells.append(" / ".join(fmt(sums[e]["median_s"], "median_s") for e in engines))
        out.append([g, str(n), *cells])
    return md_table(header, out)


SUBSET_TITLES = {
    "synthetic": "Shared synthetic (../shared/bench/synthetic, visible while developing)",
    "val": "Fresh validation split (generated, seed never tuned on)",
    "train": "Training split (generated, tune on this one)",
    "lang": "Languages and locales (generated: deu, fra, spa, vie)",
    "real": "PubTabNet crops (real/)",
    "icdar2013": "ICDAR 2013 government tables (icdar2013/)",
    "photos": "Real photos, scans and screenshots (photos/)",
}
SIDE_METRICS = [
    ("teds", "TEDS"),
    ("teds_struct", "TEDS-s"),
    ("cell_text", "text"),
    ("cell_exact", "exact"),
    ("numeric", "numeric"),
    ("table_precision", "table P"),
    ("table_recall", "table R"),
    ("median_s", "median s"),
    ("median_cpu_s", "median CPU s"),
]


def _ordered_subsets(by_engine: dict[str, list[Row]]) -> list[str]:
    present = {r.image.subset for rows in by_engine.values() for r in rows}
    order = [*DEFAULT_SUBSETS, *(s for s in SUBSETS if s not in DEFAULT_SUBSETS)]
    return [s for s in order if s in present] + sorted(present - set(order))


def subsets_table(by_engine: dict[str, list[Row]]) -> str:
    """One row per subset, each metric as ``engine1 / engine2``: every set side by side at a glance."""
    engines = list(by_engine)
    header = ["set", "n"] + [f"{label} {'/'.join(engines)}" for _, label in SIDE_METRICS]
    out = []
    for sub in _ordered_subsets(by_engine):
        sums = {e: summarize([r for r in rows if r.image.subset == sub]) for e, rows in by_engine.items()}
        n = next(iter(sums.values()))["images"]
        cells = [" / ".join(fmt(sums[e][m], m) for e in engines) for m, _ in SIDE_METRICS]
        out.append([sub, str(n), *cells])
    return md_table(header, out)


def subset_sections(by_engine: dict[str, list[Row]]) -> list[tuple[str, str]]:
    """Per subset: its own summary table (accuracy, tables, speed) and its tag breakdowns."""
    out = []
    for sub in _ordered_subsets(by_engine):
        rows = {e: [r for r in rs if r.image.subset == sub] for e, rs in by_engine.items()}
        parts = [summary_table({e: summarize(rs) for e, rs in rows.items()}, {})]
        for key in SUBSET_TAGS.get(sub, ()):
            if len({r.image.tag(key) for rs in rows.values() for r in rs}) > 1:
                table = breakdown_table(rows, key, lambda r, k=key: r.image.tag(k))  # type: ignore[misc]
                parts += ["", f"By {key}:", "", table]
        n = len(next(iter(rows.values())))
        out.append((f"{SUBSET_TITLES.get(sub, sub)}: {n} images", "\n".join(parts)))
    return out


def breakdowns(by_engine: dict[str, list[Row]]) -> list[tuple[str, str]]:
    out = [("subset", breakdown_table(by_engine, "subset", lambda r: r.image.subset))]
    for key in TAG_KEYS:
        out.append((key, breakdown_table(by_engine, key, lambda r, k=key: r.image.tag(k))))  # type: ignore[misc]
    return out


def _shapes(score: ImageScore) -> str:
    def dims(shape: list[int] | None) -> str:
        return "none" if not shape else f"{shape[0]}x{shape[1]}"

    return ", ".join(f"{dims(t['gt_shape'])}→{dims(t['pred_shape'])}" for t in score.per_table)


def worst_table(rows: Sequence[Row], n: int = 10) -> str:
    worst = sorted(rows, key=lambda r: (r.score.teds, r.score.cell_text))[:n]
    body = [
        [
            r.image.name,
            r.image.subset,
            fmt(r.score.teds),
            fmt(r.score.teds_struct),
            fmt(r.score.cell_text),
            f"{r.score.n_pred}/{r.score.n_gt}",
            _shapes(r.score),
            " ".join(r.image.tag(k) for k in TAG_KEYS),
            (r.score.error or "")[:60],
        ]
        for r in worst
    ]
    return md_table(
        [
            "image",
            "subset",
            "TEDS",
            "TEDS-s",
            "text",
            "sheets/GT",
            "GT→sheet shape",
            "tags: " + " ".join(TAG_KEYS),
            "error",
        ],
        body,
    )
