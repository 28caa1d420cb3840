#!/usr/bin/env python3
"""Smoke run of the built conversion image through the Lambda runtime interface emulator (RIE).

CI builds functions/convert/Dockerfile, then this script:
1. seeds a job and its uploaded image in a local data folder (the local stack's stores: folder + SQLite), so
   the container needs no AWS account (``IMG2XLSX_BACKEND=local``);
2. starts the image with that folder and the local stores' package (``local/img2xlsx_local``, which the image
   itself does not ship) mounted, and POSTs the S3 ``ObjectCreated`` event from events/ (bucket
   and key rewritten to the seeded upload) to the RIE's invoke endpoint;
3. checks the handler's reply and that the job ended ``done`` with a workbook on disk.

It proves the image starts, imports its native dependencies (Tesseract, OpenCV), reads the S3 event shape and
converts. The AWS stores themselves are covered by the unit tests (moto). The image runs ``awslambdaric`` on a
plain Debian base, so the RIE is mounted from the pinned SAM CLI package (it ships the binary SAM mounts for
``sam local invoke``), not downloaded.

    python deploy/image_smoke.py --image img2xlsx-convert:ci --event events/s3_object_created.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote_plus
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "img2xlsx" / "python"), str(ROOT / "local")]

from img2xlsx.jobs.service import JobService  # noqa: E402
from img2xlsx.jobs.wiring import service_from_env  # noqa: E402  (the layer is not installed on a bare runner)

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
CONTAINER_DATA_DIR = "/tmp/img2xlsx-data"  # Lambda's only writable path
CONTAINER_LOCAL_PATH = "/opt/img2xlsx-local"  # where the local stores' package is mounted (on PYTHONPATH)
HANDLER = "convert_handler.handler"  # the image's CMD


class ImageSmokeError(Exception):
    """The image did not convert the seeded upload; the message says what went wrong."""


@dataclass
class Seeded:
    job_id: str
    upload_key: str
    size: int


def local_env(data_dir: Path | str) -> dict[str, str]:
    return {"IMG2XLSX_BACKEND": "local", "IMG2XLSX_DATA_DIR": str(data_dir)}


def seed(data_dir: Path, image: Path) -> Seeded:
    """A job whose upload already landed: exactly the state an S3 ObjectCreated event reports."""
    service: JobService = service_from_env(local_env(data_dir))
    data = image.read_bytes()
    content_type = "image/png" if image.suffix.lower() == ".png" else "image/jpeg"
    created = service.create_job(image.name, content_type, len(data))
    service.uploads.put_bytes(created.job.upload_key, data, content_type)
    return Seeded(created.job.job_id, created.job.upload_key, len(data))


def s3_event(template: Path, seeded: Seeded) -> dict[str, Any]:
    """The sample event from events/, pointed at the seeded upload (keys arrive URL-encoded, as from S3)."""
    event: dict[str, Any] = json.loads(template.read_text())
    records = event.get("Records") or []
    if len(records) != 1 or "s3" not in records[0]:
        raise ImageSmokeError(f"{template} is not a single-record S3 event")
    obj = records[0]["s3"]["object"]
    obj["key"] = quote_plus(seeded.upload_key, safe="/")
    obj["size"] = seeded.size
    return event


def verify(data_dir: Path, seeded: Seeded, reply: Any) -> dict[str, Any]:
    """The handler said it converted the upload, and the job store and the results agree."""
    processed = reply.get("processed") if isinstance(reply, dict) else None
    if not processed or processed[0].get("action") != "converted":
        raise ImageSmokeError(f"the handler did not convert the upload: {reply}")
    service = service_from_env(local_env(data_dir))
    job = service.get_job(seeded.job_id)
    if job is None or job.status != "done" or job.result is None:
        raise ImageSmokeError(f"job {seeded.job_id} is {job.status if job else 'missing'}, not done")
    size = service.results.size(job.result.xlsx_key)
    if not size:
        raise ImageSmokeError(f"job {seeded.job_id} is done but {job.result.xlsx_key} is missing")
    return {"job": seeded.job_id, "tables": job.result.tables, "xlsx_bytes": size}


def invoke(url: str, event: dict[str, Any], timeout: float) -> Any:
    """POST the event to the RIE, retrying while the container is still starting."""
    deadline = time.monotonic() + timeout
    body = json.dumps(event).encode()
    while True:
        try:
            req = Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
            with urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read())
        except HTTPError as exc:  # the RIE answered: the runtime or the handler failed; no point retrying
            detail = exc.read()[:2000].decode("utf-8", "replace")
            raise ImageSmokeError(f"the RIE answered HTTP {exc.code}: {detail}") from exc
        except (URLError, ConnectionError) as exc:
            if time.monotonic() > deadline:
                raise ImageSmokeError(f"the RIE at {url} did not answer: {exc}") from exc
            time.sleep(1)


RIE_IN_SAMCLI = Path("samcli") / "local" / "rapid" / "aws-lambda-rie-x86_64"


def find_rie() -> Path:
    """The x86_64 RIE binary vendored by the pinned SAM CLI (deploy/requirements-sam.txt), from this Python
    or from the tool venv that `make backend-tools` creates (.venv-sam)."""
    candidates = sorted((ROOT / ".venv-sam").glob(f"lib/python3*/site-packages/{RIE_IN_SAMCLI}"))
    try:
        import samcli

        candidates.insert(0, Path(samcli.__file__).parent.parent / RIE_IN_SAMCLI)
    except ImportError:
        pass
    for rie in candidates:
        if rie.is_file():
            return rie
    raise ImageSmokeError(
        "no RIE binary: install deploy/requirements-sam.txt (make backend-tools) or pass --rie"
    )


def run_container(image: str, data_dir: Path, port: int, rie: Path) -> str:
    env = {
        **local_env(CONTAINER_DATA_DIR),
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "img2xlsx",
        "AWS_REGION": "eu-west-1",
        "OMP_THREAD_LIMIT": "1",
        "PYTHONPATH": CONTAINER_LOCAL_PATH,
    }
    # As this user, not root: Lambda runs functions unprivileged too, and what the function writes (SQLite
    # journal, results) stay readable and writable for verify() on the host.
    args = ["docker", "run", "--detach", "--user", f"{os.getuid()}:{os.getgid()}"]
    args += ["--publish", f"127.0.0.1:{port}:8080"]
    args += ["--volume", f"{data_dir}:{CONTAINER_DATA_DIR}", "--volume", f"{rie}:/aws-lambda/rie:ro"]
    args += ["--volume", f"{ROOT / 'local' / 'img2xlsx_local'}:{CONTAINER_LOCAL_PATH}/img2xlsx_local:ro"]
    for key, value in env.items():
        args += ["--env", f"{key}={value}"]
    # The RIE serves the invoke API on :8080 and starts the image's own runtime client with the handler.
    args += ["--entrypoint", "/aws-lambda/rie", image, "python", "-m", "awslambdaric", HANDLER]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", required=True, help="the built conversion image, e.g. img2xlsx-convert:ci")
    parser.add_argument("--event", type=Path, default=ROOT / "events" / "s3_object_created.json")
    parser.add_argument("--picture", type=Path, default=ROOT / "deploy" / "fixtures" / "smoke-table.png")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--rie", type=Path, default=None, help="aws-lambda-rie binary (default: SAM CLI's)")
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="img2xlsx-image-smoke-"))
    container = ""
    try:
        seeded = seed(data_dir, args.picture)
        event = s3_event(args.event, seeded)
        container = run_container(args.image, data_dir, args.port, args.rie or find_rie())
        started = time.monotonic()
        reply = invoke(f"http://127.0.0.1:{args.port}{INVOKE_PATH}", event, args.timeout)
        summary = verify(data_dir, seeded, reply)
        print(f"image-smoke: OK in {time.monotonic() - started:.1f}s: {json.dumps(summary)}")
        return 0
    except (ImageSmokeError, subprocess.CalledProcessError) as exc:
        detail = exc.stderr if isinstance(exc, subprocess.CalledProcessError) else exc
        print(f"image-smoke: FAILED: {detail}", file=sys.stderr)
        return 1
    finally:
        if container:
            logs = subprocess.run(["docker", "logs", container], capture_output=True, text=True)
            print(logs.stdout[-4000:], logs.stderr[-4000:], sep="\n", file=sys.stderr)
            subprocess.run(["docker", "rm", "--force", container], capture_output=True)
        if not os.environ.get("KEEP_DATA"):
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
