"""Backend fixtures: moto buckets and job table, the handlers loaded by file path (with the loader the local
stack and `make invoke` use), a fake engine."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

# Before any handler module creates its Tracer/Metrics.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "img2xlsx-tests")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

import boto3
from img2xlsx.errors import NotAnImageError
from img2xlsx.jobs.aws import DynamoJobStore, S3ObjectStore, s3_client
from img2xlsx.jobs.converter import Conversion
from img2xlsx.jobs.service import JobService
from img2xlsx.jobs.settings import Settings
from img2xlsx.jobs.wiring import use_service
from img2xlsx_local.handlers import load_module
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
REGION = "eu-west-1"
UPLOADS = "img2xlsx-test-uploads"
RESULTS = "img2xlsx-test-results"
TABLE = "img2xlsx-test-jobs"
EVENT_JOB_ID = "sampleJob-0000000000000000"  # the job id the JSON in events/ refers to
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def jobs_table_schema() -> dict[str, Any]:
    """The job table's keys and indexes exactly as template.yaml declares them, for moto's tables."""
    from tests.cfn_yaml import load_cfn

    props = load_cfn(ROOT / "template.yaml")["Resources"]["JobsTable"]["Properties"]
    return {
        key: props[key]
        for key in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "BillingMode")
        if key in props
    }


def load_handler(relative: str) -> ModuleType:
    """A handler module by its file path (``functions/api/api_handler.py``), as Lambda imports it."""
    path = Path(relative)
    return load_module(str(path.parent), path.stem)


def load_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return data


class Clock:
    def __init__(self, now: float = 1_795_946_400.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeConverter:
    """Stands in for the engine: accepts PNG bytes only, records its calls, can be told to crash."""

    calls: list[str] = field(default_factory=list)
    langs: list[tuple[str, ...]] = field(default_factory=list)  # the languages of each call
    crash: BaseException | None = None
    during: Any = None  # called with the job's file name while "converting"

    def __call__(self, data: bytes, name: str, *, langs: Sequence[str] = ("eng",)) -> Conversion:
        self.calls.append(name)
        self.langs.append(tuple(langs))
        if self.during is not None:
            self.during(name)
        if self.crash is not None:
            raise self.crash
        if not data.startswith(PNG_MAGIC):
            raise NotAnImageError(f"{name}: not a recognised image format")
        tables = data.count(b"TABLE") or 1
        return Conversion(
            xlsx=b"PK\x03\x04fake-xlsx", json={"tables": [{"n": i} for i in range(tables)]}, tables=tables
        )


class LambdaContext:
    function_name = "img2xlsx-test"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:img2xlsx-test"
    aws_request_id = "test-request-id"
    log_group_name = "/aws/lambda/img2xlsx-test"
    log_stream_name = "test"

    def __init__(self, remaining_ms: int = 120_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Backend:
    s3: Any
    table: Any
    service: JobService
    converter: FakeConverter
    clock: Clock

    def put_upload(self, key: str, data: bytes, content_type: str = "image/png") -> None:
        self.s3.put_object(Bucket=UPLOADS, Key=key, Body=data, ContentType=content_type)

    def result_bytes(self, key: str) -> bytes:
        body: bytes = self.s3.get_object(Bucket=RESULTS, Key=key)["Body"].read()
        return body


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


@pytest.fixture
def backend(aws: None) -> Iterator[Backend]:
    s3 = s3_client(REGION)
    for bucket in (UPLOADS, RESULTS):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    table = dynamodb.create_table(TableName=TABLE, **jobs_table_schema())
    clock = Clock()
    converter = FakeConverter()
    service = JobService(
        S3ObjectStore(UPLOADS, s3),
        S3ObjectStore(RESULTS, s3),
        DynamoJobStore(TABLE, dynamodb),
        converter=converter,
        settings=Settings(),
        clock=clock,
    )
    use_service(service)
    try:
        yield Backend(s3=s3, table=table, service=service, converter=converter, clock=clock)
    finally:
        use_service(None)
