"""Run one Lambda handler in-process with an event file: `sam local invoke` for machines without Docker.

    python functions/invoke.py ApiFunction events/create_job.json
    python functions/invoke.py ApiFunction events/get_job.json --job <jobId>
    python functions/invoke.py ConvertFunction events/s3_object_created.json --job <jobId> --key "<file name>"

By default the handlers use the local stores (IMG2XLSX_BACKEND=local, data in ./data, like `make run`);
set IMG2XLSX_BACKEND=aws with UPLOADS_BUCKET, RESULTS_BUCKET, JOBS_TABLE and AWS credentials to use a stack.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
# The layer (what Lambda imports as img2xlsx) and the local stack (the shared handler loader), for a plain
# `python functions/invoke.py` too.
for _path in (ROOT / "layers/img2xlsx/python", ROOT / "local"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from img2xlsx_local.events import LambdaContext  # noqa: E402
from img2xlsx_local.handlers import FUNCTIONS, load_function  # noqa: E402

EVENT_JOB_ID = "sampleJob-0000000000000000"  # the job id the JSON in events/ refers to
TIMEOUT_SECONDS = 120


def with_job(event: dict[str, Any], job_id: str, key_name: str | None) -> dict[str, Any]:
    """The event with the sample job id replaced (and the S3 key's file name, URL-encoded as S3 sends it)."""
    text = json.dumps(event).replace(EVENT_JOB_ID, job_id)
    out: dict[str, Any] = json.loads(text)
    if key_name is not None:
        for record in out.get("Records", []):
            if "s3" in record:
                record["s3"]["object"]["key"] = f"uploads/{job_id}/{quote_plus(key_name)}"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("function", choices=sorted(FUNCTIONS))
    parser.add_argument("event", type=Path, help="an event file, e.g. events/create_job.json")
    parser.add_argument("--job", help="use this job id instead of the sample one in the event")
    parser.add_argument("--key", help="the uploaded file's name in uploads/<job>/ (S3 events)")
    args = parser.parse_args(argv)

    os.environ.setdefault("IMG2XLSX_BACKEND", "local")
    os.environ.setdefault("IMG2XLSX_DATA_DIR", str(ROOT / "data"))
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    try:
        event = json.loads(args.event.read_text())
    except (OSError, ValueError) as exc:
        print(f"invoke: cannot read {args.event}: {exc}", file=sys.stderr)
        return 2
    if args.job:
        event = with_job(event, args.job, args.key)
    handler = load_function(args.function)
    try:
        reply = handler(event, LambdaContext(args.function, timeout_s=TIMEOUT_SECONDS))
    except Exception as exc:  # what Lambda would report as a function error
        print(json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}), file=sys.stderr)
        return 1
    print(json.dumps(reply, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
