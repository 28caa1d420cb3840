"""The kill/restart check (small): the served stack is SIGKILLed, whole process tree, while conversions are
queued and running; after a restart on the same data folder every accepted job completes, and an upload form
handed out before the crash still works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e_stack import LocalStack, bench_image

from .corpus import by_name
from .stackapi import TERMINAL, create_job, process_tree, upload, wait_all, wait_gone

SLOW = ["dev_0000", "dev_0016"]  # real bench pages: long enough that the kill lands mid-conversion


@pytest.fixture
def stacks() -> Iterator[list[LocalStack]]:
    started: list[LocalStack] = []
    yield started
    for stack in started:
        stack.kill()


def test_every_accepted_job_completes_after_a_sigkill(tmp_path: Path, stacks: list[LocalStack]) -> None:
    data_dir = tmp_path / "data"
    first = LocalStack(data_dir, tmp_path / "server.log", workers=1).start()
    stacks.append(first)
    payloads = [(f"{name}.png", bench_image(name)[0].read_bytes(), "done") for name in SLOW]
    payloads += [(f"small{i}.png", by_name("table.png").data(), "done") for i in range(3)]
    payloads.append(("notes.png", by_name("text-file.png").data(), "failed"))
    with httpx.Client(base_url=first.url, timeout=60) as client:
        accepted = {upload(client, name, data, "image/png"): expect for name, data, expect in payloads}
        late = create_job(client, "late.png", "image/png", len(payloads[2][1]))
        assert late.status_code == 201
        unfinished = [j for j in accepted if client.get(f"/api/jobs/{j}").json()["status"] not in TERMINAL]
    assert len(unfinished) >= 3, "the kill should land while the queue is still full"
    assert first.proc is not None
    tree = process_tree(first.proc.pid)
    assert len(tree) >= 2, "the worker process should be up"
    first.kill()
    assert not wait_gone(tree), "a worker outlived the kill"

    second = LocalStack(data_dir, tmp_path / "server.log", workers=1).start()
    stacks.append(second)
    with httpx.Client(base_url=second.url, timeout=60) as client:
        form = late.json()["upload"]  # signed before the crash; the key lives in the data folder
        sent = client.post(form["url"], data=form["fields"], files={"file": ("late.png", payloads[2][1])})
        assert sent.status_code == 204, sent.text
        accepted[late.json()["jobId"]] = "done"
        views = wait_all(client, list(accepted), timeout=300)
        for job_id, expect in accepted.items():
            view = views[job_id]
            assert view["status"] == expect, view
            if expect == "done":
                assert view["result"]["tables"] >= 1
                assert client.get(view["result"]["xlsxUrl"]).status_code == 200
            else:
                assert "not an image" in view["error"], view
    assert "Traceback" not in second.log()
