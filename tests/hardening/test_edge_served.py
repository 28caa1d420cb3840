"""Issue 13's API-edge points against the served local stack (real uvicorn, real sockets): the edit route
with hostile payloads, quiet disconnects, stalled bodies cut off, HEAD, 405 with Allow, no source maps."""

from __future__ import annotations

import io
import json
import socket
import time
from typing import Any

import httpx
import pytest
from e2e_stack import DIST, LocalStack
from openpyxl import load_workbook

from .corpus import by_name
from .stackapi import upload, wait_all

TINY_PNG = by_name("table.png").data()


@pytest.fixture(scope="module")
def done_job(client: httpx.Client) -> dict[str, Any]:
    job_id = upload(client, "edit-me.png", TINY_PNG, "image/png")
    view = wait_all(client, [job_id], timeout=180)[job_id]
    assert view["status"] == "done" and view["result"]["tables"] >= 1, view
    return view


def result_files(stack: LocalStack, job_id: str) -> dict[str, bytes]:
    folder = stack.data_dir / "objects" / "results" / job_id
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def grid(n_rows: int, n_cols: int, text: str = "1") -> dict[str, Any]:
    cells = [
        {"row": r, "col": c, "rowspan": 1, "colspan": 1, "text": text}
        for r in range(n_rows)
        for c in range(n_cols)
    ]
    return {"nRows": n_rows, "nCols": n_cols, "nHeaderRows": 0, "cells": cells}


HOSTILE: list[tuple[str, Any, dict[str, str], int]] = [
    ("too large", "[" + " " * (2 * 1024 * 1024) + "]", {}, 413),
    ("form body", "nRows=1", {"content-type": "application/x-www-form-urlencoded"}, 415),
    ("10 000+ cells", grid(101, 100), {}, 400),
    ("overlap", grid(2, 2) | {"cells": [*grid(2, 2)["cells"], grid(1, 1)["cells"][0]]}, {}, 400),
    ("hole", grid(2, 2) | {"cells": grid(2, 2)["cells"][:3]}, {}, 400),
    (
        "negative span",
        grid(1, 1) | {"cells": [{"row": 0, "col": 0, "rowspan": -1, "colspan": 1, "text": ""}]},
        {},
        400,
    ),
    ("2001 characters", grid(1, 1, "x" * 2001), {}, 400),
    ("non-integer", grid(1, 1) | {"nRows": 1.0}, {}, 400),
]


@pytest.mark.parametrize(("name", "body", "headers", "status"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_edits_change_nothing_on_disk(
    client: httpx.Client,
    stack: LocalStack,
    done_job: dict[str, Any],
    name: str,
    body: Any,
    headers: dict[str, str],
    status: int,
) -> None:
    job_id = done_job["jobId"]
    before = result_files(stack, job_id)
    content = body if isinstance(body, str) else json.dumps(body)
    reply = client.put(
        f"/api/jobs/{job_id}/tables/0",
        content=content,
        headers={"content-type": "application/json"} | headers,
    )
    assert reply.status_code == status, reply.text[:300]
    assert reply.json()["message"]
    assert result_files(stack, job_id) == before


def test_wrong_job_and_table_are_404_and_a_waiting_job_409(
    client: httpx.Client, done_job: dict[str, Any]
) -> None:
    tables = done_job["result"]["tables"]
    assert client.put(f"/api/jobs/{done_job['jobId']}/tables/{tables}", json=grid(1, 1)).status_code == 404
    assert client.put(f"/api/jobs/{'E' * 24}/tables/0", json=grid(1, 1)).status_code == 404
    waiting = client.post(
        "/api/jobs", json={"filename": "w.png", "contentType": "image/png", "size": 9}
    ).json()
    reply = client.put(f"/api/jobs/{waiting['jobId']}/tables/0", json=grid(1, 1))
    assert reply.status_code == 409 and "awaiting upload" in reply.json()["message"]


def test_an_edit_with_a_script_and_a_number_is_what_the_link_serves(
    client: httpx.Client, done_job: dict[str, Any]
) -> None:
    body = grid(2, 2)
    body["nHeaderRows"] = 1
    body["cells"][0]["text"] = "<script>alert(1)</script>"
    body["cells"][1]["text"] = "Amount"
    body["cells"][2]["text"] = "=cmd|' /C calc'!A0"
    body["cells"][3]["text"] = "1,234.50"
    reply = client.put(f"/api/jobs/{done_job['jobId']}/tables/0", json=body)
    assert reply.status_code == 200, reply.text
    ws = load_workbook(io.BytesIO(client.get(reply.json()["result"]["xlsxUrl"]).content)).worksheets[0]
    assert ws["A1"].value == "<script>alert(1)</script>" and ws["A2"].data_type == "s"
    assert ws["B2"].value == 1234.5 and ws["B2"].data_type == "n"


def _socket(stack: LocalStack) -> socket.socket:
    return socket.create_connection(("127.0.0.1", stack.port), timeout=40)


def test_a_client_that_disconnects_mid_body_leaves_no_traceback(stack: LocalStack) -> None:
    with _socket(stack) as sock:
        sock.sendall(
            b"POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 5000\r\n\r\n{"filename": "a.p'
        )
        time.sleep(0.3)
    time.sleep(1.0)
    log = stack.log()
    assert "ClientDisconnect" not in log and "Traceback" not in log, log[-2000:]


@pytest.mark.parametrize("path", ["/api/jobs", "/_local/upload"])
def test_a_stalled_body_is_cut_off(stack: LocalStack, path: str) -> None:
    """Slowloris: headers and a few bytes, then nothing. The server answers 408 and closes within the idle
    bound (20 s) instead of holding the connection forever."""
    content_type = "application/json" if path.startswith("/api") else "multipart/form-data; boundary=x"
    started = time.monotonic()
    with _socket(stack) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n".encode()
            + b"Content-Length: 100000\r\n\r\n--x\r\n"
        )
        reply = b""
        while chunk := sock.recv(65536):  # returns b"" once the server closes
            reply += chunk
    waited = time.monotonic() - started
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert 15 < waited < 35, waited
    assert "Traceback" not in stack.log()


def test_head_answers_like_get_without_a_body(client: httpx.Client, done_job: dict[str, Any]) -> None:
    url = f"/api/jobs/{done_job['jobId']}"
    got, head = client.get(url), client.head(url)
    assert (head.status_code, head.content) == (200, b"")
    assert (
        head.headers["content-type"] == got.headers["content-type"]
        and head.headers["cache-control"] == "no-store"
    )


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_methods_the_jobs_route_lacks_are_405(client: httpx.Client, method: str) -> None:
    reply = client.request(method, "/api/jobs")
    assert (reply.status_code, reply.headers.get("allow")) == (405, "POST")
    assert method in reply.json()["message"]


def test_source_maps_are_not_served(client: httpx.Client) -> None:
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is not built")
    scripts = sorted((DIST / "assets").glob("*.js"))
    assert scripts
    for script in scripts:
        assert client.get(f"/assets/{script.name}").status_code == 200
        assert client.get(f"/assets/{script.name}.map").status_code == 404
