"""API-level test of the local stack: 50 uploads from 8 concurrent clients, the whole server tree killed while
the queue is still full, restarted on the same data folder: every job ends done, or failed with a reason."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from e2e_stack import ARTIFACTS, LocalStack, bench_image

GOOD = ["dev_0016", "dev_0139", "dev_0000", "dev_0144"]
NOT_AN_IMAGE = b"name,amount\nthis is a text file renamed to .png\n" * 20
N_JOBS, N_CLIENTS = 50, 8


@pytest.fixture
def stacks(tmp_path: Path) -> Iterator[list[LocalStack]]:
    started: list[LocalStack] = []
    yield started
    for stack in started:
        stack.kill()


def statuses(base_url: str, job_ids: list[str]) -> dict[str, dict[str, object]]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return {job_id: client.get(f"/api/jobs/{job_id}").json() for job_id in job_ids}


def test_no_job_is_lost_across_a_hard_restart(tmp_path: Path, stacks: list[LocalStack]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    data_dir = tmp_path / "data"
    first = LocalStack(data_dir, ARTIFACTS / "restart-server.log", workers=2).start()
    stacks.append(first)
    images = [bench_image(name)[0].read_bytes() for name in GOOD]
    payloads = [NOT_AN_IMAGE if i % 10 == 9 else images[i % len(images)] for i in range(N_JOBS)]

    def upload(i: int) -> str:
        data = payloads[i]
        with httpx.Client(base_url=first.url, timeout=60) as client:
            created = client.post(
                "/api/jobs", json={"filename": f"t{i}.png", "contentType": "image/png", "size": len(data)}
            )
            assert created.status_code == 201, created.text
            form = created.json()["upload"]
            sent = client.post(
                form["url"], data=form["fields"], files={"file": (f"t{i}.png", data, "image/png")}
            )
            assert sent.status_code == 204, sent.text
            return str(created.json()["jobId"])

    with ThreadPoolExecutor(N_CLIENTS) as pool:
        job_ids = list(pool.map(upload, range(N_JOBS)))
    assert len(set(job_ids)) == N_JOBS

    # Let a few conversions finish, then pull the plug on the whole process tree mid-queue.
    deadline = time.monotonic() + 180
    while True:
        before = statuses(first.url, job_ids)
        finished = sum(v["status"] in ("done", "failed") for v in before.values())
        if finished >= 3:
            break
        assert time.monotonic() < deadline, f"no conversion finished:\n{first.log()}"
        time.sleep(0.5)
    first.kill()
    unfinished = [j for j, v in before.items() if v["status"] not in ("done", "failed")]
    assert len(unfinished) >= 10, "the queue should still have been full when the server died"

    second = LocalStack(data_dir, ARTIFACTS / "restart-server.log", workers=2).start()
    stacks.append(second)
    deadline = time.monotonic() + 600
    while True:
        after = statuses(second.url, job_ids)
        if all(v["status"] in ("done", "failed") for v in after.values()):
            break
        assert time.monotonic() < deadline, (
            f"jobs never finished: {Counter(v['status'] for v in after.values())}"
        )
        time.sleep(1)

    for i, job_id in enumerate(job_ids):
        view = after[job_id]
        if payloads[i] is NOT_AN_IMAGE:
            assert view["status"] == "failed", view
            assert isinstance(view.get("error"), str) and "image" in str(view["error"]).lower(), view
        else:
            assert view["status"] == "done", view
            result = view["result"]
            assert isinstance(result, dict) and result["xlsxUrl"] and result["jsonUrl"], view
    # A normal stop (Ctrl+C) after the restart is clean and quick.
    assert second.stop() == 0
