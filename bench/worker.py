"""Conversion worker: one process per engine converts a list of images to xlsx, timing each in-process.

Runs under either venv (ours or ``bench/.venv-img2table``), so it imports nothing from ``bench`` and only the
standard library at module level. Results go to a JSON-lines file, one line per image, flushed as they come:
if the process dies the runner still knows which image killed it.

    python worker.py batch JOBS.json RESULTS.jsonl --engine img2xlsx [--timeout 120]
    python worker.py fresh IMAGE OUT.xlsx --engine img2table   # first conversion, imports included

A job may carry ``opts`` (``{"ocr": "ppocr", "langs": ["deu"]}``), passed to the engine as keywords only when
set; img2xlsx gets only those its ``convert`` accepts (the rest are listed in the result's ``ignored_opts``).
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()  # before any engine import: the fresh-process measurement starts here

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

Converter = Callable[..., None]  # (src, dest, **opts): opts only "ocr" / "langs", and only when set

IMG2TABLE_SETTINGS: dict[str, Any] = {
    "detect_rotation": True,
    "implicit_rows": True,
    "implicit_columns": False,
    "borderless_tables": True,
    "min_confidence": 10,  # swept on a 30-image spread: 50 → TEDS 0.575, 30 → 0.610, 10 → 0.621, 1 → 0.624
    # experiments: BENCH_IMG2TABLE_OPTS='{"implicit_columns": true}' (the cache key includes the settings)
    **json.loads(os.environ.get("BENCH_IMG2TABLE_OPTS") or "{}"),
}


# Both engines get the same thread budget: the CPUs this process may use (or $BENCH_THREADS). img2xlsx reads
# a page's bands on that many threads; img2table's TesseractOCR(n_threads) runs one tesseract per page image
# concurrently, so on a one-page image it cannot use more than one (its design, not a bench setting).
THREADS = int(os.environ.get("BENCH_THREADS") or len(os.sched_getaffinity(0)))


class OptionIgnored(Warning):
    """An option the engine cannot take (e.g. ``langs`` before convert had it): converted without it."""


def accepted(func: Callable[..., Any], opts: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The options ``func`` takes as keywords, and the names of those it does not."""
    import inspect

    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return {}, sorted(opts)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return dict(opts), []
    ok = {k: v for k, v in opts.items() if k in params}
    return ok, sorted(k for k in opts if k not in ok)


IGNORED: list[str] = []  # options dropped on the current image (reported in its result line)


def make_img2xlsx() -> Converter:
    os.environ["IMG2XLSX_OCR_THREADS"] = str(THREADS)
    from img2xlsx.pipeline import convert
    from img2xlsx.writers.xlsx import write_xlsx

    def run(src: str, dest: str, **opts: Any) -> None:
        kw, dropped = accepted(convert, opts)
        IGNORED.extend(dropped)
        write_xlsx(convert(src, **kw), dest)

    return run


def tesseract_langs() -> set[str]:
    import subprocess

    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return {"eng"}
    return {line.strip() for line in out.splitlines()[1:] if line.strip()}


def make_img2table() -> Converter:
    from img2table.document import Image
    from img2table.ocr import TesseractOCR

    have = tesseract_langs()
    ocrs: dict[str, Any] = {}
    settings = {k: v for k, v in IMG2TABLE_SETTINGS.items() if k != "detect_rotation"}

    def run(src: str, dest: str, **opts: Any) -> None:
        # img2table reads with Tesseract: the image's languages when their data is installed, else English
        langs = [x for x in opts.get("langs") or [] if x in have]
        if opts.get("langs") and not langs:
            IGNORED.append("langs")
        lang = "+".join(langs) if langs else "eng"
        if "ocr" in opts:
            IGNORED.append("ocr")
        if lang not in ocrs:
            ocrs[lang] = TesseractOCR(n_threads=THREADS, lang=lang)
        Image(src=src, detect_rotation=IMG2TABLE_SETTINGS["detect_rotation"]).to_xlsx(
            dest, ocr=ocrs[lang], **settings
        )

    return run


ENGINES: dict[str, Callable[[], Converter]] = {"img2xlsx": make_img2xlsx, "img2table": make_img2table}


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of its finished children (img2table's tesseract runs
    in a subprocess): wall time rewards using several cores, this shows the work done."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class _Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


def batch(jobs_path: str, results_path: str, engine: str, timeout: int) -> int:
    with open(jobs_path, encoding="utf-8") as f:
        jobs = json.load(f)
    convert = ENGINES[engine]()
    signal.signal(signal.SIGALRM, _on_alarm)
    with open(results_path, "a", encoding="utf-8") as out:
        for job in jobs:
            t0 = time.perf_counter()
            c0 = cpu_seconds()
            error = ""
            signal.alarm(timeout)
            IGNORED.clear()
            try:
                if job.get("opts"):
                    convert(job["image"], job["out"], **job["opts"])
                else:
                    convert(job["image"], job["out"])
            except _Timeout:
                error = f"timeout after {timeout}s"
            except Exception as exc:  # any engine failure is a crash of that image, not of the bench
                error = f"{type(exc).__name__}: {exc}"[:500]
                traceback.print_exc(file=sys.stderr)
            finally:
                signal.alarm(0)
            rec = {
                "name": job["name"],
                "seconds": time.perf_counter() - t0,
                "cpu_seconds": cpu_seconds() - c0,
                "ok": not error,
                "error": error,
                "peak_rss_mb": peak_rss_mb(),
            }
            if IGNORED:
                rec["ignored_opts"] = sorted(set(IGNORED))
            out.write(json.dumps(rec) + "\n")
            out.flush()
    return 0


def fresh(image: str, dest: str, engine: str, opts: dict[str, Any] | None = None) -> int:
    convert = ENGINES[engine]()
    t_ready = time.perf_counter()
    if opts:
        convert(image, dest, **opts)
    else:
        convert(image, dest)
    t_end = time.perf_counter()
    rec = {
        "seconds_total": t_end - _T0,
        "seconds_import": t_ready - _T0,
        "seconds_convert": t_end - t_ready,
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(rec))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["batch", "fresh"])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--engine", choices=sorted(ENGINES), required=True)
    ap.add_argument("--timeout", type=int, default=180)
    ap.add_argument("--opts", default="", help="fresh mode: JSON keywords for the engine (ocr, langs)")
    args = ap.parse_args(argv)
    if args.mode == "batch":
        return batch(args.a, args.b, args.engine, args.timeout)
    return fresh(args.a, args.b, args.engine, json.loads(args.opts) if args.opts else None)


if __name__ == "__main__":
    sys.exit(main())
