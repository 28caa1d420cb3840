"""The Lambda handlers driven by the JSON in events/ (what `sam local invoke` sends), against moto."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from img2xlsx.jobs.model import Job

from .conftest import EVENT_JOB_ID, PNG_MAGIC, ROOT, Backend, LambdaContext, load_event, load_handler

api = load_handler("functions/api/api_handler.py")
convert = load_handler("functions/convert/convert_handler.py")
failures = load_handler("functions/failures/failure_handler.py")

PNG = PNG_MAGIC + b"TABLE picture"


def call_api(event: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
    reply = api.handler(event, LambdaContext())
    return reply["statusCode"], json.loads(reply["body"]), reply.get("headers", {})


def seed_event_job(backend: Backend, status: str = "awaiting_upload", **changes: Any) -> Job:
    """The job the JSON in events/ refers to."""
    now = backend.clock.now
    job = Job(
        job_id=EVENT_JOB_ID,
        status="awaiting_upload",
        filename="quarterly report.png",
        content_type="image/png",
        size=len(PNG),
        upload_key=f"uploads/{EVENT_JOB_ID}/quarterly report.png",
        created_at=now,
        updated_at=now,
        expires_at=int(now) + 3600,
    )
    backend.service.jobs.create(job)
    if status != "awaiting_upload" or changes:
        moved = backend.service.jobs.transition(EVENT_JOB_ID, ("awaiting_upload",), status, **changes)  # type: ignore[arg-type]
        assert moved is not None
        return moved
    return job


def with_body(event: dict[str, Any], body: Any) -> dict[str, Any]:
    out = copy.deepcopy(event)
    out["body"] = body if isinstance(body, str) else json.dumps(body)
    return out


# -- API ---------------------------------------------------------------------------------------------


def test_create_job_event_returns_a_presigned_upload(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(api.logger.registered_handler, "stream", stream)
    status, body, headers = call_api(load_event("create_job.json"))
    assert status == 201
    assert set(body) == {"jobId", "status", "upload", "expiresAt"}
    assert body["status"] == "awaiting_upload"
    assert body["upload"]["url"] == "https://img2xlsx-test-uploads.s3.eu-west-1.amazonaws.com/"
    assert body["upload"]["fields"]["key"] == f"uploads/{body['jobId']}/quarterly_report.png"
    assert headers["Content-Type"] == "application/json" and headers["Cache-Control"] == "no-store"
    assert backend.service.jobs.get(body["jobId"]) is not None
    logs = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any(entry.get("correlation_id") == body["jobId"] for entry in logs)


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ("not json", 400, "JSON object"),
        ("", 400, "JSON object"),
        ([1, 2], 400, "JSON object"),
        ({"contentType": "image/png", "size": 10}, 400, "filename"),
        ({"filename": "a.zip", "contentType": "application/zip", "size": 10}, 415, "not supported"),
        ({"filename": "a.png", "contentType": "image/png", "size": 21 * 1024 * 1024}, 413, "limit is 20 MB"),
        ({"filename": "a.png", "contentType": "image/png", "size": 0}, 400, "empty"),
    ],
)
def test_create_job_rejects_bad_requests_with_a_message(
    backend: Backend, body: Any, status: int, words: str
) -> None:
    code, reply, _ = call_api(with_body(load_event("create_job.json"), body))
    assert code == status
    assert words in reply["message"]
    assert backend.table.scan()["Count"] == 0


def test_get_job_event_reports_each_status(backend: Backend) -> None:
    event = load_event("get_job.json")
    code, reply, _ = call_api(event)
    assert (code, reply["message"]) == (404, "no such job (it may have expired)")

    seed_event_job(backend)
    code, reply, _ = call_api(event)
    assert code == 200 and reply["jobId"] == EVENT_JOB_ID and reply["status"] == "awaiting_upload"

    backend.put_upload(f"uploads/{EVENT_JOB_ID}/quarterly report.png", PNG)
    assert call_api(event)[1]["status"] == "queued"

    convert.handler(load_event("s3_object_created.json"), LambdaContext())
    code, reply, _ = call_api(event)
    assert code == 200 and reply["status"] == "done"
    assert reply["result"]["tables"] == 1
    assert reply["result"]["xlsxUrl"].startswith("https://img2xlsx-test-results.s3.eu-west-1.amazonaws.com/")


def test_get_job_reports_the_failure_reason(backend: Backend) -> None:
    seed_event_job(backend, "failed", error="quarterly report.png: not a recognised image format")
    code, reply, _ = call_api(load_event("get_job.json"))
    assert code == 200 and reply["status"] == "failed"
    assert reply["error"] == "quarterly report.png: not a recognised image format"


def test_unknown_routes_and_ids_are_404(backend: Backend) -> None:
    event = copy.deepcopy(load_event("get_job.json"))
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/jobs/..%2F..%2Fetc"
    assert call_api(event)[0] == 404
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/nothing"
    assert call_api(event)[0] == 404


def test_internal_errors_are_500_without_details(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(backend.service.jobs, "create", broken)
    code, reply, _ = call_api(load_event("create_job.json"))
    assert code == 500 and "secret" not in reply["message"]


# -- conversion ------------------------------------------------------------------------------------


def test_s3_event_decodes_the_key_and_converts(backend: Backend) -> None:
    seed_event_job(backend)
    backend.put_upload(f"uploads/{EVENT_JOB_ID}/quarterly report.png", PNG)
    reply = convert.handler(load_event("s3_object_created.json"), LambdaContext(remaining_ms=90_000))
    assert reply == {
        "processed": [
            {"key": f"uploads/{EVENT_JOB_ID}/quarterly report.png", "action": "converted", "detail": ""}
        ]
    }
    job = backend.service.jobs.get(EVENT_JOB_ID)
    assert job is not None and job.status == "done"
    assert job.result is not None and job.result.xlsx_key == f"results/{EVENT_JOB_ID}/quarterly_report.xlsx"


def test_duplicate_s3_event_is_skipped(backend: Backend) -> None:
    seed_event_job(backend)
    backend.put_upload(f"uploads/{EVENT_JOB_ID}/quarterly report.png", PNG)
    event = load_event("s3_object_created.json")
    convert.handler(event, LambdaContext())
    reply = convert.handler(event, LambdaContext())
    assert reply["processed"][0]["action"] == "duplicate"
    assert len(backend.converter.calls) == 1


def test_lease_follows_the_invocation_time_limit(backend: Backend) -> None:
    seed_event_job(backend)
    backend.put_upload(f"uploads/{EVENT_JOB_ID}/quarterly report.png", PNG)
    leases: list[float | None] = []
    backend.converter.during = lambda _: leases.append(backend.service.jobs.get(EVENT_JOB_ID).lease_until)  # type: ignore[union-attr]
    convert.handler(load_event("s3_object_created.json"), LambdaContext(remaining_ms=100_000))
    assert leases == [pytest.approx(backend.clock.now + 100 + convert.LEASE_MARGIN_SECONDS)]


def test_bad_input_fails_the_job_without_raising(backend: Backend) -> None:
    seed_event_job(backend)
    backend.put_upload(f"uploads/{EVENT_JOB_ID}/quarterly report.png", b"%PDF-1.7 not an image")
    reply = convert.handler(load_event("s3_object_created.json"), LambdaContext())
    assert reply["processed"][0]["action"] == "failed"
    job = backend.service.jobs.get(EVENT_JOB_ID)
    assert job is not None and job.status == "failed" and "not a recognised image" in (job.error or "")


def test_unexpected_errors_raise_so_lambda_retries(backend: Backend) -> None:
    seed_event_job(backend)
    backend.put_upload(f"uploads/{EVENT_JOB_ID}/quarterly report.png", PNG)
    backend.converter.crash = RuntimeError("engine bug")
    with pytest.raises(convert.RetryableError):
        convert.handler(load_event("s3_object_created.json"), LambdaContext())
    assert backend.service.jobs.get(EVENT_JOB_ID).status == "queued"  # type: ignore[union-attr]


def test_object_keys_decoding_and_filtering() -> None:
    key = "uploads/abcdefghijklmnopqrstuvwx/Tabelle März (2) + Q1.png"
    event = {
        "Records": [
            {"eventName": "ObjectCreated:Post", "s3": {"object": {"key": quote_plus(key, safe="/")}}},
            {"eventName": "ObjectRemoved:Delete", "s3": {"object": {"key": "uploads/x/y.png"}}},
            {"eventName": "ObjectCreated:Put", "s3": {"object": {}}},
        ]
    }
    assert convert.object_keys(event) == [key]
    assert convert.object_keys({}) == []


# -- dead-letter path ------------------------------------------------------------------------------


def test_dead_lettered_conversion_marks_the_job_failed(backend: Backend) -> None:
    seed_event_job(backend, "processing", lease_until=backend.clock.now + 100)
    reply = failures.handler(load_event("conversion_failed.json"), LambdaContext())
    assert reply == {"batchItemFailures": []}
    job = backend.service.jobs.get(EVENT_JOB_ID)
    assert job is not None and job.status == "failed"
    assert job.error == failures.REASONS["RetriesExhausted"]
    assert job.lease_until is None


def test_dead_letter_does_not_touch_finished_jobs(backend: Backend) -> None:
    seed_event_job(backend, "done")
    failures.handler(load_event("conversion_failed.json"), LambdaContext())
    assert backend.service.jobs.get(EVENT_JOB_ID).status == "done"  # type: ignore[union-attr]


def test_dead_letter_reasons_follow_the_condition(backend: Backend) -> None:
    seed_event_job(backend, "queued")
    event = load_event("conversion_failed.json")
    record = json.loads(event["Records"][0]["body"])
    record["requestContext"]["condition"] = "EventAgeExceeded"
    event["Records"][0]["body"] = json.dumps(record)
    failures.handler(event, LambdaContext())
    assert backend.service.jobs.get(EVENT_JOB_ID).error == failures.REASONS["EventAgeExceeded"]  # type: ignore[union-attr]


def test_dead_letter_keeps_messages_it_could_not_record(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_event_job(backend, "processing")

    def unreachable(*_: Any, **__: Any) -> None:
        raise ConnectionError("dynamodb unreachable")

    monkeypatch.setattr(backend.service.jobs, "transition", unreachable)
    event = load_event("conversion_failed.json")
    garbage = copy.deepcopy(event["Records"][0])
    garbage["messageId"], garbage["body"] = "garbage", "not json"
    event["Records"].append(garbage)
    reply = failures.handler(event, LambdaContext())
    assert reply == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}


def test_dead_letters_travel_through_sqs_and_unrecorded_ones_stay(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Destination records as SQS holds them, delivered like the event source mapping (partial batches)."""
    sqs = boto3.client("sqs", region_name="eu-west-1")
    queue = sqs.create_queue(QueueName="convert-failures")["QueueUrl"]
    seed_event_job(backend, "processing")
    record = json.loads(load_event("conversion_failed.json")["Records"][0]["body"])
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(record))
    unknown = copy.deepcopy(record)
    unknown["requestPayload"]["Records"][0]["s3"]["object"]["key"] = (
        "uploads/otherJob-000000000000000000/x.png"
    )
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(unknown))

    def deliver() -> list[str]:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)[
            "Messages"
        ]
        event = {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "eventSource": "aws:sqs",
                }
                for m in messages
            ]
        }
        failed = {f["itemIdentifier"] for f in failures.handler(event, LambdaContext())["batchItemFailures"]}
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
        return sorted(failed)

    real_transition = backend.service.jobs.transition

    def flaky(job_id: str, *args: Any, **kwargs: Any) -> Any:
        if job_id == EVENT_JOB_ID:
            raise ConnectionError("throttled")
        return real_transition(job_id, *args, **kwargs)

    monkeypatch.setattr(backend.service.jobs, "transition", flaky)
    assert len(deliver()) == 1  # the sample job's message could not be recorded: it stays
    assert backend.service.jobs.get(EVENT_JOB_ID).status == "processing"  # type: ignore[union-attr]

    monkeypatch.setattr(backend.service.jobs, "transition", real_transition)
    assert deliver() == []
    assert backend.service.jobs.get(EVENT_JOB_ID).status == "failed"  # type: ignore[union-attr]
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)


def test_in_lambda_the_service_logs_json_with_the_job_as_correlation_id(tmp_path: Path) -> None:
    """As in Lambda (AWS_LAMBDA_FUNCTION_NAME set), in a fresh process so logging is configured anew."""
    env = dict(
        os.environ,
        AWS_LAMBDA_FUNCTION_NAME="img2xlsx-convert",
        IMG2XLSX_BACKEND="local",
        IMG2XLSX_DATA_DIR=str(tmp_path),
        POWERTOOLS_LOG_LEVEL="INFO",
    )
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "functions/invoke.py"),
            "ConvertFunction",
            "events/s3_object_created.json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"level"')]
    service_lines = [line for line in lines if line["message"].startswith("ignoring an object")]
    assert service_lines and service_lines[0]["correlation_id"] == EVENT_JOB_ID
    assert service_lines[0]["service"] == "img2xlsx-convert"
