"""``make fuzz``: seed a corpus with small valid images and PDFs of every supported kind, fuzz the loader
for a fixed time (atheris when installed, else a plain mutation loop) and print the figures.

Exit code 1 when any input crashed the loader (the inputs are kept in fuzz/.work/crashes for a regression
test); FUZZ_SECONDS / --seconds sets the budget.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"


def write_seeds(folder: Path) -> int:
    """One small table picture per format the loader accepts, plus a few odd modes."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from hardening import pdfs
    from hardening.corpus import CASES, table_image, table_rows
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    img = table_image(rows=2, cols=2, cell=(40, 16))
    formats: list[tuple[str, str, Image.Image, dict[str, Any]]] = [
        ("png", "PNG", img, {}),
        ("jpg", "JPEG", img, {"quality": 80}),
        ("gif", "GIF", img.convert("P"), {}),
        ("bmp", "BMP", img, {}),
        ("tiff", "TIFF", img, {"compression": "tiff_deflate"}),
        ("webp", "WEBP", img, {"quality": 60}),
        ("la.png", "PNG", img.convert("LA"), {}),
        ("cmyk.jpg", "JPEG", img.convert("CMYK"), {}),
        ("p.tiff", "TIFF", img.convert("P"), {}),
    ]
    for name, fmt, picture, options in formats:
        buf = io.BytesIO()
        picture.save(buf, format=fmt, **options)
        (folder / f"seed.{name}").write_bytes(buf.getvalue())
    small = pdfs.table_page(table_rows(2, 2), col_width=60, row_height=20, origin=(10, 90)).content
    documents = {
        "born-digital": pdfs.document([small], size=(200, 100)),
        "two-pages": pdfs.document([small, small], size=(200, 100)),
        "scan": pdfs.scanned_pdf([img], dpi=72),
        "ocr-layer": pdfs.document(
            [b"q 200 0 0 100 0 0 cm /Im1 Do Q\n" + small.replace(b"BT 0 Tr", b"BT 3 Tr")],
            size=(200, 100),
            images=[img],
        ),
        "owner-password": pdfs.encrypted_pdf(user_password=b""),
        "form": pdfs.scripted_form_pdf(),
    }
    for name, data in documents.items():
        (folder / f"seed-{name}.pdf").write_bytes(data)
    for case in CASES:  # the corpus' small hostile files are good seeds too
        data = case.data()
        if 0 < len(data) < 20_000:
            (folder / f"corpus-{case.name}").write_bytes(data)
    return len(list(folder.iterdir()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--fallback", action="store_true", help="the plain mutation loop even with atheris")
    args = parser.parse_args()
    seeds, corpus, crashes = WORK / "seeds", WORK / "corpus", WORK / "crashes"
    shutil.rmtree(seeds, ignore_errors=True)
    n_seeds = write_seeds(seeds)
    corpus.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    target = HERE / "fuzz_loader.py"
    try:
        import atheris  # noqa: F401

        engine = "plain mutation loop" if args.fallback else "atheris (coverage-guided)"
    except ImportError:
        engine = "plain mutation loop (atheris not installed)"
        args.fallback = True
    if args.fallback:
        cmd = [sys.executable, str(target), "--fallback", str(args.seconds), str(seeds), str(crashes)]
    else:
        cmd = [
            sys.executable,
            str(target),
            f"-max_total_time={args.seconds}",
            "-timeout=20",
            "-rss_limit_mb=2048",
        ]
        cmd += [f"-artifact_prefix={crashes}/", "-print_final_stats=1", str(corpus), str(seeds)]
    print(
        f"fuzzing the loader (images, PDFs) for {args.seconds}s with {engine}; {n_seeds} seeds",
        flush=True,
    )
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    elapsed = time.monotonic() - started
    log = proc.stdout + proc.stderr
    (WORK / "last-run.log").write_text(log)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    runs = _last_int(r"Done (\d+) runs", log) or _last_int(r"stat::number_of_executed_units:\s*(\d+)", log)
    cov = _last_int(r"cov: (\d+)", log)
    found = sorted(p.name for p in crashes.iterdir() if p.is_file())
    print(f"runs:            {runs}")
    print(f"execs/second:    {runs / elapsed:.0f}" if runs else "execs/second:    n/a")
    if cov is not None:
        print(f"coverage edges:  {cov}")
        print(f"corpus entries:  {len(list(corpus.iterdir()))}")
    print(f"peak RSS:        {peak_mb:.0f} MB")
    print(f"crashes:         {len(found)}" + (f" ({', '.join(found[:5])} in {crashes})" if found else ""))
    print(f"exit code:       {proc.returncode} (log: {WORK / 'last-run.log'})")
    if found or proc.returncode != 0:
        print(log[-3000:], file=sys.stderr)
        return 1
    return 0


def _last_int(pattern: str, text: str) -> int | None:
    found = re.findall(pattern, text)
    return int(found[-1]) if found else None


if __name__ == "__main__":
    sys.exit(main())
