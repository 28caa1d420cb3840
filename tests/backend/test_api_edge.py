"""The API handler's edge against moto, driven by the JSON in events/: the edit route, the JSON-only bodies
(415), the bound on jobs awaiting an upload (429 with Retry-After), HEAD and 405 with Allow."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from img2xlsx.jobs.model import JobResult
from img2xlsx.jobs.service import JobService
from img2xlsx.jobs.settings import Settings
from img2xlsx_local.stores import open_stores
from openpyxl import load_workbook

from .conftest import EVENT_JOB_ID, RESULTS, ROOT, Backend, LambdaContext, load_event, load_handler
from .edit_fixtures import document_converter, honest_edit, hostile_edits
from .test_handlers import PNG, seed_event_job

api = load_handler("functions/api/api_handler.py")
XLSX_KEY = f"results/{EVENT_JOB_ID}/quarterly_report.xlsx"
JSON_KEY = f"results/{EVENT_JOB_ID}/quarterly_report.json"


def call(event: dict[str, Any]) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
    reply = api.handler(event, LambdaContext())
    body = json.loads(reply["body"]) if reply.get("body") else None
    return reply["statusCode"], body, reply.get("headers", {})


def seed_done_job(backend: Backend) -> None:
    """The events' sample job, converted: a real workbook and preview in the results bucket."""
    conversion = document_converter(PNG, "quarterly report.png")
    backend.s3.put_object(Bucket=RESULTS, Key=XLSX_KEY, Body=conversion.xlsx)
    backend.s3.put_object(Bucket=RESULTS, Key=JSON_KEY, Body=json.dumps(conversion.json).encode())
    seed_event_job(backend, "done", result=JobResult(XLSX_KEY, JSON_KEY, conversion.tables))


def stored(backend: Backend) -> dict[str, bytes]:
    return {key: backend.result_bytes(key) for key in (XLSX_KEY, JSON_KEY)}


def edit_event(body: Any, index: str = "0", content_type: str | None = "application/json") -> dict[str, Any]:
    event = copy.deepcopy(load_event("edit_table.json"))
    if index != "0":
        path = event["rawPath"].rsplit("/", 1)[0] + "/" + index
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["pathParameters"]["index"] = index
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    if content_type is None:
        del event["headers"]["content-type"]
    else:
        event["headers"]["content-type"] = content_type
    return event


# -- the edit route ------------------------------------------------------------------------------------


def test_the_example_edit_event_rewrites_the_result_in_s3(backend: Backend) -> None:
    seed_done_job(backend)
    before = stored(backend)
    status, view, headers = call(load_event("edit_table.json"))
    assert status == 200, view
    assert view is not None and view["status"] == "done" and view["result"]["tables"] == 2
    assert view["result"]["xlsxUrl"].startswith(f"https://{RESULTS}.s3.eu-west-1.amazonaws.com/{XLSX_KEY}?")
    assert headers["Cache-Control"] == "no-store"
    after = stored(backend)
    assert after[XLSX_KEY] != before[XLSX_KEY] and after[JSON_KEY] != before[JSON_KEY]
    ws = load_workbook(io.BytesIO(after[XLSX_KEY]))["Table 1"]
    assert ws["B2"].value == 1234.5 and [str(r) for r in ws.merged_cells.ranges] == ["A1:B1"]
    preview = json.loads(after[JSON_KEY])
    assert (
        preview["tables"][0]["n_rows"] == 3
        and preview["tables"][1] == json.loads(before[JSON_KEY])["tables"][1]
    )


@pytest.mark.parametrize(
    ("name", "event", "status", "words"),
    [
        (
            "form body",
            edit_event(honest_edit(), content_type="application/x-www-form-urlencoded"),
            415,
            "json",
        ),
        ("text body", edit_event(honest_edit(), content_type="text/plain"), 415, "application/json"),
        ("no type", edit_event(honest_edit(), content_type=None), 415, "application/json"),
        ("over 1 MB", edit_event(json.dumps(honest_edit()) + " " * (1024 * 1024)), 413, "larger than"),
        ("no JSON", edit_event("{nRows: 4"), 400, "JSON object"),
        ("a list", edit_event([honest_edit()]), 400, "JSON object"),
        ("table 5", edit_event(honest_edit(), index="5"), 404, "no table 5"),
        ("table x", edit_event(honest_edit(), index="x"), 404, "no such table"),
        *[(n, edit_event(b), 400, w) for n, b, w in hostile_edits()],
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "",
)
def test_hostile_edit_requests_get_4xx_and_change_nothing(
    backend: Backend, name: str, event: dict[str, Any], status: int, words: str
) -> None:
    seed_done_job(backend)
    before, job_before = stored(backend), backend.service.jobs.get(EVENT_JOB_ID)
    code, reply, _ = call(event)
    assert code == status, (name, reply)
    assert reply is not None and words in reply["message"], reply
    assert stored(backend) == before and backend.service.jobs.get(EVENT_JOB_ID) == job_before


def test_only_a_done_job_can_be_edited(backend: Backend) -> None:
    seed_event_job(backend, "processing")
    code, reply, _ = call(load_event("edit_table.json"))
    assert code == 409 and reply is not None and "processing" in reply["message"]


# -- JSON bodies only ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_create_job_requires_a_json_body(backend: Backend, content_type: str) -> None:
    """A page on another site can send these types without a CORS preflight: they must not create jobs."""
    event = copy.deepcopy(load_event("create_job.json"))
    event["headers"]["content-type"] = content_type
    code, reply, _ = call(event)
    assert code == 415 and reply is not None and f"not {content_type}" in reply["message"]
    assert backend.table.scan()["Count"] == 0
    event["headers"]["content-type"] = "Application/JSON; charset=utf-8"
    assert call(event)[0] == 201


# -- the bound on jobs awaiting an upload ----------------------------------------------------------------


def test_open_upload_forms_are_bounded_per_client_and_in_total(backend: Backend) -> None:
    backend.service.settings = Settings(max_pending_uploads_per_client=3, max_pending_uploads=5)
    event = load_event("create_job.json")

    def from_ip(ip: str, viewer: str | None = None) -> dict[str, Any]:
        out = copy.deepcopy(event)
        out["requestContext"]["http"]["sourceIp"] = ip
        if viewer:
            out["headers"]["cloudfront-viewer-address"] = viewer
        return out

    assert [call(from_ip("198.51.100.7"))[0] for _ in range(3)] == [201, 201, 201]
    code, reply, headers = call(from_ip("198.51.100.7"))
    assert code == 429 and reply is not None and "3 files from your address" in reply["message"]
    assert headers["Retry-After"] == "60"
    # Another client is not held up by the first; behind CloudFront the viewer's address is the client.
    assert call(from_ip("130.176.0.1", viewer="203.0.113.20:51234"))[0] == 201
    assert call(from_ip("130.176.0.1", viewer="[2001:db8::1]:443"))[0] == 201
    code, reply, _ = call(from_ip("2001:db8::2"))  # the same /64 as the viewer above: counted together ...
    assert code == 429 and reply is not None and "under way" in reply["message"]  # ... but the total is hit
    # An upload that landed frees its slot; forms that expired free theirs.
    backend.clock.advance(301)
    assert call(from_ip("198.51.100.7"))[0] == 201
    assert backend.table.scan()["Count"] == 6


# -- methods -------------------------------------------------------------------------------------------


def test_head_answers_like_get_without_a_body(backend: Backend) -> None:
    seed_event_job(backend)
    event = copy.deepcopy(load_event("get_job.json"))
    get_status, get_body, get_headers = call(event)
    event["requestContext"]["http"]["method"] = "HEAD"
    reply = api.handler(event, LambdaContext())
    assert (reply["statusCode"], reply["body"]) == (get_status, "")
    assert reply["headers"] == get_headers and get_body is not None
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/jobs/" + "B" * 24
    assert api.handler(event, LambdaContext())["statusCode"] == 404


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/jobs", "POST"),
        ("DELETE", "/api/jobs", "POST"),
        ("PATCH", "/api/jobs/", "POST"),
        ("GET", "/api/jobs", "POST"),
        ("POST", f"/api/jobs/{EVENT_JOB_ID}", "GET, HEAD"),
        ("DELETE", f"/api/jobs/{EVENT_JOB_ID}", "GET, HEAD"),
        ("GET", f"/api/jobs/{EVENT_JOB_ID}/tables/0", "PUT"),
        ("OPTIONS", f"/api/jobs/{EVENT_JOB_ID}/tables/0", "PUT"),
    ],
)
def test_other_methods_get_405_with_allow(backend: Backend, method: str, path: str, allow: str) -> None:
    event = copy.deepcopy(load_event("get_job.json"))
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    code, reply, headers = call(event)
    assert (code, headers["Allow"]) == (405, allow)
    assert reply is not None and f"{method} is not allowed" in reply["message"]
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/elsewhere"
    assert call(event)[0] == 404


def test_make_invoke_runs_the_edit_event_on_the_local_stores(tmp_path: Path) -> None:
    """`make invoke FUNCTION=ApiFunction EVENT=events/edit_table.json JOB=<jobId>` (functions/invoke.py) on a
    job converted in a local data folder: the edit is applied and the reply is the job's view."""
    stores = open_stores(tmp_path)
    service = JobService(stores.objects, stores.objects, stores.jobs, converter=document_converter)
    job = service.create_job("quarterly report.png", "image/png", len(PNG)).job
    stores.objects.put_bytes(job.upload_key, PNG, "image/png")
    assert service.process_upload(job.upload_key).action == "converted"
    env = dict(
        os.environ, IMG2XLSX_BACKEND="local", IMG2XLSX_DATA_DIR=str(tmp_path), POWERTOOLS_LOG_LEVEL="WARNING"
    )
    command = [sys.executable, str(ROOT / "functions/invoke.py"), "ApiFunction", "events/edit_table.json"]
    result = subprocess.run(
        [*command, f"--job={job.job_id}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout[result.stdout.index("{\n") :])  # after the metrics' EMF line
    assert reply["statusCode"] == 200 and json.loads(reply["body"])["jobId"] == job.job_id
    assert job.result is None  # the object from before the conversion
    done = stores.jobs.get(job.job_id)
    assert done is not None and done.result is not None
    preview = json.loads(stores.objects.get_bytes(done.result.json_key))
    assert (
        preview["tables"][0]["n_rows"] == 3 and preview["tables"][0]["cells"][0]["text"] == "Quarterly sales"
    )


@pytest.mark.parametrize("job_id", ["%00", "%E2%80%AE%F0%9F%A7%BE", "a%20b"])
def test_an_id_no_route_takes_is_404_not_405(backend: Backend, job_id: str) -> None:
    event = copy.deepcopy(load_event("get_job.json"))
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/api/jobs/{job_id}"
    code, reply, headers = call(event)
    assert code == 404 and "Allow" not in headers and reply is not None
