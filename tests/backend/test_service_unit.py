"""The job service's rules on in-memory stores (tests/backend/fakes.py): no moto, no engine, milliseconds per
test. test_job_service.py runs the service on the AWS adapters (moto) as the integration test."""

from __future__ import annotations

import json

import pytest
from img2xlsx.jobs import keys
from img2xlsx.jobs.errors import (
    RequestError,
    RetryableError,
    TooLargeError,
    TooManyRequestsError,
    UnsupportedTypeError,
)
from img2xlsx.jobs.keys import client_key
from img2xlsx.jobs.service import JobService, check_content_type
from img2xlsx.jobs.settings import MB, Settings
from img2xlsx.jobs.sizes import too_large

from .conftest import PNG_MAGIC, Clock, FakeConverter
from .fakes import MemoryJobStore, MemoryObjectStore

PNG = PNG_MAGIC + b"TABLE rest of a picture"


class Rig:
    def __init__(self, settings: Settings | None = None) -> None:
        self.uploads, self.results, self.jobs = MemoryObjectStore(), MemoryObjectStore(), MemoryJobStore()
        self.clock, self.converter = Clock(), FakeConverter()
        self.service = JobService(
            self.uploads,
            self.results,
            self.jobs,
            converter=self.converter,
            settings=settings or Settings(),
            clock=self.clock,
        )

    def uploaded(self, name: str = "Scan 1.png", data: bytes = PNG) -> str:
        """A created job whose upload landed; returns its upload key."""
        job = self.service.create_job(name, "image/png", len(data)).job
        self.uploads.put_bytes(job.upload_key, data, "image/png")
        return job.upload_key


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_create_job_names_keys_and_signs_an_upload_of_exactly_the_announced_size(rig: Rig) -> None:
    created = rig.service.create_job(" Tabelle März.JPG ", "IMAGE/JPEG; x=y", 1234)
    job = created.job
    assert job.status == "awaiting_upload" and job.filename == "Tabelle März.JPG"
    assert job.upload_key == f"uploads/{job.job_id}/Tabelle_M_rz.jpg" and job.content_type == "image/jpeg"
    assert created.upload.fields["max"] == "1234" and created.upload.fields["Content-Type"] == "image/jpeg"
    assert created.expires_at == int(rig.clock.now) + 300
    assert rig.jobs.jobs[job.job_id].expires_at == int(rig.clock.now) + 7 * 24 * 3600


@pytest.mark.parametrize(
    ("content_type", "size", "error", "words"),
    [
        ("application/zip", 10, UnsupportedTypeError, "not supported"),
        ("image/png", 0, RequestError, "empty"),
        ("image/png", 20 * MB + 1, TooLargeError, "limit is 20 MB"),
    ],
)
def test_create_job_enforces_the_rules_itself(
    rig: Rig, content_type: str, size: int, error: type[RequestError], words: str
) -> None:
    with pytest.raises(error, match=words):
        rig.service.create_job("a.png", content_type, size)
    assert rig.jobs.jobs == {}


def test_check_content_type_normalises_and_refuses() -> None:
    assert check_content_type(" Image/HEIC ; q=1") == "image/heic"
    assert check_content_type("application/PDF") == "application/pdf"  # PDFs are read too
    with pytest.raises(UnsupportedTypeError, match="text/html files are not supported"):
        check_content_type("text/html")


def test_refresh_queues_a_landed_upload_and_expires_a_missing_one(rig: Rig) -> None:
    landed = rig.uploaded()
    missing = rig.service.create_job("b.png", "image/png", 5).job
    landed_id = landed.split("/")[1]
    assert rig.service.refresh_job(landed_id).status == "queued"  # type: ignore[union-attr]
    rig.clock.advance(300 + 900 + 1)
    expired = rig.service.refresh_job(missing.job_id)
    assert (
        expired is not None and expired.status == "failed" and "upload link expired" in (expired.error or "")
    )
    assert rig.service.refresh_job("../../etc") is None and rig.service.refresh_job("A" * 24) is None


def test_process_upload_converts_once_and_links_the_results(rig: Rig) -> None:
    key = rig.uploaded("Sales Q3.png")
    job_id = key.split("/")[1]
    assert rig.service.result_links(rig.service.get_job(job_id)) is None  # type: ignore[arg-type]
    outcome = rig.service.process_upload(key)
    assert outcome.action == "converted" and outcome.extra == {"tables": 1}
    done = rig.service.get_job(job_id)
    assert done is not None and done.status == "done" and done.attempts == 1 and done.lease_until is None
    assert rig.results.objects[f"results/{job_id}/Sales_Q3.xlsx"] == (
        b"PK\x03\x04fake-xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert json.loads(rig.results.objects[f"results/{job_id}/Sales_Q3.json"][0]) == {"tables": [{"n": 0}]}
    links = rig.service.result_links(done)
    assert links is not None and links.tables == 1
    assert links.xlsx_url == f"mem://download/results/{job_id}/Sales_Q3.xlsx?ttl=900&filename=Sales_Q3.xlsx"
    assert rig.service.process_upload(key).action == "duplicate"
    assert rig.converter.calls == ["Sales Q3.png"]


def test_user_error_fails_for_good_and_a_crash_is_retried(rig: Rig) -> None:
    bad = rig.uploaded("notes.png", b"plain text")
    assert rig.service.process_upload(bad).detail == "notes.png: not a recognised image format"
    assert rig.service.process_upload(bad).action == "duplicate"

    key = rig.uploaded()
    rig.converter.crash = RuntimeError("engine bug")
    with pytest.raises(RetryableError, match="RuntimeError: engine bug"):
        rig.service.process_upload(key)
    assert rig.service.get_job(key.split("/")[1]).status == "queued"  # type: ignore[union-attr]
    rig.converter.crash = None
    assert rig.service.process_upload(key).action == "converted"


def test_attempts_are_bounded_by_the_settings() -> None:
    rig = Rig(Settings(max_attempts=1))
    key = rig.uploaded()
    rig.converter.crash = RuntimeError("engine bug")
    with pytest.raises(RetryableError):
        rig.service.process_upload(key)
    outcome = rig.service.process_upload(key)
    assert outcome.action == "failed" and "several attempts" in outcome.detail
    assert len(rig.converter.calls) == 1


def test_a_lapsed_lease_is_taken_over_and_a_stalled_job_given_up(rig: Rig) -> None:
    key = rig.uploaded()
    job_id = key.split("/")[1]
    rig.service.mark_uploaded(key)
    assert rig.service._claim(job_id, 100) is not None
    rig.clock.advance(50)
    assert rig.service.process_upload(key, lease_seconds=100).action == "duplicate"
    rig.clock.advance(51)
    assert rig.service.process_upload(key, lease_seconds=100).action == "converted"
    assert rig.service.get_job(job_id).attempts == 2  # type: ignore[union-attr]

    stuck = rig.uploaded("stuck.png")
    rig.service.mark_uploaded(stuck)
    rig.clock.advance(2 * 3600 + 1)
    gone = rig.service.refresh_job(stuck.split("/")[1])
    assert gone is not None and gone.status == "failed" and "stopped without a result" in (gone.error or "")


def test_dead_letter_and_release_touch_only_unfinished_jobs(rig: Rig) -> None:
    key = rig.uploaded()
    rig.service.mark_uploaded(key)
    rig.service._claim(key.split("/")[1], 100)
    released = rig.service.release_upload(key)
    assert released is not None and released.status == "queued" and released.lease_until is None
    failed = rig.service.fail_upload(key, "gave up")
    assert failed is not None and failed.status == "failed" and failed.error == "gave up"
    assert rig.service.fail_upload(key, "again") is None and rig.service.release_upload(key) is None
    assert rig.service.fail_upload("not/a/job/key", "x") is None
    assert rig.service.process_upload("uploads/" + "b" * 24 + "/x.png").action == "ignored"


def test_sizes_far_past_the_limit_are_not_printed() -> None:
    """An announced size may be any integer: 10**30 bytes says "larger than 20 MB", not a 24-digit float."""
    rig = Rig()
    for size in (10**30, 2**63, 201 * MB):
        with pytest.raises(TooLargeError) as caught:
            rig.service.create_job("a.png", "image/png", size)
        assert caught.value.message == "the file is larger than 20 MB (the limit)"
    with pytest.raises(TooLargeError, match=r"^the file is 25\.0 MB; the limit is 20 MB$"):
        rig.service.create_job("a.png", "image/png", 25 * MB)
    assert too_large(3 * MB // 2 + 1, MB + MB // 2) == "the file is 1.5 MB; the limit is 1.5 MB"


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("198.51.100.7", "198.51.100.7"),
        (" 198.51.100.7 ", "198.51.100.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::ffff", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("not an address", "not an address"),
    ],
)
def test_client_keys_group_an_ipv6_host_by_its_64(address: str, key: str) -> None:
    assert client_key(address) == key


def test_open_upload_forms_are_bounded_per_client_and_in_total() -> None:
    rig = Rig(Settings(max_pending_uploads_per_client=2, max_pending_uploads=3))
    a1 = rig.service.create_job("a.png", "image/png", 10, client="198.51.100.7").job
    rig.service.create_job("b.png", "image/png", 10, client="198.51.100.7")
    with pytest.raises(TooManyRequestsError, match="2 files from your address") as caught:
        rig.service.create_job("c.png", "image/png", 10, client="198.51.100.7")
    assert caught.value.retry_after == 60
    assert rig.service.create_job("d.png", "image/png", 10, client="203.0.113.5").job.client == "203.0.113.5"
    with pytest.raises(TooManyRequestsError, match="under way"):
        rig.service.create_job("e.png", "image/png", 10, client="203.0.113.9")
    assert len(rig.jobs.jobs) == 3
    # An upload that lands frees the slot at once; then the client may go on.
    rig.uploads.put_bytes(a1.upload_key, PNG, "image/png")
    rig.service.mark_uploaded(a1.upload_key)
    assert (
        rig.service.create_job("f.png", "image/png", 10, client="198.51.100.7").job.status
        == "awaiting_upload"
    )
    # Forms that expired unused stop counting.
    rig.clock.advance(301)
    for name in ("g.png", "h.png"):
        rig.service.create_job(name, "image/png", 10, client="198.51.100.7")


def test_job_ids_never_start_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make invoke JOB=-abc…` would read the id as an option (one id in 64 used to start so)."""
    draws = iter(["-leadingDashIdXXXXXXXXXXX", "goodIdWithoutDash0123456"])
    monkeypatch.setattr(keys.secrets, "token_urlsafe", lambda _n: next(draws))
    assert keys.new_job_id() == "goodIdWithoutDash0123456"
    monkeypatch.undo()
    assert all(not keys.new_job_id().startswith("-") for _ in range(2000))
