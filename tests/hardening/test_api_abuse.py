"""Item 3: hostile requests to the served local stack (the real API Lambda handler behind HTTP, the bucket's
signed POST and GET). Each gets the right status, no 5xx, and nothing lands outside the data folder or
outside the job's own prefix."""

from __future__ import annotations

import io
import re
import socket
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from e2e_stack import LocalStack
from img2xlsx_local.stores import open_stores
from img2xlsx_local.workers import EventQueue
from openpyxl import load_workbook

from .corpus import by_name
from .stackapi import create_job, wait_all

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{24,64}$")
EVIL_ORIGIN = "https://evil.example"
TINY_PNG = by_name("table.png").data()


@pytest.fixture(scope="module")
def done_jobs(client: httpx.Client) -> list[dict[str, Any]]:
    """Two converted jobs (two "users"), for the cross-job, replay and expiry tests; each view also keeps
    the upload form it was sent with (under "form")."""
    forms = {}
    for i in range(2):
        body = _form(client, f"user{i}.png", len(TINY_PNG))
        form = body["upload"]
        sent = client.post(form["url"], data=form["fields"], files={"file": ("a.png", TINY_PNG, "image/png")})
        assert sent.status_code == 204, sent.text
        forms[body["jobId"]] = form
    views = wait_all(client, list(forms), timeout=180)
    assert all(v["status"] == "done" for v in views.values()), views
    return [views[job_id] | {"form": form} for job_id, form in forms.items()]


def _form(client: httpx.Client, filename: str = "a.png", size: int = 64) -> dict[str, Any]:
    created = create_job(client, filename, "image/png", size)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


# ---- file names -------------------------------------------------------------------------------------------

HOSTILE_NAMES = [
    "../../../../etc/passwd.png",
    "..\\..\\windows\\system32\\boot.png",
    "/absolute/path/scan.png",
    "uploads/another-job-id-0000000000/x.png",
    "..",
    ".png",
    "con\x00tr\x07ol\r\nchars\t.png",
    "ünïcødé 表格 🧾 \u202eexe.png",
    "<script>alert(1)</script>.png",
    "%2e%2e%2fencoded.png",
    " ",
]


@pytest.mark.parametrize("filename", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_file_names_stay_in_the_jobs_prefix(
    client: httpx.Client, stack: LocalStack, filename: str
) -> None:
    created = create_job(client, filename, "image/png", len(TINY_PNG))
    if not filename.strip():
        assert created.status_code == 400
        return
    assert created.status_code == 201, created.text
    body = created.json()
    job_id, key = body["jobId"], body["upload"]["fields"]["key"]
    assert JOB_ID.match(job_id)
    assert re.fullmatch(rf"uploads/{re.escape(job_id)}/[A-Za-z0-9][A-Za-z0-9._-]*", key), key
    assert ".." not in key
    sent = client.post(
        body["upload"]["url"], data=body["upload"]["fields"], files={"file": ("x", TINY_PNG, "image/png")}
    )
    assert sent.status_code == 204, sent.text
    stored = stack.data_dir / "objects" / key
    assert stored.read_bytes() == TINY_PNG
    assert stored.resolve().is_relative_to((stack.data_dir / "objects" / "uploads" / job_id).resolve())
    view = client.get(f"/api/jobs/{job_id}").json()
    assert view["filename"] == filename.strip()  # kept verbatim as data, never used as a path


def test_overlong_file_name_is_refused(client: httpx.Client) -> None:
    assert create_job(client, "a" * 300 + ".png", "image/png", 10).status_code == 400


# ---- content types and sizes that lie --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("text/html", 415),
        ("image/svg+xml", 415),
        ("application/zip", 415),
        ("application/octet-stream", 415),
        ("", 400),
        (12, 400),
        ("IMAGE/PNG; charset=binary", 201),
        ("application/pdf", 201),  # PDFs are read (same size limit)
    ],
)
def test_declared_content_types(client: httpx.Client, content_type: Any, status: int) -> None:
    reply = client.post("/api/jobs", json={"filename": "a.png", "contentType": content_type, "size": 10})
    assert reply.status_code == status, reply.text
    if status == 201:
        expected = "application/pdf" if content_type == "application/pdf" else "image/png"
        assert reply.json()["upload"]["fields"]["Content-Type"] == expected
    else:
        assert reply.json()["message"]


@pytest.mark.parametrize(
    ("size", "status"),
    [
        (0, 400),
        (-5, 400),
        ("100", 400),
        (1.5, 400),
        (True, 400),
        (None, 400),
        (10**12, 413),
        (21 * 2**20, 413),
    ],
)
def test_declared_sizes(client: httpx.Client, size: Any, status: int) -> None:
    reply = client.post("/api/jobs", json={"filename": "a.png", "contentType": "image/png", "size": size})
    assert reply.status_code == status, reply.text


def test_upload_must_match_what_was_announced(client: httpx.Client, stack: LocalStack) -> None:
    """The signed form pins key, type and size: a bigger file, another type, another key are all refused,
    nothing is stored, and the job keeps waiting for its real upload."""
    body = _form(client, size=100)
    form, job_id = body["upload"], body["jobId"]
    target = stack.data_dir / "objects" / form["fields"]["key"]
    bigger = client.post(form["url"], data=form["fields"], files={"file": ("a.png", b"x" * 101, "image/png")})
    assert bigger.status_code == 400 and "EntityTooLarge" in bigger.text
    html = client.post(
        form["url"], data=form["fields"] | {"Content-Type": "text/html"}, files={"file": ("a", b"<html>")}
    )
    assert html.status_code == 403 and "AccessDenied" in html.text
    other = _form(client)
    moved = client.post(
        form["url"],
        data=form["fields"] | {"key": other["upload"]["fields"]["key"]},
        files={"file": ("a.png", b"x" * 50, "image/png")},
    )
    assert moved.status_code == 403
    escaped = client.post(
        form["url"], data=form["fields"] | {"key": "../secret.key"}, files={"file": ("a", b"x")}
    )
    assert escaped.status_code == 403
    extra = client.post(
        form["url"], data=form["fields"] | {"x-amz-meta-owner": "me"}, files={"file": ("a", b"x")}
    )
    assert extra.status_code == 403 and "Extra input fields" in extra.text
    unsigned = client.post(
        form["url"],
        data={k: v for k, v in form["fields"].items() if k != "x-amz-signature"},
        files={"file": b"x"},
    )
    assert unsigned.status_code == 400
    assert not target.exists()
    assert not (stack.data_dir / "secret.key").read_bytes().startswith(b"x")
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "awaiting_upload"


def _raw_http(stack: LocalStack, request: bytes, timeout: float = 30) -> bytes:
    """Send bytes as they are (httpx would fix a lying Content-Length); returns the whole reply."""
    with socket.create_connection(("127.0.0.1", stack.port), timeout=timeout) as sock:
        sock.sendall(request)
        reply = b""
        while b"\r\n\r\n" not in reply and (chunk := sock.recv(65536)):
            reply += chunk
        head, _, body = reply.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        while length and len(body) < int(length.group(1)) and (chunk := sock.recv(65536)):
            body += chunk
    return head + b"\r\n\r\n" + body


def _multipart(fields: dict[str, str], data: bytes, boundary: str = "hardening") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts)


def test_lying_content_length_headers(client: httpx.Client, stack: LocalStack) -> None:
    body = _form(client, size=100)
    form = body["upload"]
    target = stack.data_dir / "objects" / form["fields"]["key"]
    payload = _multipart(form["fields"], b"y" * 5000)
    head = (
        f"POST {form['url']} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=hardening\r\n"
    )
    # Says small, is big: the server reads what was announced, sees a broken form, stores nothing.
    short = _raw_http(stack, (head + "Content-Length: 300\r\n\r\n").encode() + payload)
    assert short.startswith(b"HTTP/1.1 400"), short[:200]
    # Announces more than the server will ever parse: refused before reading it.
    huge = _raw_http(stack, (head + f"Content-Length: {10**12}\r\n\r\n").encode() + payload[:1000])
    assert huge.startswith(b"HTTP/1.1 4"), huge[:200]
    # No length at all (chunked), 8 MB against a 100-byte policy: read, refused, nothing kept.
    chunk = b"z" * (1 << 20)
    pieces = [_multipart(form["fields"], b"")[: -len(b"\r\n--hardening--\r\n")]] + [chunk] * 8
    pieces.append(b"\r\n--hardening--\r\n")
    chunked = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces) + b"0\r\n\r\n"
    reply = _raw_http(stack, (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + chunked)
    assert reply.startswith(b"HTTP/1.1 400") and b"EntityTooLarge" in reply, reply[:300]
    assert not target.exists()
    assert not list(target.parent.glob(".tmp-*"))


# ---- job ids ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "job_id",
    [
        "AAAAAAAAAAAAAAAAAAAAAAAA",  # well-formed, unknown
        "short",
        "x" * 5000,
        "..%2F..%2Fsecret.key",
        "%00",
        "'%20OR%201=1%20--",
        "%E2%80%AE%F0%9F%A7%BE",
    ],
)
def test_unknown_and_malformed_job_ids_are_404(client: httpx.Client, job_id: str) -> None:
    reply = client.get(f"/api/jobs/{job_id}")
    assert reply.status_code == 404, reply.text
    assert reply.json()["message"]


def test_job_ids_are_unguessable(client: httpx.Client) -> None:
    """Random 144-bit ids: all distinct, no shared prefix or counter to derive a neighbour's id from."""
    ids = [_form(client)["jobId"] for _ in range(12)]
    assert len(set(ids)) == len(ids)
    assert all(JOB_ID.match(i) and len(i) >= 24 for i in ids)
    assert len({i[:4] for i in ids}) >= 10  # no common prefix (a timestamp or counter would share one)


# ---- bodies ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[" * 100_000, 400),  # nesting deep enough to blow the parser's recursion limit
        (b'{"filename": "' + b"a" * (2 * 2**20) + b'"}', 413),  # 2 MB: no job request is that big
        (b"\xff\xfe\x00garbage", 400),
        (b'"just a string"', 400),
        (b'{"filename": "a.png", "contentType": "image/png", "size": 1e400}', 400),
        (b'{"filename": "a.png", "contentType": "image/png", "size": NaN}', 400),
    ],
    ids=["nested", "oversized", "binary", "not-an-object", "infinite-size", "nan-size"],
)
def test_malformed_and_oversized_json(client: httpx.Client, body: bytes, status: int) -> None:
    reply = client.post("/api/jobs", content=body, headers={"content-type": "application/json"})
    assert reply.status_code == status, reply.text[:300]
    assert reply.json()["message"]


# ---- result links ----------------------------------------------------------------------------------------


def _with_params(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query)) | changes
    return f"{parts.path}?{urlencode(params)}"


def test_result_links_work_then_expire(
    client: httpx.Client, stack: LocalStack, done_jobs: list[dict[str, Any]]
) -> None:
    url = done_jobs[0]["result"]["xlsxUrl"]
    assert client.get(url).status_code == 200
    stores = open_stores(stack.data_dir)  # the server's own key, to mint a link that lives one second
    key = urlsplit(url).path.removeprefix("/_local/objects/")
    short = stores.objects.presign_download(key, 3)  # expires 2-3 s from now (whole seconds)
    assert client.get(short).status_code == 200
    time.sleep(3.1)
    expired = client.get(short)
    assert expired.status_code == 403 and "expired" in expired.text
    extended = _with_params(short, **{"X-Expires": str(int(time.time()) + 3600)})
    assert client.get(extended).status_code == 403


def test_one_jobs_link_cannot_reach_another_jobs_result(
    client: httpx.Client, done_jobs: list[dict[str, Any]]
) -> None:
    mine, theirs = done_jobs
    url = mine["result"]["xlsxUrl"]
    stolen = url.replace(mine["jobId"], theirs["jobId"])
    assert stolen != url
    assert client.get(stolen).status_code == 403
    assert client.get(url.split("?")[0]).status_code == 403  # no signature at all
    renamed = _with_params(url, filename="../../secret.key")
    assert client.get(renamed).status_code == 403
    upload_key = url.split("?")[0].replace("/results/", "/uploads/")
    assert client.get(upload_key + "?" + url.split("?")[1]).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/_local/objects/..%2Fsecret.key?X-Expires=9999999999&X-Signature=00",
        "/_local/objects/%2e%2e/%2e%2e/jobs.sqlite?X-Expires=9999999999&X-Signature=00",
        "/..%2Fsecret.key",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/_local/../secret.key",
    ],
)
def test_nothing_outside_the_served_folders_is_reachable(client: httpx.Client, path: str) -> None:
    reply = client.get(path)
    unbuilt_spa = reply.status_code == 503 and "not built" in reply.text  # a checkout without frontend/dist
    assert reply.status_code in (400, 403, 404) or unbuilt_spa, (path, reply.status_code)
    assert b"root:" not in reply.content and b"SQLite" not in reply.content


def test_a_replayed_upload_does_not_redo_or_undo_a_finished_job(
    client: httpx.Client, stack: LocalStack, done_jobs: list[dict[str, Any]]
) -> None:
    """The same signed form sent again (within its lifetime, other bytes) is stored, as S3 would store it, but
    its event is a duplicate for the converter: the finished job and its result stay as they were."""
    job = done_jobs[1]
    before = client.get(f"/api/jobs/{job['jobId']}").json()
    form = job["form"]
    replay = client.post(
        form["url"], data=form["fields"], files={"file": ("a.png", b"%PDF-1.4", "image/png")}
    )
    assert replay.status_code == 204
    outbox = EventQueue(stack.data_dir / "jobs.sqlite")  # the replay's event leaves it once handled
    deadline = time.monotonic() + 60
    while outbox.pending() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not outbox.pending()
    after = client.get(f"/api/jobs/{job['jobId']}").json()
    assert (after["status"], after["updatedAt"]) == ("done", before["updatedAt"])
    assert load_workbook(io.BytesIO(client.get(after["result"]["xlsxUrl"]).content)).sheetnames == ["Table 1"]


# ---- other origins ---------------------------------------------------------------------------------------


def test_other_origins_get_no_cors_grant(client: httpx.Client, done_jobs: list[dict[str, Any]]) -> None:
    """The local API is same-origin only: a page elsewhere can send requests but never read the answers."""
    headers = {"origin": EVIL_ORIGIN}
    preflight = client.options("/api/jobs", headers=headers | {"access-control-request-method": "POST"})
    replies = [
        preflight,
        client.post(
            "/api/jobs", json={"filename": "a.png", "contentType": "image/png", "size": 5}, headers=headers
        ),
        client.get(f"/api/jobs/{done_jobs[0]['jobId']}", headers=headers),
        client.get(done_jobs[0]["result"]["xlsxUrl"], headers=headers),
    ]
    assert preflight.status_code >= 400
    for reply in replies:
        assert not any(name.lower().startswith("access-control-") for name in reply.headers), reply.headers


# ---- containment -----------------------------------------------------------------------------------------


def test_everything_stays_inside_the_data_folder(
    client: httpx.Client, stack: LocalStack, done_jobs: list[dict[str, Any]]
) -> None:
    """After all the abuse above: the stack's folder holds only the data folder and its log, and every object
    is under ``uploads/<jobId>/`` or ``results/<jobId>/`` of a job that exists."""
    assert sorted(p.name for p in stack.data_dir.parent.iterdir()) == ["data", "server.log"]
    allowed_top = {
        "objects",
        "objects-meta",
        "jobs.sqlite",
        "jobs.sqlite-wal",
        "jobs.sqlite-shm",
        "secret.key",
        ".lock",
    }
    assert {p.name for p in stack.data_dir.iterdir()} <= allowed_top
    stores = open_stores(stack.data_dir)
    keys = list(stores.objects.keys())
    assert keys
    for key in keys:
        prefix, job_id, name = key.split("/")
        assert prefix in ("uploads", "results") and name and JOB_ID.match(job_id), key
        assert stores.jobs.get(job_id) is not None, key
