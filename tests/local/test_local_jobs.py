"""The SQLite job store: round trips, conditional transitions, and exactly one winner under contention."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from img2xlsx.jobs.model import Job, JobResult
from img2xlsx_local.jobs import SqliteJobStore


def make_job(job_id: str = "job-0000000000000001", **kw: object) -> Job:
    base = dict(
        job_id=job_id,
        status="awaiting_upload",
        filename="scan.png",
        content_type="image/png",
        size=123,
        upload_key=f"uploads/{job_id}/scan.png",
        created_at=1000.5,
        updated_at=1000.5,
        expires_at=2000,
    )
    base.update(kw)
    return Job(**base)


@pytest.fixture
def store(tmp_path: Path) -> SqliteJobStore:
    return SqliteJobStore(tmp_path / "jobs.sqlite")


def test_round_trip_and_wal(store: SqliteJobStore) -> None:
    job = make_job(extra={"note": "ü"})
    store.create(job)
    assert store.get(job.job_id) == job
    assert store.get("nope") is None
    with pytest.raises(ValueError):
        store.create(job)
    mode = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_transition_applies_changes_only_from_expected_status(store: SqliteJobStore) -> None:
    store.create(make_job())
    assert store.transition("job-0000000000000001", ("queued",), "processing") is None
    moved = store.transition("job-0000000000000001", ("awaiting_upload",), "queued", updated_at=1001.25)
    assert moved is not None and moved.status == "queued" and moved.updated_at == 1001.25
    result = JobResult(xlsx_key="results/j/a.xlsx", json_key="results/j/a.json", tables=2)
    done = store.transition("job-0000000000000001", ("queued",), "done", result=result, updated_at=1002.0)
    assert done is not None
    again = store.get("job-0000000000000001")
    assert again is not None and again.result == result and again.status == "done"
    assert store.transition("missing-000000000001", ("queued",), "done") is None
    with pytest.raises(TypeError):
        store.transition("job-0000000000000001", ("done",), "failed", no_such_field=1)


def test_if_updated_at_is_an_optimistic_lock(store: SqliteJobStore) -> None:
    store.create(make_job(status="processing", updated_at=1000.123))
    assert store.transition("job-0000000000000001", ("processing",), "queued", if_updated_at=999.0) is None
    got = store.transition("job-0000000000000001", ("processing",), "queued", if_updated_at=1000.123)
    assert got is not None and got.status == "queued"


def test_racing_workers_have_exactly_one_winner(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    SqliteJobStore(path).create(make_job(status="queued"))
    winners: list[int] = []
    barrier = threading.Barrier(8)

    def worker(i: int) -> None:
        store = SqliteJobStore(path)  # each worker its own store, as separate processes would
        barrier.wait()
        if store.transition("job-0000000000000001", ("queued",), "processing", attempts=i) is not None:
            winners.append(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    final = SqliteJobStore(path).get("job-0000000000000001")
    assert final is not None and final.status == "processing" and final.attempts == winners[0]


def test_housekeeping_queries(store: SqliteJobStore) -> None:
    store.create(make_job("a" * 20, status="processing", expires_at=10))
    store.create(make_job("b" * 20, status="queued", expires_at=5000))
    assert [j.job_id for j in store.with_status("processing")] == ["a" * 20]
    assert [j.job_id for j in store.expired(now=100)] == ["a" * 20]
    store.delete("a" * 20)
    assert store.get("a" * 20) is None
