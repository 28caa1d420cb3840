"""The conversion worker: one JSON line per image, engine failures and timeouts recorded as crashes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bench import worker


def _fake_engine() -> worker.Converter:
    def run(src: str, dest: str) -> None:
        if "bad" in src:
            raise ValueError("cannot read table")
        if "slow" in src:
            time.sleep(2)
        if "busy" in src:  # CPU work on a second thread counts as CPU time, a sleep does not
            import threading

            t = threading.Thread(target=lambda: sum(i * i for i in range(3_000_000)))
            t.start()
            t.join()
        Path(dest).write_bytes(b"xlsx")

    return run


def test_batch_records_successes_crashes_and_timeouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(worker.ENGINES, "fake", _fake_engine)
    jobs = [
        {"name": n, "image": f"/x/{n}.png", "out": str(tmp_path / f"{n}.xlsx")}
        for n in ("ok", "bad", "slow", "busy")
    ]
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    results = tmp_path / "results.jsonl"
    assert worker.batch(str(tmp_path / "jobs.json"), str(results), "fake", timeout=1) == 0
    recs = {r["name"]: r for r in map(json.loads, results.read_text().splitlines())}
    assert recs["ok"]["ok"] and (tmp_path / "ok.xlsx").exists()
    assert not recs["bad"]["ok"] and recs["bad"]["error"] == "ValueError: cannot read table"
    assert not recs["slow"]["ok"] and recs["slow"]["error"].startswith("timeout")
    assert 0.9 < recs["slow"]["seconds"] < 2.5
    assert recs["slow"]["cpu_seconds"] < 0.5 < recs["slow"]["seconds"]
    assert recs["busy"]["cpu_seconds"] > 0.05
    assert all(r["peak_rss_mb"] > 1 for r in recs.values())
