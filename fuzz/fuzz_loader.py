"""Fuzz target for the image and PDF loader: any byte string must either decode to RGB pages or raise an
``InputError`` (a message for the user). Anything else — another exception, a hang, runaway memory — is a bug.
PDFs are rendered in-process here (``IMG2XLSX_PDF_ISOLATE=0``), so a PDFium crash or hang is seen as one
instead of being turned into an error by the render child's limits.

Run through ``make fuzz`` (fuzz/run.py), or directly: ``python fuzz/fuzz_loader.py [libFuzzer flags] CORPUS``
with atheris (coverage-guided, PIL's Python decoders instrumented). Without atheris, ``--fallback SECONDS
SEED_DIR`` runs a plain mutation loop over the seeds instead.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("IMG2XLSX_PDF_ISOLATE", "0")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers/img2xlsx/python"))

try:
    import atheris
except ImportError:  # pragma: no cover - the fuzz extra installs it
    atheris = None


def _import_targets() -> None:
    """Import what is fuzzed (inside atheris' instrumentation when available, for coverage feedback)."""
    global load_pages, InputError
    from PIL import Image

    Image.init()  # every format plugin, so they are instrumented too
    from img2xlsx.errors import InputError as _InputError
    from img2xlsx.loader import load_pages as _load_pages

    load_pages, InputError = _load_pages, _InputError


load_pages = None  # set by _import_targets
InputError: type[Exception] = Exception


def check_one(data: bytes) -> None:
    """The property: decode, or refuse with an InputError whose message is one line."""
    assert load_pages is not None
    try:
        pages = load_pages(data)
    except InputError as exc:
        message = str(exc)
        if not message or "\n" in message:
            raise AssertionError(f"unusable error message: {message!r}") from exc
        return
    for page in pages:
        if page.ndim != 3 or page.shape[2] != 3 or page.dtype.name != "uint8":
            raise AssertionError(f"bad page array {page.shape} {page.dtype}")


def TestOneInput(data: bytes) -> None:  # the name atheris expects
    check_one(data)


def mutate(data: bytes, rng: random.Random, seeds: list[bytes]) -> bytes:
    """One to four classic mutations: flip, set interesting byte, insert, delete, truncate, splice."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        pos = rng.randrange(len(buf)) if buf else 0
        if op == 0 and buf:
            buf[pos] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:
            buf[pos] = rng.choice((0, 1, 0x7F, 0x80, 0xFF))
        elif op == 2:
            buf[pos:pos] = rng.randbytes(rng.randint(1, 16))
        elif op == 3 and buf:
            del buf[pos : pos + rng.randint(1, 64)]
        elif op == 4:
            del buf[rng.randint(0, len(buf)) :]
        else:
            other = rng.choice(seeds)
            cut = rng.randint(0, len(other))
            buf = buf[:pos] + bytearray(other[cut:])
    return bytes(buf)


def fallback(seconds: float, seed_dir: Path, crash_dir: Path) -> int:
    """A dependency-free mutation loop (no coverage feedback); prints libFuzzer-like figures."""
    _import_targets()
    seeds = [p.read_bytes() for p in sorted(seed_dir.iterdir()) if p.is_file()]
    rng = random.Random(20261129)
    runs = crashes = 0
    slowest = 0.0
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        data = mutate(rng.choice(seeds), rng, seeds)
        t0 = time.monotonic()
        try:
            check_one(data)
        except Exception as exc:
            crashes += 1
            crash_dir.mkdir(parents=True, exist_ok=True)
            (crash_dir / f"crash-{runs}").write_bytes(data)
            print(f"CRASH {type(exc).__name__}: {exc}", file=sys.stderr)
        slowest = max(slowest, time.monotonic() - t0)
        runs += 1
    elapsed = time.monotonic() - start
    print(f"Done {runs} runs in {int(elapsed)} second(s); crashes: {crashes}; slowest input: {slowest:.2f}s")
    return 1 if crashes else 0


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "--fallback":
        sys.exit(fallback(float(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])))
    if atheris is None:
        sys.exit("atheris is not installed: pip install atheris, or run with --fallback")
    with atheris.instrument_imports(include=["PIL", "img2xlsx"]):
        _import_targets()
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
