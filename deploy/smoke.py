#!/usr/bin/env python3
"""End-to-end smoke test of a running img2xlsx API: create a job, upload an image, wait, fetch the workbook.

Pure standard library on purpose: the deploy workflow runs it on a bare runner against the deployed stage, and
`make test` runs it against the local stack, so both exercise the same client path a browser takes.

    python deploy/smoke.py --base-url https://api.example.com --image deploy/fixtures/smoke-table.png

Exit 0 when a workbook with at least ``--min-tables`` sheets came back; otherwise one line on stderr
and exit 1.
"""

from __future__ import annotations

import argparse
import io
import json
import mimetypes
import sys
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin
from urllib.request import Request, urlopen

TERMINAL = ("done", "failed")
USER_AGENT = "img2xlsx-smoke/1"


class SmokeError(Exception):
    """A step of the smoke run failed; the message says which and why."""


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise SmokeError(f"expected JSON, got {self.body[:120]!r}") from exc


def _request(method: str, url: str, body: bytes | None, headers: dict[str, str], timeout: float) -> Reply:
    req = Request(url, data=body, method=method, headers={"User-Agent": USER_AGENT, **headers})
    try:
        with urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, resp.read())
    except HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace").strip()
        raise SmokeError(f"{method} {url} -> HTTP {exc.code}: {detail}") from exc
    except (URLError, TimeoutError, ConnectionError) as exc:
        raise SmokeError(f"{method} {url} -> {exc}") from exc


def multipart(fields: dict[str, str], filename: str, content_type: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with the policy fields first and the file last, as S3 POST requires."""
    boundary = f"----img2xlsx-smoke-{uuid.uuid4().hex}"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(str(value).encode())
        out.write(b"\r\n")
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    out.write(data)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def check_workbook(data: bytes, min_tables: int) -> int:
    """Number of worksheets in an .xlsx; raises when it is not a workbook or has fewer than ``min_tables``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise SmokeError(f"download is not an .xlsx (zip) file: {data[:40]!r}") from exc
    if "xl/workbook.xml" not in names:
        raise SmokeError("download is a zip but has no xl/workbook.xml")
    sheets = sum(1 for n in names if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
    if sheets < max(min_tables, 1):
        raise SmokeError(f"workbook has {sheets} worksheet(s), expected at least {max(min_tables, 1)}")
    return sheets


def run(base_url: str, image: Path, timeout: float, min_tables: int, log: Any = print) -> dict[str, Any]:
    """The whole smoke run; returns the final job document."""
    base = base_url.rstrip("/") + "/"
    data = image.read_bytes()
    content_type = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
    started = time.monotonic()

    payload = json.dumps({"filename": image.name, "contentType": content_type, "size": len(data)}).encode()
    created = _request("POST", urljoin(base, "api/jobs"), payload, {"Content-Type": "application/json"}, 30)
    if created.status != 201:
        raise SmokeError(f"POST api/jobs answered {created.status}, expected 201")
    job = created.json()
    try:
        job_id, upload = str(job["jobId"]), job["upload"]
        upload_url, fields = urljoin(base, upload["url"]), dict(upload["fields"])
    except (KeyError, TypeError) as exc:
        raise SmokeError(f"POST api/jobs reply lacks {exc}: {job}") from exc
    log(f"created job {job_id} ({time.monotonic() - started:.1f}s)")

    body, ctype = multipart(fields, image.name, content_type, data)
    uploaded = _request("POST", upload_url, body, {"Content-Type": ctype}, 60)
    if not 200 <= uploaded.status < 300:
        raise SmokeError(f"upload answered {uploaded.status}")
    log(f"uploaded {len(data)} bytes ({time.monotonic() - started:.1f}s)")

    status_url = urljoin(base, f"api/jobs/{job_id}")
    deadline = time.monotonic() + timeout
    delay = 0.5
    while True:
        job = _request("GET", status_url, None, {"Accept": "application/json"}, 30).json()
        status = job.get("status")
        if status in TERMINAL:
            break
        if time.monotonic() > deadline:
            raise SmokeError(f"job {job_id} still '{status}' after {timeout:.0f}s")
        time.sleep(delay)
        delay = min(delay * 1.5, 5.0)
    if status == "failed":
        raise SmokeError(f"job {job_id} failed: {job.get('error') or 'no reason given'}")
    log(f"job done ({time.monotonic() - started:.1f}s)")

    result = job.get("result") or {}
    if not result.get("xlsxUrl"):
        raise SmokeError(f"job {job_id} is done but has no result.xlsxUrl: {job}")
    workbook = _request("GET", urljoin(base, result["xlsxUrl"]), None, {}, 60).body
    sheets = check_workbook(workbook, min_tables)
    tables = result.get("tables")
    if isinstance(tables, int) and tables >= 1 and sheets != tables:
        raise SmokeError(f"result says {tables} table(s) but the workbook has {sheets} sheet(s)")
    log(f"downloaded workbook: {len(workbook)} bytes, {sheets} sheet(s) ({time.monotonic() - started:.1f}s)")
    return dict(job)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="API origin, e.g. http://127.0.0.1:8000")
    parser.add_argument("--image", type=Path, default=Path(__file__).parent / "fixtures" / "smoke-table.png")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for the job to finish")
    parser.add_argument("--min-tables", type=int, default=1, help="fewest worksheets the workbook may have")
    args = parser.parse_args(argv)
    if not args.image.is_file():
        print(f"smoke: no such image: {args.image}", file=sys.stderr)
        return 2
    try:
        run(args.base_url, args.image, args.timeout, args.min_tables, log=lambda m: print(f"smoke: {m}"))
    except SmokeError as exc:
        print(f"smoke: FAILED: {exc}", file=sys.stderr)
        return 1
    print("smoke: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
