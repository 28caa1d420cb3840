"""Run one Lambda handler in-process with an event file: `sam local invoke` for machines without Docker.

    python functions/invoke.py ApiFunction events/create_job.json
    python functions/invoke.py ApiFunction events/get_job.json --job <jobId>
    python functions/invoke.py ConvertFunction events/s3_object_created.json --job <jobId> --key "<file name>"

By default the handlers use the local stores (IMG2XLSX_BACKEND=local, data in ./data, like `make run`);
set IMG2XLSX_BACKEND=aws with UPLOADS_BUCKET, RESULTS_BUCKET, JOBS_TABLE and AWS credentials to use a stack.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
EVENT_JOB_ID = "sampleJob-0000000000000000"  # the job id the JSON in events/ refers to

# Logical id in template.yaml → (code folder, handler). tests/backend/test_sam_template.py keeps them in sync.
FUNCTIONS: dict[str, tuple[str, str]] = {
    "ApiFunction": ("functions/api", "api_handler.handler"),
    "ConvertFunction": ("functions/convert", "convert_handler.handler"),
    "FailureFunction": ("functions/failures", "failure_handler.handler"),
}


class Context:
    """The parts of the Lambda context the handlers and powertools read."""

    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    aws_request_id = "local-invoke"
    log_group_name = "local"
    log_stream_name = "local"

    def __init__(self, function: str, timeout_s: int = 120) -> None:
        self.function_name = function
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function}"
        self._timeout_ms = timeout_s * 1000

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms


def load(function: str) -> Any:
    folder, handler = FUNCTIONS[function]
    module_name, _, attr = handler.rpartition(".")
    path = ROOT / folder / f"{module_name}.py"
    sys.path.insert(0, str(ROOT / "layers/img2xlsx/python"))
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return getattr(module, attr)


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
    handler = load(args.function)
    try:
        reply = handler(event, Context(args.function))
    except Exception as exc:  # what Lambda would report as a function error
        print(json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}), file=sys.stderr)
        return 1
    print(json.dumps(reply, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
