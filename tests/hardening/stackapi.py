"""Talking to a served local stack the way the SPA does: create a job, POST the file to the signed form,
poll the job. Plus reading the server's process tree's memory from /proc (no psutil needed)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

TERMINAL = ("done", "failed")


def create_job(client: httpx.Client, filename: str, content_type: str, size: int) -> httpx.Response:
    return client.post("/api/jobs", json={"filename": filename, "contentType": content_type, "size": size})


def upload(client: httpx.Client, filename: str, data: bytes, content_type: str) -> str:
    """Create a job and upload ``data`` through its presigned form; returns the job id."""
    created = create_job(client, filename, content_type, len(data))
    assert created.status_code == 201, created.text
    body = created.json()
    form = body["upload"]
    sent = client.post(form["url"], data=form["fields"], files={"file": (filename, data, content_type)})
    assert sent.status_code == 204, sent.text
    return str(body["jobId"])


def wait_all(client: httpx.Client, job_ids: list[str], timeout: float) -> dict[str, dict[str, Any]]:
    """Poll until every job is done or failed; fails the test with the stuck statuses after ``timeout``."""
    deadline = time.monotonic() + timeout
    views: dict[str, dict[str, Any]] = {}
    while True:
        for job_id in job_ids:
            if views.get(job_id, {}).get("status") not in TERMINAL:
                reply = client.get(f"/api/jobs/{job_id}")
                assert reply.status_code == 200, reply.text
                views[job_id] = reply.json()
        pending = {j: v["status"] for j, v in views.items() if v["status"] not in TERMINAL}
        if not pending:
            return views
        assert time.monotonic() < deadline, f"jobs not finished after {timeout}s: {pending}"
        time.sleep(0.3)


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def memory_kb(pid: int, field: str) -> int:
    """A /proc/<pid>/status memory field in kB (VmRSS now, VmHWM peak); 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(sum of current RSS, largest single-process peak RSS) of the tree under ``pid``, in MB."""
    pids = process_tree(pid)
    rss = sum(memory_kb(p, "VmRSS") for p in pids) / 1024
    peak = max((memory_kb(p, "VmHWM") for p in pids), default=0) / 1024
    return rss, peak


def is_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not yet reaped by its parent, counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_gone(pids: list[int], timeout: float = 10.0) -> list[int]:
    """Wait for every pid to end; returns those still running after ``timeout``."""
    deadline = time.monotonic() + timeout
    while (alive := [p for p in pids if is_alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive
