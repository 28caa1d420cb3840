"""The event outbox and worker pool: retried like Lambda, given up with a reason, nothing lost on a stop."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from img2xlsx.jobs.model import Job, JobStatus
from img2xlsx_local import events
from img2xlsx_local.server import failure_message, recover
from img2xlsx_local.stores import open_stores
from img2xlsx_local.workers import (
    CONVERT_TIMEOUT_SECONDS,
    MAX_ATTEMPTS,
    EventQueue,
    WorkerPool,
    convert_timeout,
)

from tests.cfn_yaml import load_cfn


# ---- handlers run inside the worker processes (module level, so a spawned process can import them) ---
def record(event: dict[str, Any]) -> None:
    """Append the event's key to a file, after an optional delay."""
    time.sleep(float(os.environ.get("TEST_DELAY", "0")))
    key = event["Records"][0]["s3"]["object"]["key"]
    with open(os.environ["TEST_OUT"], "a") as fh:
        fh.write(key + "\n")


def always_fails(event: dict[str, Any]) -> None:
    with open(os.environ["TEST_OUT"], "a") as fh:
        fh.write("attempt\n")
    raise RuntimeError("engine exploded")


def dies_once(event: dict[str, Any]) -> None:
    """The worker process dies outright on the first attempt (as under the OOM killer), then succeeds."""
    marker = Path(os.environ["TEST_OUT"] + ".died")
    if not marker.exists():
        marker.write_text("x")
        os._exit(9)
    record(event)


def hangs(event: dict[str, Any]) -> None:
    """Never finishes on its own (like Tesseract reading a page of noise), in C-like uninterruptible sleep."""
    with open(os.environ["TEST_OUT"], "a") as fh:
        fh.write("attempt\n")
    time.sleep(3600)


def hangs_once(event: dict[str, Any]) -> None:
    marker = Path(os.environ["TEST_OUT"] + ".hung")
    if not marker.exists():
        marker.write_text("x")
        time.sleep(3600)
    record(event)


def s3_event(key: str) -> dict[str, Any]:
    return events.s3_object_created_event("local", key, 10)


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def wait_for(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_events_are_handled_and_leave_the_queue(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    queue = EventQueue(tmp_path / "q.sqlite")
    pool = WorkerPool(queue, 2, {"TEST_OUT": str(out)}, handle=record)
    pool.start()
    try:
        for i in range(6):
            pool.submit(s3_event(f"uploads/k{i}/a b.png"))
        wait_for(lambda: len(lines(out)) == 6 and pool.idle())
    finally:
        pool.stop()
    assert sorted(lines(out)) == sorted(f"uploads/k{i}/a+b.png" for i in range(6))  # S3 URL-encodes keys
    assert queue.pending() == []


def _give_up_on_one_event(
    queue: EventQueue, out: Path, **pool_options: Any
) -> list[tuple[dict[str, Any], str]]:
    """Run a one-worker pool on one event until it is given up; returns each give-up's (event, reason).
    Every attempt ran (the handlers write a line per attempt) and the queue is left empty."""
    gave_up: list[tuple[dict[str, Any], str]] = []
    done = threading.Event()

    def on_give_up(event: dict[str, Any], reason: str) -> None:
        gave_up.append((event, reason))
        done.set()

    pool = WorkerPool(queue, 1, {"TEST_OUT": str(out)}, on_give_up=on_give_up, **pool_options)
    pool.start()
    try:
        pool.submit(s3_event("uploads/x/y.png"))
        assert done.wait(60)
    finally:
        pool.stop()
    assert lines(out) == ["attempt"] * MAX_ATTEMPTS
    assert queue.pending() == []
    return gave_up


def test_failures_are_retried_then_given_up_with_a_reason(tmp_path: Path) -> None:
    gave_up = _give_up_on_one_event(
        EventQueue(tmp_path / "q.sqlite"), tmp_path / "out.txt", handle=always_fails
    )
    assert len(gave_up) == 1 and "engine exploded" in gave_up[0][1]


def test_stopping_keeps_unfinished_events_for_the_next_start(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    queue = EventQueue(tmp_path / "q.sqlite")
    slow = WorkerPool(queue, 1, {"TEST_OUT": str(out), "TEST_DELAY": "0.5"}, handle=record)
    slow.start()
    for i in range(5):
        slow.submit(s3_event(f"uploads/k{i}/a.png"))
    wait_for(lambda: len(lines(out)) >= 1)
    slow.stop()  # kills the running conversion; the rest never started
    handled_before = set(lines(out))
    assert len(handled_before) < 5
    assert len(queue.pending()) == 5 - len(handled_before)

    fresh = WorkerPool(EventQueue(tmp_path / "q.sqlite"), 2, {"TEST_OUT": str(out)}, handle=record)
    assert fresh.start() == 5 - len(handled_before)
    try:
        wait_for(lambda: set(lines(out)) == {f"uploads/k{i}/a.png" for i in range(5)} and fresh.idle())
    finally:
        fresh.stop()
    assert queue.pending() == []


def test_recover_releases_interrupted_jobs_and_requeues_orphan_uploads(tmp_path: Path) -> None:
    stores = open_stores(tmp_path)
    queue = EventQueue(stores.database)

    def job(job_id: str, status: JobStatus, with_upload: bool) -> Job:
        j = Job(
            job_id=job_id,
            status=status,
            filename="a.png",
            content_type="image/png",
            size=3,
            upload_key=f"uploads/{job_id}/a.png",
            created_at=1.0,
            updated_at=1.0,
            expires_at=2**40,
            lease_until=9e12 if status == "processing" else None,
        )
        stores.jobs.create(j)
        if with_upload:
            stores.objects.put_bytes(j.upload_key, b"abc", "image/png")
        return j

    interrupted = job("p" * 20, "processing", True)
    orphan = job("o" * 20, "awaiting_upload", True)  # the upload landed, its event was never recorded
    job("w" * 20, "awaiting_upload", False)  # nothing uploaded yet: leave alone
    queue.add(s3_event(interrupted.upload_key))  # its event is still queued

    released, created = recover(stores, queue)
    assert (released, created) == (1, 1)
    again = stores.jobs.get(interrupted.job_id)
    assert again is not None and again.status == "queued" and again.lease_until is None
    keys = sorted(json.dumps(e["Records"][0]["s3"]["object"]["key"]) for _, e, _ in queue.pending())
    assert keys == sorted(json.dumps(k) for k in (interrupted.upload_key, orphan.upload_key))
    assert recover(stores, queue) == (0, 0)  # idempotent


def test_a_dead_worker_is_replaced_and_its_event_retried(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    queue = EventQueue(tmp_path / "q.sqlite")
    pool = WorkerPool(queue, 1, {"TEST_OUT": str(out)}, handle=dies_once)
    pool.start()
    try:
        pool.submit(s3_event("uploads/k/a.png"))
        wait_for(lambda: lines(out) == ["uploads/k/a.png"] and pool.idle())
    finally:
        pool.stop()
    assert (tmp_path / "out.txt.died").exists()
    assert queue.pending() == []


def test_a_conversion_past_the_time_limit_is_killed_retried_and_given_up_with_the_reason(
    tmp_path: Path,
) -> None:
    released: list[dict[str, Any]] = []
    gave_up = _give_up_on_one_event(
        EventQueue(tmp_path / "q.sqlite"),
        tmp_path / "out.txt",
        handle=hangs,
        time_limit=0.5,
        on_timeout=released.append,
    )
    assert [reason for _, reason in gave_up] == ["conversion timed out after 0.5 s"]
    assert len(released) == MAX_ATTEMPTS  # each killed run gave the job's claim back for the retry


def test_after_a_timeout_the_replaced_worker_finishes_the_retry_and_other_events(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    queue = EventQueue(tmp_path / "q.sqlite")
    gave_up: list[str] = []
    pool = WorkerPool(
        queue,
        2,
        {"TEST_OUT": str(out)},
        on_give_up=lambda e, r: gave_up.append(r),
        handle=hangs_once,
        time_limit=1.0,
    )
    pool.start()
    try:
        for i in range(4):
            pool.submit(s3_event(f"uploads/k{i}/a.png"))
        wait_for(lambda: len(lines(out)) == 4 and pool.idle())
    finally:
        pool.stop()
    assert sorted(lines(out)) == [f"uploads/k{i}/a.png" for i in range(4)]
    assert gave_up == [] and queue.pending() == []


def test_the_default_time_limit_is_the_lambda_timeout(monkeypatch: Any) -> None:
    template = load_cfn(Path(__file__).resolve().parents[2] / "template.yaml")
    lambda_timeout = template["Resources"]["ConvertFunction"]["Properties"]["Timeout"]
    assert float(lambda_timeout) == CONVERT_TIMEOUT_SECONDS
    monkeypatch.delenv("IMG2XLSX_CONVERT_TIMEOUT", raising=False)
    assert convert_timeout() == CONVERT_TIMEOUT_SECONDS
    monkeypatch.setenv("IMG2XLSX_CONVERT_TIMEOUT", "12.5")
    assert convert_timeout() == 12.5
    monkeypatch.setenv("IMG2XLSX_CONVERT_TIMEOUT", "soon")
    assert convert_timeout() == CONVERT_TIMEOUT_SECONDS


def test_a_timed_out_job_fails_saying_so_and_serve_takes_the_limit_as_an_option() -> None:
    import argparse

    from img2xlsx_local import cli

    assert failure_message("conversion timed out after 90 s").startswith(
        "The conversion timed out after 90 s"
    )
    assert "timed out" not in failure_message("RuntimeError: the read timed out")
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    assert parser.parse_args(["--timeout", "30"]).timeout == 30.0
    assert parser.parse_args([]).timeout == 0.0  # 0: the environment's or the Lambda's limit
