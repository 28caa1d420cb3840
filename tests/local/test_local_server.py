"""The local server runs the real API Lambda handler behind HTTP, the bucket's POST/GET routes and the SPA."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from img2xlsx.jobs.wiring import use_service
from img2xlsx_local.app import create_app
from img2xlsx_local.handlers import API_FUNCTION, load_handler
from img2xlsx_local.server import handler_env
from img2xlsx_local.stores import open_stores
from img2xlsx_local.workers import EventQueue, WorkerPool
from starlette.testclient import TestClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def record_event(event: dict[str, Any]) -> None:
    """Stands in for the converter in these routing tests (the real one is exercised by tests/e2e)."""
    with open(os.environ["TEST_OUT"], "a") as fh:
        fh.write(json.dumps(event) + "\n")


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Path]]:
    data = tmp_path / "data"
    for name, value in handler_env(data).items():
        monkeypatch.setenv(name, value)
    use_service(None)
    stores = open_stores(data)
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>spa</title>")
    out = tmp_path / "events.jsonl"
    pool = WorkerPool(EventQueue(stores.database), 1, {"TEST_OUT": str(out)}, handle=record_event)
    app = create_app(
        objects=stores.objects, pool=pool, api_handler=load_handler(*API_FUNCTION), dist_dir=dist
    )
    with TestClient(app) as client:
        yield client, out
    use_service(None)


def wait_for_lines(path: Path, n: int, timeout: float = 30) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(rows := path.read_text().splitlines()) >= n:
            return [json.loads(r) for r in rows]
        time.sleep(0.05)
    raise AssertionError("no event reached the worker")


def create(client: TestClient, size: int = len(PNG), content_type: str = "image/png") -> Any:
    return client.post(
        "/api/jobs", json={"filename": "my scan.png", "contentType": content_type, "size": size}
    )


def test_upload_flow_through_the_real_api_handler(stack: tuple[TestClient, Path]) -> None:
    client, out = stack
    created = create(client)
    assert created.status_code == 201, created.text
    body = created.json()
    job_id, upload = body["jobId"], body["upload"]
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "awaiting_upload"

    sent = client.post(
        upload["url"], data=upload["fields"], files={"file": ("my scan.png", PNG, "image/png")}
    )
    assert sent.status_code == 204, sent.text
    (event,) = wait_for_lines(out, 1)
    record = event["Records"][0]
    assert record["eventName"].startswith("ObjectCreated:")
    assert unquote_plus(record["s3"]["object"]["key"]) == upload["fields"]["key"]
    assert record["s3"]["object"]["size"] == len(PNG)
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "queued"


def test_refused_uploads_answer_like_s3_and_trigger_nothing(stack: tuple[TestClient, Path]) -> None:
    client, out = stack
    upload = create(client).json()["upload"]
    too_big = client.post(
        upload["url"], data=upload["fields"], files={"file": ("a.png", PNG + b"!", "image/png")}
    )
    assert too_big.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in too_big.text
    wrong_type = client.post(
        upload["url"], data=upload["fields"] | {"Content-Type": "text/html"}, files={"file": ("a.png", PNG)}
    )
    assert wrong_type.status_code == 403 and "<Code>AccessDenied</Code>" in wrong_type.text
    no_file = client.post(upload["url"], data=upload["fields"])
    assert no_file.status_code == 400
    time.sleep(0.3)
    assert not out.exists()


def test_api_errors_come_from_the_handler(stack: tuple[TestClient, Path]) -> None:
    client, _ = stack
    wrong = create(client, content_type="text/plain")
    assert wrong.status_code == 415 and "not supported" in wrong.json()["message"]
    huge = create(client, size=10**9)
    assert huge.status_code == 413 and "limit" in huge.json()["message"]
    missing = client.get("/api/jobs/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert missing.status_code == 404
    assert client.get("/api/nothing-here").status_code == 404
    garbage = client.post("/api/jobs", content=b"not json", headers={"content-type": "application/json"})
    assert garbage.status_code == 400


def test_spa_config_and_signed_downloads(stack: tuple[TestClient, Path], tmp_path: Path) -> None:
    client, _ = stack
    assert "spa" in client.get("/").text
    assert client.get("/config.json").json()["apiBase"] == "/api"
    stores = open_stores(tmp_path / "data")
    stores.objects.put_bytes("results/abc/t.json", b'{"tables": []}', "application/json")
    url = stores.objects.presign_download("results/abc/t.json", 60, filename="t.json")
    ok = client.get(url)
    assert ok.status_code == 200 and ok.json() == {"tables": []}
    assert ok.headers["content-type"].startswith("application/json")
    assert "attachment" in ok.headers["content-disposition"]
    forged = client.get(url.replace("t.json?", "u.json?", 1))
    assert forged.status_code == 403 and "SignatureDoesNotMatch" in forged.text


def test_concurrent_requests_each_get_their_own_event(stack: tuple[TestClient, Path]) -> None:
    """The handler keeps the current event on a module-level resolver (fine in Lambda: one event at a time);
    concurrent HTTP requests must not read each other's bodies (a job signed for another upload's size)."""
    import base64
    from concurrent.futures import ThreadPoolExecutor

    client, _ = stack
    sizes = [1000 + 37 * i for i in range(40)]

    def signed_size(size: int) -> int:
        reply = create(client, size=size)
        assert reply.status_code == 201, reply.text
        policy = json.loads(base64.b64decode(reply.json()["upload"]["fields"]["policy"]))
        (_, high) = next(
            c[1:] for c in policy["conditions"] if isinstance(c, list) and c[0] == "content-length-range"
        )
        return int(high)

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(signed_size, sizes)) == sizes
