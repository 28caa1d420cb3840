"""JobService over the AWS stores (moto), through the API edge where the API would call it: validation,
status transitions, duplicates, leases, failures. (tests/backend/test_service_unit.py runs the same rules on
in-memory stores.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from img2xlsx.errors import ImageTooLargeError
from img2xlsx.jobs.errors import RequestError, RetryableError, TooLargeError, UnsupportedTypeError
from img2xlsx.jobs.keys import job_id_from_key, safe_stem
from img2xlsx.jobs.settings import MB

from .conftest import PNG_MAGIC, RESULTS, UPLOADS, Backend, load_handler

job_api = load_handler("functions/api/job_api.py")


def view_of(backend: Backend, job_id: str) -> Any:
    """``GET /api/jobs/{jobId}``'s body (None: 404)."""
    return job_api.get_job(backend.service, job_id)


PNG = PNG_MAGIC + b"TABLE TABLE rest of a picture"


def created(backend: Backend, filename: str = "My scan.png", size: int = 1000) -> Any:
    return backend.service.create_job(filename, "image/png", size)


def test_create_job_records_awaiting_upload_under_an_unguessable_id(backend: Backend) -> None:
    first = created(backend)
    second = created(backend)
    job = backend.service.jobs.get(first.job.job_id)
    assert job is not None and job.status == "awaiting_upload"
    assert job.upload_key == f"uploads/{job.job_id}/My_scan.png"
    assert job.content_type == "image/png" and job.size == 1000
    assert job.expires_at == int(backend.clock.now) + 7 * 24 * 3600
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", job.job_id)
    assert first.job.job_id != second.job.job_id
    assert first.expires_at == int(backend.clock.now) + 300


@pytest.mark.parametrize(
    ("filename", "content_type", "size", "error", "words"),
    [
        (None, "image/png", 10, RequestError, "filename"),
        ("  ", "image/png", 10, RequestError, "filename"),
        ("x" * 256 + ".png", "image/png", 10, RequestError, "255"),
        ("a.png", None, 10, RequestError, "contentType"),
        ("a.zip", "application/zip", 10, UnsupportedTypeError, "application/zip"),
        ("a.svg", "image/svg+xml", 10, UnsupportedTypeError, "not supported"),
        ("a.png", "image/png", 0, RequestError, "empty"),
        ("a.png", "image/png", -5, RequestError, "empty"),
        ("a.png", "image/png", "12", RequestError, "integer"),
        ("a.png", "image/png", True, RequestError, "integer"),
        ("a.png", "image/png", 12.5, RequestError, "integer"),
        ("a.png", "image/png", 20 * MB + 1, TooLargeError, "20 MB"),
    ],
)
def test_create_job_rejects_bad_requests(
    backend: Backend, filename: Any, content_type: Any, size: Any, error: type[RequestError], words: str
) -> None:
    with pytest.raises(error) as info:
        job_api.create_job(backend.service, {"filename": filename, "contentType": content_type, "size": size})
    assert words in info.value.message
    assert backend.table.scan()["Count"] == 0


def test_status_codes_of_request_errors() -> None:
    statuses = (RequestError("x"), TooLargeError("x"), UnsupportedTypeError("x"))
    assert tuple(job_api.http_status(e) for e in statuses) == (
        400,
        413,
        415,
    )


def test_accepts_every_engine_type_and_content_type_parameters(backend: Backend) -> None:
    for ctype in ("image/jpeg", "IMAGE/PNG; charset=binary", "image/heic", "image/tiff", "image/webp"):
        job = backend.service.create_job("photo", ctype, 20 * MB).job
        assert job.content_type == ctype.split(";")[0].lower()
        assert job.upload_key.startswith(f"uploads/{job.job_id}/photo.")


def test_safe_stem_and_key_parsing() -> None:
    assert safe_stem("../../etc/passwd") == "passwd"
    assert safe_stem("C:\\Users\\me\\Tabelle März 2026.JPG") == "Tabelle_M_rz_2026"
    assert safe_stem("....") == "table"
    assert job_id_from_key("uploads/" + "a" * 24 + "/x.png") == "a" * 24
    assert job_id_from_key("results/" + "a" * 24 + "/x.png") is None
    assert job_id_from_key("uploads/short/x.png") is None
    assert job_id_from_key("uploads/" + "a" * 24 + "/deeper/x.png") is None


def test_view_moves_to_queued_once_the_upload_lands(backend: Backend) -> None:
    job = created(backend).job
    before = view_of(backend, job.job_id)
    assert before is not None and before["status"] == "awaiting_upload"
    backend.put_upload(job.upload_key, PNG)
    view = view_of(backend, job.job_id)
    assert view is not None and view["status"] == "queued"
    assert backend.service.jobs.get(job.job_id).status == "queued"  # type: ignore[union-attr]


def test_a_job_whose_upload_never_came_fails_after_the_form_expired(backend: Backend) -> None:
    job = created(backend).job
    backend.clock.advance(300 + 900 - 1)  # form lifetime + grace for an upload still in flight
    assert view_of(backend, job.job_id)["status"] == "awaiting_upload"  # type: ignore[index]
    backend.clock.advance(2)
    view = view_of(backend, job.job_id)
    assert view is not None and view["status"] == "failed" and "upload link expired" in view["error"]


def test_a_late_upload_still_counts_if_it_landed(backend: Backend) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, PNG)
    backend.clock.advance(3600)
    assert view_of(backend, job.job_id)["status"] == "queued"  # type: ignore[index]


def test_a_job_lost_by_every_retry_is_reported_failed(backend: Backend) -> None:
    queued = created(backend).job
    backend.put_upload(queued.upload_key, PNG)
    backend.service.mark_uploaded(queued.upload_key)
    stuck = created(backend).job
    backend.put_upload(stuck.upload_key, PNG)
    backend.service.mark_uploaded(stuck.upload_key)
    backend.service._claim(stuck.job_id, 120)  # a worker that died without its retries ever coming

    backend.clock.advance(2 * 3600 - 60)
    assert view_of(backend, queued.job_id)["status"] == "queued"  # type: ignore[index]
    assert view_of(backend, stuck.job_id)["status"] == "processing"  # type: ignore[index]
    backend.clock.advance(200)
    for job in (queued, stuck):
        view = view_of(backend, job.job_id)
        assert view is not None and view["status"] == "failed" and "stopped without a result" in view["error"]
    # A late event for such a job does not resurrect it.
    assert backend.service.process_upload(queued.upload_key).action == "duplicate"


def test_unknown_and_malformed_ids_have_no_view(backend: Backend) -> None:
    assert view_of(backend, "A" * 24) is None
    assert view_of(backend, "../../etc") is None
    assert view_of(backend, "") is None


def test_process_upload_converts_once_and_reports_results(backend: Backend) -> None:
    job = created(backend, "Sales Q3.png").job
    backend.put_upload(job.upload_key, PNG)
    backend.clock.advance(5)
    outcome = backend.service.process_upload(job.upload_key)

    assert outcome.action == "converted"
    done = backend.service.jobs.get(job.job_id)
    assert done is not None and done.status == "done" and done.attempts == 1
    assert done.result is not None and done.result.tables == 2
    assert done.result.xlsx_key == f"results/{job.job_id}/Sales_Q3.xlsx"
    assert backend.result_bytes(done.result.xlsx_key) == b"PK\x03\x04fake-xlsx"
    assert backend.result_bytes(done.result.json_key) == b'{"tables": [{"n": 0}, {"n": 1}]}'
    assert done.updated_at == backend.clock.now and done.lease_until is None

    view = view_of(backend, job.job_id)
    assert view is not None and view["status"] == "done" and "error" not in view
    result = view["result"]
    assert result["tables"] == 2
    assert result["xlsxUrl"].startswith(f"https://{RESULTS}.s3.eu-west-1.amazonaws.com/results/{job.job_id}/")
    assert "X-Amz-Expires=900" in result["xlsxUrl"]
    assert "Sales_Q3.xlsx" in result["xlsxUrl"] and "attachment" in result["xlsxUrl"]
    assert ".json" in result["jsonUrl"]

    again = backend.service.process_upload(job.upload_key)
    assert again.action == "duplicate" and again.detail == "done"
    assert backend.converter.calls == ["Sales Q3.png"]


def test_duplicate_event_while_processing_does_not_convert_twice(backend: Backend) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, PNG)
    seen: list[str] = []

    def duplicate_arrives(_: str) -> None:
        seen.append(backend.service.process_upload(job.upload_key).action)

    backend.converter.during = duplicate_arrives
    assert backend.service.process_upload(job.upload_key).action == "converted"
    assert seen == ["duplicate"]
    assert len(backend.converter.calls) == 1


def test_user_error_fails_the_job_with_the_reason_and_is_not_retried(backend: Backend) -> None:
    job = created(backend, "notes.png").job
    backend.put_upload(job.upload_key, b"this is a text file")
    outcome = backend.service.process_upload(job.upload_key)
    assert outcome.action == "failed"
    view = view_of(backend, job.job_id)
    assert view is not None and view["status"] == "failed"
    assert view["error"] == "notes.png: not a recognised image format"
    assert "result" not in view
    assert backend.service.process_upload(job.upload_key).action == "duplicate"


def test_oversized_object_fails_without_running_the_engine(backend: Backend) -> None:
    job = created(backend).job
    backend.service.settings = type(backend.service.settings)(max_upload_bytes=64)
    backend.put_upload(job.upload_key, PNG + b"x" * 100)
    outcome = backend.service.process_upload(job.upload_key)
    assert outcome.action == "failed" and "limit is" in outcome.detail
    assert backend.converter.calls == []


def test_store_refuses_to_read_more_than_asked(backend: Backend) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, b"x" * 100)
    with pytest.raises(ImageTooLargeError):
        backend.service.uploads.get_bytes(job.upload_key, max_bytes=99)
    assert backend.service.uploads.get_bytes(job.upload_key, max_bytes=100) == b"x" * 100


def test_vanished_upload_fails_the_job(backend: Backend) -> None:
    job = created(backend).job
    outcome = backend.service.process_upload(job.upload_key)
    assert outcome.action == "failed" and "no longer available" in outcome.detail


def test_unexpected_error_is_retryable_and_the_retry_succeeds(backend: Backend) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, PNG)
    backend.converter.crash = MemoryError("out of memory")
    with pytest.raises(RetryableError, match="MemoryError"):
        backend.service.process_upload(job.upload_key)
    released = backend.service.jobs.get(job.job_id)
    assert released is not None and released.status == "queued" and released.attempts == 1

    backend.converter.crash = None
    assert backend.service.process_upload(job.upload_key).action == "converted"
    final = backend.service.jobs.get(job.job_id)
    assert final is not None and final.status == "done" and final.attempts == 2


def test_failing_result_store_is_retryable(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, PNG)

    def broken(*_: Any) -> None:
        raise ConnectionError("endpoint unreachable")

    monkeypatch.setattr(backend.service.results, "put_bytes", broken)
    with pytest.raises(RetryableError, match="storing the results"):
        backend.service.process_upload(job.upload_key)
    assert backend.service.jobs.get(job.job_id).status == "queued"  # type: ignore[union-attr]


def test_attempts_are_bounded(backend: Backend) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, PNG)
    backend.converter.crash = RuntimeError("engine bug")
    for _ in range(3):
        with pytest.raises(RetryableError):
            backend.service.process_upload(job.upload_key)
    outcome = backend.service.process_upload(job.upload_key)
    assert outcome.action == "failed" and "several attempts" in outcome.detail
    assert len(backend.converter.calls) == 3


def test_a_dead_workers_job_is_reclaimed_after_its_lease(backend: Backend) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, PNG)
    backend.service.mark_uploaded(job.upload_key)
    # A worker claimed the job and was killed (timeout): the job sits in processing with a lease.
    claimed = backend.service._claim(job.job_id, 150)
    assert claimed is not None and claimed.status == "processing" and claimed.lease_until is not None

    backend.clock.advance(60)  # a duplicate event while the lease holds: the worker may still be alive
    assert backend.service.process_upload(job.upload_key, lease_seconds=150).action == "duplicate"
    backend.clock.advance(120)  # now past the lease
    outcome = backend.service.process_upload(job.upload_key, lease_seconds=150)
    assert outcome.action == "converted"
    assert backend.service.jobs.get(job.job_id).attempts == 2  # type: ignore[union-attr]


def test_a_job_whose_worker_was_stopped_is_released_for_an_immediate_retry(backend: Backend) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, PNG)
    backend.service.mark_uploaded(job.upload_key)
    assert backend.service._claim(job.job_id, 150) is not None  # the worker then ran past its time limit
    released = backend.service.release_upload(job.upload_key)
    assert released is not None and released.status == "queued" and released.lease_until is None
    outcome = backend.service.process_upload(job.upload_key, lease_seconds=150)  # no wait for the lease
    assert outcome.action == "converted"
    assert backend.service.jobs.get(job.job_id).attempts == 2  # type: ignore[union-attr]
    assert backend.service.release_upload(job.upload_key) is None  # a finished job stays finished


def test_only_one_of_two_racing_reclaimers_wins(backend: Backend) -> None:
    job = created(backend).job
    backend.service.mark_uploaded(job.upload_key)
    stale = backend.service._claim(job.job_id, 10)
    assert stale is not None
    backend.clock.advance(30)
    jobs = backend.service.jobs
    first = jobs.transition(
        job.job_id, ("processing",), "processing", if_updated_at=stale.updated_at, updated_at=1.5
    )
    second = jobs.transition(
        job.job_id, ("processing",), "processing", if_updated_at=stale.updated_at, updated_at=2.5
    )
    assert first is not None and first.updated_at == 1.5
    assert second is None


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_holder(backend: Backend) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, PNG)

    def taken_over(_: str) -> None:
        backend.clock.advance(1000)
        current = backend.service.jobs.get(job.job_id)
        assert current is not None
        backend.service.jobs.transition(
            job.job_id,
            ("processing",),
            "processing",
            if_updated_at=current.updated_at,
            updated_at=backend.clock.now,
        )

    backend.converter.during = taken_over
    outcome = backend.service.process_upload(job.upload_key)
    assert outcome.action == "duplicate" and outcome.detail == "lease lost"
    assert backend.service.jobs.get(job.job_id).status == "processing"  # type: ignore[union-attr]


def test_objects_of_no_job_are_ignored(backend: Backend) -> None:
    assert backend.service.process_upload("uploads/" + "b" * 24 + "/x.png").action == "ignored"
    assert backend.service.process_upload("somewhere/else.png").action == "ignored"
    job = created(backend).job
    other_key = f"uploads/{job.job_id}/not-the-announced-file.png"
    backend.put_upload(other_key, PNG)
    assert backend.service.process_upload(other_key).action == "ignored"
    assert backend.converter.calls == []


def test_dead_letter_fails_unfinished_jobs_only(backend: Backend) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, PNG)
    failed = backend.service.fail_upload(job.upload_key, "gave up")
    assert failed is not None and failed.status == "failed" and failed.error == "gave up"

    done_job = created(backend).job
    backend.put_upload(done_job.upload_key, PNG)
    backend.service.process_upload(done_job.upload_key)
    assert backend.service.fail_upload(done_job.upload_key, "gave up") is None
    assert backend.service.jobs.get(done_job.job_id).status == "done"  # type: ignore[union-attr]
    assert backend.service.fail_upload("not/a/job/key", "x") is None


def test_uploads_and_results_live_in_their_own_buckets(backend: Backend) -> None:
    job = created(backend).job
    backend.put_upload(job.upload_key, PNG)
    backend.service.process_upload(job.upload_key)
    uploads = [o["Key"] for o in backend.s3.list_objects_v2(Bucket=UPLOADS).get("Contents", [])]
    results = sorted(o["Key"] for o in backend.s3.list_objects_v2(Bucket=RESULTS).get("Contents", []))
    assert uploads == [job.upload_key]
    assert results == [f"results/{job.job_id}/My_scan.json", f"results/{job.job_id}/My_scan.xlsx"]
