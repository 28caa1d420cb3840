"""The local server's edge (in-process): the edit route through the real handler, JSON-only bodies, the
bound on open upload forms, HEAD and 405, no source maps, S3's rule that the file is the form's last part,
quiet client disconnects and stalled bodies cut off."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from img2xlsx.jobs.service import JobService
from img2xlsx.jobs.wiring import get_service, use_service
from img2xlsx_local import app as app_module
from img2xlsx_local.app import create_app
from img2xlsx_local.handlers import API_FUNCTION, load_handler
from img2xlsx_local.server import handler_env
from img2xlsx_local.stores import LocalStores, open_stores
from img2xlsx_local.workers import EventQueue, WorkerPool
from openpyxl import load_workbook
from starlette.testclient import TestClient

from tests.backend.edit_fixtures import document_converter, honest_edit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def ignore_event(event: dict[str, Any]) -> None:
    """The worker pool's handler here: conversions are not what these tests look at."""


class Edge:
    def __init__(self, client: TestClient, stores: LocalStores, app: Any) -> None:
        self.client, self.stores, self.app = client, stores, app

    def done_job(self) -> str:
        """A converted job in the server's own stores (a real workbook and preview, no OCR)."""
        service = JobService(
            self.stores.objects, self.stores.objects, self.stores.jobs, converter=document_converter
        )
        job = service.create_job("prices.png", "image/png", len(PNG)).job
        self.stores.objects.put_bytes(job.upload_key, PNG, "image/png")
        assert service.process_upload(job.upload_key).action == "converted"
        return job.job_id


@pytest.fixture
def edge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Edge]:
    data = tmp_path / "data"
    for name, value in handler_env(data).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MAX_PENDING_UPLOADS_PER_CLIENT", "3")
    use_service(None)
    stores = open_stores(data)
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>spa</title>")
    (dist / "assets" / "index-abc.js").write_text("console.log(1)\n//# sourceMappingURL=index-abc.js.map")
    (dist / "assets" / "index-abc.js.map").write_text('{"sources": ["../src/secret.ts"]}')
    pool = WorkerPool(EventQueue(stores.database), 1, {}, handle=ignore_event)
    app = create_app(
        objects=stores.objects,
        pool=pool,
        api_handler=load_handler(*API_FUNCTION),
        dist_dir=dist,
        on_uploaded=lambda key: get_service().mark_uploaded(key),
    )
    with TestClient(app) as client:
        yield Edge(client, stores, app)
    use_service(None)


def create(client: TestClient, **headers: str) -> Any:
    return client.post(
        "/api/jobs", json={"filename": "a.png", "contentType": "image/png", "size": len(PNG)}, headers=headers
    )


def test_an_edit_through_the_local_stack_is_served_by_the_jobs_links(edge: Edge) -> None:
    job_id = edge.done_job()
    reply = edge.client.put(f"/api/jobs/{job_id}/tables/0", json=honest_edit())
    assert reply.status_code == 200, reply.text
    view = reply.json()
    assert view["status"] == "done" and reply.headers["cache-control"] == "no-store"
    preview = edge.client.get(view["result"]["jsonUrl"]).json()
    price = next(c for c in preview["tables"][0]["cells"] if (c["row"], c["col"]) == (2, 1))
    assert price["value"]["value"] == 1234.5 and price["edited"] is True
    workbook = load_workbook(io.BytesIO(edge.client.get(view["result"]["xlsxUrl"]).content))
    assert workbook["Table 1"]["B3"].value == 1234.5
    assert edge.client.get(f"/api/jobs/{job_id}").json()["updatedAt"] == view["updatedAt"]


def test_hostile_edits_through_the_local_stack_change_nothing(edge: Edge) -> None:
    job_id = edge.done_job()
    objects = edge.stores.objects
    before = {p: p.read_bytes() for p in (objects.objects / "results").rglob("*") if p.is_file()}
    url = f"/api/jobs/{job_id}/tables/0"
    big = json.dumps(honest_edit() | {"padding": "x" * (1024 * 1024)})
    cases = [
        (edge.client.put(url, content=big, headers={"content-type": "application/json"}), 413),
        (
            edge.client.put(url, content=json.dumps(honest_edit()), headers={"content-type": "text/plain"}),
            415,
        ),
        (edge.client.put(url, json=honest_edit() | {"nCols": 2}), 400),
        (edge.client.put(f"/api/jobs/{job_id}/tables/7", json=honest_edit()), 404),
        (edge.client.put(f"/api/jobs/{'C' * 24}/tables/0", json=honest_edit()), 404),
    ]
    for reply, status in cases:
        assert reply.status_code == status, reply.text
        assert reply.json()["message"]
    after = {p: p.read_bytes() for p in (objects.objects / "results").rglob("*") if p.is_file()}
    assert after == before and len(before) >= 2


def test_job_requests_must_be_json(edge: Edge) -> None:
    body = json.dumps({"filename": "a.png", "contentType": "image/png", "size": 10})
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ):
        reply = edge.client.post("/api/jobs", content=body, headers={"content-type": content_type})
        assert reply.status_code == 415 and "application/json" in reply.json()["message"], content_type
    assert edge.stores.jobs.with_status("awaiting_upload") == []


def test_open_upload_forms_per_client_are_bounded_and_an_upload_frees_one(edge: Edge) -> None:
    forms = [create(edge.client) for _ in range(3)]
    assert [f.status_code for f in forms] == [201, 201, 201]
    # A forged CloudFront header does not make a new client here (CloudFront overwrites it in AWS).
    refused = create(edge.client, **{"cloudfront-viewer-address": "203.0.113.99:1234"})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
    assert "3 files from your address" in refused.json()["message"]
    upload = forms[0].json()["upload"]
    sent = edge.client.post(upload["url"], data=upload["fields"], files={"file": ("a.png", PNG, "image/png")})
    assert sent.status_code == 204
    assert create(edge.client).status_code == 201  # the landed upload no longer counts


def test_head_and_methods_a_route_does_not_have(edge: Edge) -> None:
    job_id = create(edge.client).json()["jobId"]
    got = edge.client.get(f"/api/jobs/{job_id}")
    head = edge.client.head(f"/api/jobs/{job_id}")
    assert (head.status_code, head.content) == (200, b"") and got.content
    assert head.headers["content-type"] == got.headers["content-type"] == "application/json"
    assert head.headers["cache-control"] == "no-store"
    assert edge.client.head("/api/jobs/" + "D" * 24).status_code == 404
    for method in ("PUT", "DELETE", "PATCH"):
        reply = edge.client.request(method, "/api/jobs")
        assert (reply.status_code, reply.headers["allow"]) == (405, "POST"), method
    reply = edge.client.delete(f"/api/jobs/{job_id}")
    assert (reply.status_code, reply.headers["allow"]) == (405, "GET, HEAD")


def test_source_maps_are_not_served(edge: Edge) -> None:
    assert edge.client.get("/assets/index-abc.js").status_code == 200
    assert edge.client.get("/assets/index-abc.js.map").status_code == 404
    assert edge.client.head("/assets/index-abc.js.map").status_code == 404


def test_an_upload_whose_file_comes_before_the_fields_is_refused_like_s3(edge: Edge) -> None:
    created = create(edge.client).json()
    fields = created["upload"]["fields"]
    boundary = "order"
    file_part = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + PNG
        + b"\r\n"
    )
    field_parts = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    body = file_part + field_parts + f"--{boundary}--\r\n".encode()
    reply = edge.client.post(
        created["upload"]["url"],
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert reply.status_code == 400 and reply.headers["content-type"].startswith("application/xml")
    assert "<Code>InvalidArgument</Code>" in reply.text and "must contain a field named" in reply.text
    assert edge.stores.objects.size(fields["key"]) is None
    assert edge.client.get(f"/api/jobs/{created['jobId']}").json()["status"] == "awaiting_upload"


def _run(app: Any, scope: dict[str, Any], chunks: list[bytes], then: str) -> list[dict[str, Any]]:
    """Drive the ASGI app with a body that sends ``chunks`` and then ``disconnect``s or ``stall``s."""
    sent: list[dict[str, Any]] = []

    async def main() -> None:
        queue = list(chunks)

        async def receive() -> dict[str, Any]:
            if queue:
                return {"type": "http.request", "body": queue.pop(0), "more_body": True}
            if then == "disconnect":
                return {"type": "http.disconnect"}
            await asyncio.sleep(3600)  # a client that stops sending
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await asyncio.wait_for(app(scope, receive, send), timeout=10)

    asyncio.run(main())
    return sent


def _scope(path: str, length: int, content_type: str = "application/json") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", content_type.encode()), (b"content-length", str(length).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


def test_a_client_that_disconnects_mid_body_logs_no_error(
    edge: Edge, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sent = _run(edge.app, _scope("/api/jobs", 5000), [b'{"filename": "a.p'], "disconnect")
    assert sent and sent[0]["status"] == 400  # answered (to nobody), not raised
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "Traceback" not in caplog.text and "disconnected" in caplog.text


@pytest.mark.parametrize("path", ["/api/jobs", "/_local/upload"])
def test_a_stalled_body_is_cut_off_with_408(
    edge: Edge, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    monkeypatch.setattr(app_module, "BODY_IDLE_SECONDS", 0.3)
    caplog.set_level(logging.INFO)
    content_type = "application/json" if path.startswith("/api") else "multipart/form-data; boundary=x"
    sent = _run(edge.app, _scope(path, 100_000, content_type), [b"--x\r\n"], "stall")
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [408]  # the app's own late answer is dropped
    assert (b"connection", b"close") in starts[0]["headers"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "stalled" in caplog.text
