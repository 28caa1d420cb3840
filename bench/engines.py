"""How to run each engine: its interpreter, environment, on-demand venv, and the img2table output cache."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.dataset import REPO
from bench.worker import IMG2TABLE_SETTINGS

WORKER = Path(__file__).resolve().parent / "worker.py"
IMG2TABLE_VENV = REPO / "bench" / ".venv-img2table"
IMG2TABLE_REQUIREMENT = "img2table==2.0.0"
ENGINE_NAMES = ("img2xlsx", "img2table")
STALL_GRACE_S = 60


@dataclass(frozen=True)
class Engine:
    """An engine the worker can run, and whether its outputs may be reused across runs."""

    name: str
    python: Path
    cacheable: bool

    def env(self) -> dict[str, str]:
        env = dict(os.environ, OMP_THREAD_LIMIT="1", PYTHONUNBUFFERED="1")
        if self.name == "img2xlsx":
            extra = str(REPO / "layers" / "img2xlsx" / "python")
            env["PYTHONPATH"] = os.pathsep.join(p for p in (extra, env.get("PYTHONPATH", "")) if p)
        else:
            env.pop("PYTHONPATH", None)
        return env


def ensure_img2table_venv(log: Any = sys.stderr) -> Path:
    """Create ``bench/.venv-img2table`` with img2table (its opencv-contrib clashes with ours) if missing."""
    python = IMG2TABLE_VENV / "bin" / "python"
    check = [str(python), "-c", "import img2table, openpyxl"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"bench: creating {IMG2TABLE_VENV} ({IMG2TABLE_REQUIREMENT}) ...", file=log, flush=True)
    subprocess.run(["python3", "-m", "venv", str(IMG2TABLE_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, IMG2TABLE_REQUIREMENT, "openpyxl"], check=True)
    return python


def get_engine(name: str) -> Engine:
    if name == "img2xlsx":
        return Engine(name, Path(sys.executable), cacheable=False)
    if name == "img2table":
        return Engine(name, ensure_img2table_venv(), cacheable=True)
    raise ValueError(f"unknown engine {name!r} (choose from {', '.join(ENGINE_NAMES)})")


def cache_key(image: Path, opts: dict[str, Any] | None = None) -> str:
    """Image bytes + img2table version + settings (+ per-image options such as ``langs``): outputs are
    reusable exactly when all match."""
    h = hashlib.sha256(image.read_bytes())
    h.update(json.dumps([IMG2TABLE_REQUIREMENT, IMG2TABLE_SETTINGS], sort_keys=True).encode())
    if opts:
        h.update(json.dumps(opts, sort_keys=True).encode())
    return h.hexdigest()[:20]


@dataclass(frozen=True)
class Job:
    """One image to convert; ``opts``: engine keywords (``ocr``, ``langs``) passed only when set."""

    name: str
    image: Path
    out: Path
    opts: dict[str, Any] | None = None


def _run_shard(engine: Engine, jobs: list[Job], work: Path, timeout: int) -> dict[str, dict[str, Any]]:
    """Convert ``jobs`` in one worker process; restart after a hard crash, blaming the image it died on."""
    records: dict[str, dict[str, Any]] = {}
    remaining = list(jobs)
    attempt = 0
    while remaining:
        attempt += 1
        jobs_file, results = work / f"jobs{attempt}.json", work / f"results{attempt}.jsonl"
        jobs_file.write_text(
            json.dumps(
                [
                    {
                        "name": j.name,
                        "image": str(j.image),
                        "out": str(j.out),
                        **({"opts": j.opts} if j.opts else {}),
                    }
                    for j in remaining
                ]
            )
        )
        results.write_text("")
        cmd = [str(engine.python), str(WORKER), "batch", str(jobs_file), str(results)]
        cmd += ["--engine", engine.name, "--timeout", str(timeout)]
        with open(work / "worker.log", "a") as log:
            proc = subprocess.Popen(cmd, env=engine.env(), stdout=log, stderr=log, cwd=str(REPO))
            last_size, last_change = 0, time.monotonic()
            while proc.poll() is None:
                time.sleep(0.3)
                size = results.stat().st_size
                if size != last_size:
                    last_size, last_change = size, time.monotonic()
                elif time.monotonic() - last_change > timeout + STALL_GRACE_S:
                    proc.kill()
                    proc.wait()
        lines = [json.loads(x) for x in results.read_text().splitlines() if x.strip()]
        for rec in lines:
            records[rec["name"]] = rec
        remaining = [j for j in remaining if j.name not in records]
        if remaining:
            first = remaining.pop(0)
            if not lines and attempt == 1 and proc.returncode not in (0, -9):
                tail = (work / "worker.log").read_text(errors="replace").strip().splitlines()[-3:]
                reason = f"engine failed to start (exit {proc.returncode}): {' | '.join(tail)}"[:500]
                for j in [first, *remaining]:
                    records[j.name] = {"name": j.name, "ok": False, "error": reason, "seconds": None}
                return records
            why = "killed: no progress" if proc.returncode == -9 else f"worker died (exit {proc.returncode})"
            records[first.name] = {"name": first.name, "ok": False, "error": why, "seconds": None}
    return records


def run_engine(
    engine: Engine,
    jobs: Sequence[Job],
    work: Path,
    *,
    n_jobs: int = 1,
    timeout: int = 180,
    force: bool = False,
) -> dict[str, dict[str, Any]]:
    """Per-image run records ({seconds, ok, error, peak_rss_mb, cached}); outputs go to each job's path."""
    work.mkdir(parents=True, exist_ok=True)
    cache_dir = REPO / "bench" / "out" / "cache" / engine.name
    records: dict[str, dict[str, Any]] = {}
    pending: list[Job] = []
    keys: dict[str, str] = {}
    for job in jobs:
        job.out.parent.mkdir(parents=True, exist_ok=True)
        job.out.unlink(missing_ok=True)
        if engine.cacheable:
            keys[job.name] = key = cache_key(job.image, job.opts)
            meta = cache_dir / f"{key}.json"
            if not force and meta.exists():
                rec = json.loads(meta.read_text())
                if (cache_dir / f"{key}.xlsx").exists():
                    shutil.copyfile(cache_dir / f"{key}.xlsx", job.out)
                records[job.name] = {**rec, "name": job.name, "cached": True}
                continue
        pending.append(job)
    if pending:
        shards = [pending[i::n_jobs] for i in range(max(1, min(n_jobs, len(pending))))]
        dirs = [work / f"shard{i}" for i in range(len(shards))]
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        with ThreadPoolExecutor(len(shards)) as pool:
            for part in pool.map(
                lambda a: _run_shard(engine, a[0], a[1], timeout), zip(shards, dirs, strict=True)
            ):
                records.update(part)
        if engine.cacheable:
            cache_dir.mkdir(parents=True, exist_ok=True)
            for job in pending:
                rec = records[job.name]
                if job.out.exists():
                    shutil.copyfile(job.out, cache_dir / f"{keys[job.name]}.xlsx")
                (cache_dir / f"{keys[job.name]}.json").write_text(json.dumps(rec))
    return records


ENGINE_PACKAGE = REPO / "layers" / "img2xlsx" / "python" / "img2xlsx"


def compile_bytecode(engine: Engine, package: Path = ENGINE_PACKAGE) -> None:
    """Byte-compile img2xlsx's package as installing it does (pip compiles what it installs, the converter
    image runs ``compileall``), so a fresh process loads bytecode instead of compiling ~13,000 lines of
    source (~0.2 s) that no user compiles on each conversion. img2table's venv was compiled by pip when it
    was installed; under PYTHONDONTWRITEBYTECODE (set here, and in the converter image) the interpreter still
    reads bytecode, it only never writes it. Stale bytecode is never used: each file records its source's
    modification time."""
    if engine.name != "img2xlsx":
        return
    env = engine.env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [str(engine.python), "-m", "compileall", "-q", str(package)],
        env=env,
        capture_output=True,
        check=False,
    )


def run_fresh(
    engine: Engine, image: Path, out: Path, timeout: int = 600, opts: dict[str, Any] | None = None
) -> dict[str, Any]:
    """First conversion in a fresh interpreter: wall time seen from outside, imports and startup included
    (the engine's bytecode as installed, see :func:`compile_bytecode`)."""
    compile_bytecode(engine)
    t0 = time.perf_counter()
    cmd = [str(engine.python), str(WORKER), "fresh", str(image), str(out), "--engine", engine.name]
    if opts:
        cmd += ["--opts", json.dumps(opts)]
    proc = subprocess.run(
        cmd, env=engine.env(), capture_output=True, text=True, timeout=timeout, cwd=str(REPO)
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-2:])
        return {"ok": False, "error": f"exit {proc.returncode}: {tail}"[:400], "seconds_wall": wall}
    rec = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"ok": True, "seconds_wall": wall, **rec}
