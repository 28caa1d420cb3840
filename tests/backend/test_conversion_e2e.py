"""One real conversion through the whole backend path: API event → presigned POST → S3 event → engine → GET.

The engine is the real one (OpenCV + Tesseract); storage is moto. Uses a benchmark image from ../shared/bench.
"""

from __future__ import annotations

import copy
import io
import json
from typing import Any
from urllib.parse import quote_plus

import openpyxl
import pytest
import requests
from img2xlsx.jobs.converter import engine_converter

from .conftest import RESULTS, ROOT, Backend, LambdaContext, load_event, load_handler

BENCH = ROOT.parent / "shared" / "bench"
IMAGE = BENCH / "synthetic" / "dev_0000.png"

api = load_handler("functions/api/api_handler.py")
convert = load_handler("functions/convert/convert_handler.py")


def create(filename: str, content_type: str, size: int) -> dict[str, Any]:
    event = copy.deepcopy(load_event("create_job.json"))
    event["body"] = json.dumps({"filename": filename, "contentType": content_type, "size": size})
    reply = api.handler(event, LambdaContext())
    assert reply["statusCode"] == 201, reply["body"]
    body: dict[str, Any] = json.loads(reply["body"])
    return body


def upload(created: dict[str, Any], filename: str, data: bytes, content_type: str) -> str:
    form = created["upload"]
    reply = requests.post(
        form["url"], data=form["fields"], files={"file": (filename, data, content_type)}, timeout=30
    )
    assert reply.status_code in (200, 204), reply.text
    key: str = form["fields"]["key"]
    return key


def s3_event(key: str) -> dict[str, Any]:
    event = copy.deepcopy(load_event("s3_object_created.json"))
    event["Records"][0]["s3"]["object"]["key"] = quote_plus(key, safe="/")
    return event


def status(job_id: str) -> dict[str, Any]:
    event = copy.deepcopy(load_event("get_job.json"))
    path = f"/api/jobs/{job_id}"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"] = {"jobId": job_id}
    reply = api.handler(event, LambdaContext())
    assert reply["statusCode"] == 200
    body: dict[str, Any] = json.loads(reply["body"])
    return body


@pytest.fixture
def real_engine(backend: Backend) -> Backend:
    backend.service.converter = engine_converter
    return backend


def test_a_bench_image_becomes_a_workbook(real_engine: Backend) -> None:
    if not IMAGE.is_file():
        pytest.skip(f"benchmark image {IMAGE} not found (../shared/bench beside the repository)")
    data = IMAGE.read_bytes()
    created = create("Quarterly sales (scan).png", "image/png", len(data))
    key = upload(created, "Quarterly sales (scan).png", data, "image/png")
    assert status(created["jobId"])["status"] == "queued"

    reply = convert.handler(s3_event(key), LambdaContext())
    assert reply["processed"][0]["action"] == "converted"

    view = status(created["jobId"])
    assert view["status"] == "done" and "error" not in view
    tables = view["result"]["tables"]
    assert tables >= 1
    job = real_engine.service.jobs.get(created["jobId"])
    assert job is not None and job.result is not None
    workbook = openpyxl.load_workbook(io.BytesIO(real_engine.result_bytes(job.result.xlsx_key)))
    assert len(workbook.worksheets) >= tables
    values = [
        c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]
    assert values, "the workbook has no cell values"
    preview = json.loads(real_engine.result_bytes(job.result.json_key))
    assert isinstance(preview, dict) and json.dumps(preview)
    assert view["result"]["xlsxUrl"].startswith(
        f"https://{RESULTS}.s3.eu-west-1.amazonaws.com/{job.result.xlsx_key}"
    )


def test_a_file_that_is_not_an_image_fails_with_the_engines_reason(real_engine: Backend) -> None:
    data = b"PK\x03\x04" + b"\x00" * 60  # a ZIP archive named like a picture
    created = create("invoice.png", "image/png", len(data))
    key = upload(created, "invoice.png", data, "image/png")
    reply = convert.handler(s3_event(key), LambdaContext())
    assert reply["processed"][0]["action"] == "failed"
    view = status(created["jobId"])
    assert view["status"] == "failed"
    assert view["error"] == "invoice.png: this is a ZIP archive (or an Office document), not an image"


def test_a_pdf_becomes_a_workbook_with_a_sheet_per_page(real_engine: Backend) -> None:
    """A two-page born-digital PDF through the API and the converter: every page's table on its own sheet."""
    from tests.hardening import pdfs
    from tests.hardening.corpus import table_rows

    page = pdfs.table_page(table_rows(), col_width=90, row_height=30, font_size=12).content
    data = pdfs.document([page, page])
    created = create("statement.pdf", "application/pdf", len(data))
    assert created["upload"]["fields"]["Content-Type"] == "application/pdf"
    key = upload(created, "statement.pdf", data, "application/pdf")
    reply = convert.handler(s3_event(key), LambdaContext())
    assert reply["processed"][0]["action"] == "converted", reply
    view = status(created["jobId"])
    assert view["status"] == "done" and view["result"]["tables"] == 2
    job = real_engine.service.jobs.get(created["jobId"])
    assert job is not None and job.result is not None
    workbook = openpyxl.load_workbook(io.BytesIO(real_engine.result_bytes(job.result.xlsx_key)))
    assert len(workbook.worksheets) == 2
    for sheet in workbook.worksheets:
        assert (sheet.max_row, sheet.max_column) == (4, 3)
        assert sheet.cell(2, 2).value == 11 and sheet.cell(4, 3).value == 32  # typed numbers
    preview = json.loads(real_engine.result_bytes(job.result.json_key))
    assert [t["page"] for t in preview["tables"]] == [0, 1]
