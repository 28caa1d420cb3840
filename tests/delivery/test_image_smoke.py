"""deploy/image_smoke.py's seed -> event -> verify path, with the real conversion handler run in-process.

CI runs the same path with the handler inside the built image behind the Lambda RIE (no Docker here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deploy import image_smoke

from .conftest import DEPLOY, ROOT

EVENT = ROOT / "events" / "s3_object_created.json"
PICTURE = DEPLOY / "fixtures" / "smoke-table.png"


@dataclass
class Context:
    """The attributes of a Lambda context that the handler's powertools decorators read."""

    function_name: str = "img2xlsx-ci-ConvertFunction"
    memory_limit_in_mb: int = 2048
    invoked_function_arn: str = (
        "arn:aws:lambda:eu-central-1:000000000000:function:img2xlsx-ci-ConvertFunction"
    )
    aws_request_id: str = "image-smoke-test"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


@pytest.fixture
def handler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from img2xlsx.jobs import wiring
    from img2xlsx_local.handlers import load_handler

    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "img2xlsx-tests")
    for key, value in image_smoke.local_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    handler = load_handler("functions/convert", "convert_handler.handler")
    wiring.use_service(None)  # build from the environment above, as a cold start in the container would
    yield handler
    wiring.use_service(None)


def test_seeded_upload_converts_and_verifies(tmp_path: Path, handler: Any) -> None:
    seeded = image_smoke.seed(tmp_path, PICTURE)
    event = image_smoke.s3_event(EVENT, seeded)
    record = event["Records"][0]
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["object"]["size"] == PICTURE.stat().st_size == seeded.size

    reply = handler(event, Context())
    summary = image_smoke.verify(tmp_path, seeded, reply)
    assert summary["job"] == seeded.job_id
    assert summary["tables"] >= 1 and summary["xlsx_bytes"] > 1000


def test_verify_rejects_a_reply_that_converted_nothing(tmp_path: Path) -> None:
    seeded = image_smoke.seed(tmp_path, PICTURE)
    error_reply = {"errorMessage": "No module named 'cv2'", "errorType": "Runtime.ImportModuleError"}
    with pytest.raises(image_smoke.ImageSmokeError, match="did not convert"):
        image_smoke.verify(tmp_path, seeded, error_reply)
    # A reply that claims success is not believed while the job store says otherwise.
    with pytest.raises(image_smoke.ImageSmokeError, match="not done"):
        image_smoke.verify(tmp_path, seeded, {"processed": [{"action": "converted"}]})


def test_event_keys_are_url_encoded_like_s3(tmp_path: Path) -> None:
    seeded = image_smoke.Seeded("job", "uploads/job/quarterly report.png", 10)
    event = image_smoke.s3_event(EVENT, seeded)
    assert event["Records"][0]["s3"]["object"]["key"] == "uploads/job/quarterly+report.png"


def test_the_rie_comes_from_the_pinned_sam_cli() -> None:
    rie = image_smoke.find_rie()  # make test builds .venv-sam from deploy/requirements-sam.txt
    assert rie.name == "aws-lambda-rie-x86_64" and rie.stat().st_size > 1_000_000
    with rie.open("rb") as fh:
        assert fh.read(4) == b"\x7fELF"
    assert os.access(rie, os.X_OK)
