"""The picture's language from ``POST /api/jobs`` to the engine: checked at the edge, stored on the job,
reported by ``GET``, handed to the converter, which hands it to ``pipeline.convert``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from img2xlsx.jobs import converter as converter_module
from img2xlsx.jobs.model import Job
from img2xlsx.model import Document
from img2xlsx.ocr.words import OcrUnavailableError

from .conftest import PNG_MAGIC, Backend, LambdaContext, load_event, load_handler
from .test_handlers import call_api, with_body
from .test_service_unit import Rig

api = load_handler("functions/api/api_handler.py")
convert = load_handler("functions/convert/convert_handler.py")

PNG = PNG_MAGIC + b"TABLE picture"


def _request(**extra: Any) -> dict[str, Any]:
    return {"filename": "Rechnung.png", "contentType": "image/png", "size": len(PNG), **extra}


def _s3_event(key: str) -> dict[str, Any]:
    event = load_event("s3_object_created.json")
    event["Records"][0]["s3"]["object"]["key"] = key
    event["Records"][0]["s3"]["object"]["size"] = len(PNG)
    return event


@pytest.mark.parametrize(
    ("language", "stored", "passed"),
    [
        ("deu", "deu", ("deu",)),
        ("DEU+eng", "deu+eng", ("deu", "eng")),
        (["fra", "eng"], "fra+eng", ("fra", "eng")),
        (None, "eng", ("eng",)),
    ],
)
def test_the_language_field_is_stored_reported_and_reaches_the_converter(
    backend: Backend, language: Any, stored: str, passed: tuple[str, ...]
) -> None:
    body = _request() if language is None else _request(language=language)
    code, reply, _ = call_api(with_body(load_event("create_job.json"), body))
    assert code == 201, reply
    job = backend.service.jobs.get(reply["jobId"])
    assert job is not None and job.language == stored

    get = load_event("get_job.json")
    get["pathParameters"] = {"jobId": reply["jobId"]}
    get["rawPath"] = get["requestContext"]["http"]["path"] = f"/api/jobs/{reply['jobId']}"
    assert call_api(get)[1]["language"] == stored

    backend.put_upload(job.upload_key, PNG)
    convert.handler(_s3_event(job.upload_key), LambdaContext())
    assert backend.converter.langs == [passed]
    done = backend.service.jobs.get(reply["jobId"])
    assert done is not None and done.status == "done"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("klingon", "unsupported language 'klingon': choose from eng, deu, fra"),
        ("deu+xx", "unsupported language 'xx'"),
        (42, "language must be a language code"),
        (["deu", 3], "language must be a language code"),
        ({"lang": "deu"}, "language must be a language code"),
        ("x" * 500, "language must be a language code"),
        ("deu+fra+spa+ita", "at most 3 languages"),
    ],
)
def test_an_unsupported_language_is_a_400_with_a_message(backend: Backend, language: Any, words: str) -> None:
    code, reply, _ = call_api(with_body(load_event("create_job.json"), _request(language=language)))
    assert code == 400
    assert words in reply["message"]
    assert backend.table.scan()["Count"] == 0  # nothing recorded


def test_jobs_stored_before_languages_existed_read_as_english() -> None:
    item = Job("j", "queued", "a.png", "image/png", 1, "uploads/j/a.png", 1.0, 1.0, 2).to_item()
    del item["language"]
    assert Job.from_item(item).language == "eng"


def test_missing_language_data_fails_the_job_with_the_reason_and_no_retry() -> None:
    rig = Rig()
    key = rig.service.create_job("scan.png", "image/png", len(PNG), ("vie",)).job.upload_key
    rig.uploads.put_bytes(key, PNG, "image/png")
    rig.converter.crash = OcrUnavailableError(
        "Tesseract has no language data for 'vie' (install tesseract-ocr-vie)"
    )
    outcome = rig.service.process_upload(key)
    assert outcome.action == "failed" and "tesseract-ocr-vie" in outcome.detail
    assert rig.converter.langs == [("vie",)]
    assert rig.service.process_upload(key).action == "duplicate"  # failed for good


def test_the_engine_converter_passes_the_languages_to_the_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_convert(data: bytes, *, name: str, langs: tuple[str, ...]) -> Document:
        seen.update(name=name, langs=langs)
        return Document(source=name, pages=[(10, 10)], langs=tuple(langs))

    monkeypatch.setattr("img2xlsx.pipeline.convert", fake_convert)
    result = converter_module.engine_converter(b"png", "Tabelle.png", langs=("deu", "eng"))
    assert seen == {"name": "Tabelle.png", "langs": ("deu", "eng")}
    assert result.json["language"] == "deu+eng"
    assert json.loads(json.dumps(result.json))["language"] == "deu+eng"
