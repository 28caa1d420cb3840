"""Worker supervision: a worker that dies on one image is restarted for the rest; one that never starts
marks every image with the reason. Uses a fake interpreter instead of a real engine (no OCR)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench.engines import Engine, Job, _run_shard, compile_bytecode

FAKE = """#!{python}
import json, os, sys
_, _worker, _mode, jobs_path, results_path, *_ = sys.argv
if os.environ.get("FAKE_BROKEN"):
    print("ImportError: no engine here", file=sys.stderr)
    sys.exit(3)
with open(results_path, "a") as out:
    for job in json.load(open(jobs_path)):
        if "die" in job["name"]:
            os._exit(1)
        open(job["out"], "w").write("x")
        out.write(json.dumps({{"name": job["name"], "ok": True, "error": "", "seconds": 0.1}}) + "\\n")
        out.flush()
"""


def _engine(tmp_path: Path) -> Engine:
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE.format(python=sys.executable))
    fake.chmod(0o755)
    return Engine("img2table", fake, cacheable=False)


def _jobs(tmp_path: Path, names: list[str]) -> list[Job]:
    return [Job(n, tmp_path / f"{n}.png", tmp_path / f"{n}.xlsx") for n in names]


def test_dead_worker_blames_its_image_and_restarts(tmp_path: Path) -> None:
    recs = _run_shard(_engine(tmp_path), _jobs(tmp_path, ["a", "die", "b"]), tmp_path, timeout=30)
    assert recs["a"]["ok"] and recs["b"]["ok"]
    assert not recs["die"]["ok"] and recs["die"]["error"] == "worker died (exit 1)"
    assert (tmp_path / "b.xlsx").exists()


def test_worker_that_cannot_start_fails_every_image_with_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_BROKEN", "1")
    recs = _run_shard(_engine(tmp_path), _jobs(tmp_path, ["a", "b"]), tmp_path, timeout=30)
    assert [r["ok"] for r in recs.values()] == [False, False]
    assert all(
        "engine failed to start (exit 3)" in r["error"] and "no engine here" in r["error"]
        for r in recs.values()
    )
    assert json.loads((tmp_path / "jobs1.json").read_text())[0]["name"] == "a"


def test_fresh_runs_load_the_engine_as_bytecode_like_an_installed_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the bench's environment forbids writing bytecode; the fresh process must not pay for compiling anyway
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("X = 1\n")
    (package / "mod.py").write_text("def f() -> int:\n    return 2\n")
    compile_bytecode(Engine("img2xlsx", Path(sys.executable), cacheable=False), package)
    compiled = sorted(p.name.split(".")[0] for p in (package / "__pycache__").glob("*.pyc"))
    assert compiled == ["__init__", "mod"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "m.py").write_text("Y = 2\n")
    compile_bytecode(Engine("img2table", Path(sys.executable), cacheable=False), other)  # pip compiled it
    assert not (other / "__pycache__").exists()
