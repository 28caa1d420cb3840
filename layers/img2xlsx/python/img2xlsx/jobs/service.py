"""The job service: every rule about conversion jobs, independent of where files and job records live.

Handlers (Lambda or the local server) only translate requests into these calls and the answers into replies.
The lifecycle is ``awaiting_upload`` → ``queued`` (the upload is in the store) → ``processing`` (one worker
holds a lease) → ``done`` | ``failed``. Every move is a conditional write, so duplicate events and racing
workers are harmless.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ImageTooLargeError, InputError
from ..languages import DEFAULT_LANGS, LanguageError, langs_text, parse_langs
from ..ocr.words import OcrUnavailableError
from .converter import Converter, engine_converter
from .errors import RequestError, RetryableError, TooLargeError, TooManyRequestsError, UnsupportedTypeError
from .keys import (
    ACCEPTED_CONTENT_TYPES,
    client_key,
    is_job_id,
    job_id_from_key,
    new_job_id,
    normalise_content_type,
    result_keys,
    safe_stem,
    upload_key,
)
from .model import Job, JobResult
from .ports import JobStore, ObjectStore, PresignedUpload
from .settings import Settings
from .sizes import too_large

log = logging.getLogger(__name__)


@dataclass
class CreatedJob:
    job: Job
    upload: PresignedUpload
    expires_at: int  # when the upload form stops working


@dataclass
class ResultLinks:
    """Where a finished job's results can be fetched, for a short while."""

    xlsx_url: str
    json_url: str
    tables: int


@dataclass
class Outcome:
    """What ``process_upload`` did, for logs, metrics and tests."""

    action: str  # converted | failed | duplicate | ignored
    job: Job | None = None
    detail: str = ""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def check_content_type(content_type: str) -> str:
    """The normalised content type if the engine reads it; ``UnsupportedTypeError`` otherwise."""
    ctype = normalise_content_type(content_type)
    if ctype not in ACCEPTED_CONTENT_TYPES:
        raise UnsupportedTypeError(
            f"{content_type[:60]} files are not supported; "
            "upload a PNG, JPEG, WebP, TIFF, BMP, GIF or HEIC image, or a PDF"
        )
    return ctype


class JobService:
    """Creates jobs, hands out upload forms and result links, and runs conversions exactly once per upload."""

    def __init__(
        self,
        uploads: ObjectStore,
        results: ObjectStore,
        jobs: JobStore,
        *,
        converter: Converter = engine_converter,
        settings: Settings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.uploads = uploads
        self.results = results
        self.jobs = jobs
        self.converter = converter
        self.settings = settings or Settings()
        self._clock = clock

    def now(self) -> float:
        # Millisecond precision: the value must survive a round trip through any store unchanged, because
        # ``updated_at`` doubles as the optimistic-lock token.
        return round(self._clock(), 3)

    # -- API ------------------------------------------------------------------------------------------------

    def create_job(
        self,
        filename: str,
        content_type: str,
        size: int,
        langs: Sequence[str] = DEFAULT_LANGS,
        client: str = "",
    ) -> CreatedJob:
        """Check what the browser is about to upload against the rules, record the job and return a presigned
        POST for it. (The request's shape -- fields present, of the right types -- is the API edge's job.)
        ``langs``: the picture's languages, main first (an unsupported one is a ``RequestError``). ``client``
        is the caller's address (source IP): the jobs awaiting an upload are bounded per client."""
        ctype = check_content_type(content_type)
        try:
            language = langs_text(parse_langs(langs))
        except LanguageError as exc:
            raise RequestError(str(exc)) from exc
        if size <= 0:
            raise RequestError("the file is empty")
        limit = self.settings.max_upload_bytes
        if size > limit:
            raise TooLargeError(too_large(size, limit))
        who = client_key(client) if client else ""
        self._check_pending_uploads(who)

        now = self.now()
        job_id = new_job_id()
        job = Job(
            job_id=job_id,
            status="awaiting_upload",
            filename=filename.strip(),
            content_type=ctype,
            size=size,
            upload_key=upload_key(job_id, filename, ctype),
            created_at=now,
            updated_at=now,
            expires_at=int(now) + self.settings.job_ttl,
            client=who,
            language=language,
        )
        self.jobs.create(job)
        # The form may carry at most the announced size: the announcement was what we validated.
        upload = self.uploads.presign_upload(job.upload_key, ctype, size, self.settings.upload_url_ttl)
        return CreatedJob(job=job, upload=upload, expires_at=int(now) + self.settings.upload_url_ttl)

    def _check_pending_uploads(self, client: str) -> None:
        """``TooManyRequestsError`` when this client, or everyone together, already holds as many open upload
        forms as the settings allow. (Check, then create: racing requests may pass the bound by a few.)"""
        s = self.settings
        pending = self.jobs.pending_upload_clients(self.now() - s.upload_url_ttl)
        retry_after = min(60, s.upload_url_ttl)  # forms expire continuously; the oldest within upload_url_ttl
        if len(pending) >= s.max_pending_uploads:
            raise TooManyRequestsError(
                "too many uploads are under way right now; please try again in a minute", retry_after
            )
        if client and sum(1 for c in pending if c == client) >= s.max_pending_uploads_per_client:
            raise TooManyRequestsError(
                f"{s.max_pending_uploads_per_client} files from your address are still waiting to be "
                "uploaded; upload those first or try again in a minute",
                retry_after,
            )

    def get_job(self, job_id: str) -> Job | None:
        if not is_job_id(job_id):
            return None
        return self.jobs.get(job_id)

    def refresh_job(self, job_id: str) -> Job | None:
        """The job as it stands now (None if unknown), first moving it on where its state is overdue: an
        upload that landed is ``queued``, a form that expired long ago or a conversion every retry lost is
        ``failed`` with a reason."""
        job = self.get_job(job_id)
        if job is None:
            return None
        if job.status == "awaiting_upload":
            if self.uploads.size(job.upload_key) is not None:
                # The upload landed but its event has not reached the converter yet: say so.
                job = self.mark_uploaded(job.upload_key) or self.jobs.get(job_id) or job
            elif self.now() > job.created_at + self.settings.upload_url_ttl + self.settings.upload_grace:
                job = self._expire_upload(job)
        elif job.status in ("queued", "processing") and self._stalled(job):
            job = self._give_up(job)
        return job

    def result_links(self, job: Job) -> ResultLinks | None:
        """Short-lived download links of a finished job's workbook and preview; None before it is done."""
        if job.status != "done" or job.result is None:
            return None
        ttl = self.settings.download_url_ttl
        stem = safe_stem(job.filename)
        return ResultLinks(
            xlsx_url=self.results.presign_download(job.result.xlsx_key, ttl, filename=f"{stem}.xlsx"),
            json_url=self.results.presign_download(job.result.json_key, ttl),
            tables=job.result.tables,
        )

    def _stalled(self, job: Job) -> bool:
        """No worker can still be on it: retries and the dead-letter path would have ended it long ago."""
        since = job.lease_until if job.status == "processing" and job.lease_until else job.updated_at
        return self.now() > since + self.settings.stall_timeout

    def _give_up(self, job: Job) -> Job:
        stopped = self.jobs.transition(
            job.job_id,
            (job.status,),
            "failed",
            if_updated_at=job.updated_at,
            updated_at=self.now(),
            lease_until=None,
            error="The conversion stopped without a result; please upload the image again.",
        )
        return stopped or self.jobs.get(job.job_id) or job

    def _expire_upload(self, job: Job) -> Job:
        """No upload long after its form expired: end the job with a reason instead of waiting forever."""
        expired = self.jobs.transition(
            job.job_id,
            ("awaiting_upload",),
            "failed",
            updated_at=self.now(),
            error="No image arrived before the upload link expired; please upload it again.",
        )
        return expired or self.jobs.get(job.job_id) or job

    # -- conversion -----------------------------------------------------------------------------------------

    def mark_uploaded(self, key: str) -> Job | None:
        """awaiting_upload → queued when the upload is in the store; None when the key is no job's or already
        moved on."""
        job_id = job_id_from_key(key)
        if job_id is None:
            return None
        return self.jobs.transition(job_id, ("awaiting_upload",), "queued", updated_at=self.now())

    def process_upload(self, key: str, *, lease_seconds: float | None = None) -> Outcome:
        """Convert the upload at ``key`` exactly once.

        Returns the outcome for user errors and duplicates; raises ``RetryableError`` for failures that a
        retry may cure (after putting the job back to ``queued`` so the retry can claim it).
        ``lease_seconds`` is how long this worker can run at most (default: ``Settings.lease_seconds``)."""
        started = time.monotonic()
        job_id = job_id_from_key(key)
        job = self.jobs.get(job_id) if job_id else None
        if job is None or job.upload_key != key:
            log.warning("ignoring an object that belongs to no job: %s", key)
            return Outcome("ignored", job, detail="no job for this key")

        self.mark_uploaded(key)
        claimed = self._claim(job.job_id, lease_seconds or self.settings.lease_seconds)
        if claimed is None:
            current = self.jobs.get(job.job_id)
            log.info("duplicate event for job %s (%s)", job.job_id, current.status if current else "gone")
            return Outcome("duplicate", current, detail=current.status if current else "gone")
        job = claimed

        if job.attempts > self.settings.max_attempts:
            return self._fail(job, "The conversion did not finish after several attempts; please try again.")

        try:
            size = self.uploads.size(key)
            if size is None:
                return self._fail(job, "The upload is no longer available; please upload the image again.")
            if size > self.settings.max_upload_bytes:
                raise ImageTooLargeError(too_large(size, self.settings.max_upload_bytes))
            data = self.uploads.get_bytes(key, max_bytes=self.settings.max_upload_bytes)
            conversion = self.converter(data, job.filename, langs=parse_langs(job.language))
        except (InputError, LanguageError, OcrUnavailableError) as exc:
            # a bad picture, or a language this deployment cannot read: no retry would do better
            outcome = self._fail(job, exc.message if isinstance(exc, InputError) else str(exc))
            outcome.seconds = time.monotonic() - started
            return outcome
        except Exception as exc:
            self._release(job, exc)
            reason = f"{type(exc).__name__}: {exc}"
            raise RetryableError(f"conversion of job {job.job_id} failed: {reason}") from exc

        xlsx_key, json_key = result_keys(job.job_id, job.filename)
        result = JobResult(xlsx_key=xlsx_key, json_key=json_key, tables=conversion.tables)
        try:
            self.results.put_bytes(
                result.xlsx_key,
                conversion.xlsx,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            self.results.put_bytes(result.json_key, json.dumps(conversion.json).encode(), "application/json")
        except Exception as exc:
            self._release(job, exc)
            raise RetryableError(f"storing the results of job {job.job_id} failed: {exc}") from exc

        done = self.jobs.transition(
            job.job_id,
            ("processing",),
            "done",
            if_updated_at=job.updated_at,
            updated_at=self.now(),
            result=result,
            error=None,
            lease_until=None,
        )
        if done is None:
            # Our lease was taken over (we ran past it); the new holder will finish the job.
            return Outcome("duplicate", self.jobs.get(job.job_id), detail="lease lost")
        return Outcome("converted", done, seconds=time.monotonic() - started, extra={"tables": result.tables})

    def fail_upload(self, key: str, reason: str) -> Job | None:
        """The dead-letter path: the converter gave up on ``key``; record why unless the job already ended."""
        job_id = job_id_from_key(key)
        if job_id is None:
            return None
        return self.jobs.transition(
            job_id,
            ("awaiting_upload", "queued", "processing"),
            "failed",
            updated_at=self.now(),
            error=reason,
            lease_until=None,
        )

    def release_upload(self, key: str) -> Job | None:
        """The worker converting ``key`` was stopped (it ran past its time limit): give its claim back so the
        retry can take the job at once instead of waiting for the lease to lapse."""
        job_id = job_id_from_key(key)
        if job_id is None:
            return None
        return self.jobs.transition(
            job_id, ("processing",), "queued", updated_at=self.now(), lease_until=None
        )

    # -- internals ------------------------------------------------------------------------------------------

    def _claim(self, job_id: str, lease_seconds: float) -> Job | None:
        """queued → processing with a fresh lease; or take over a ``processing`` job whose lease lapsed."""
        job = self.jobs.get(job_id)
        if job is None:
            return None
        now = self.now()
        lease = round(now + lease_seconds, 3)
        if job.status == "queued":
            return self.jobs.transition(
                job_id,
                ("queued",),
                "processing",
                updated_at=now,
                lease_until=lease,
                attempts=job.attempts + 1,
            )
        if job.status == "processing" and job.lease_until is not None and job.lease_until < now:
            log.warning("job %s: taking over a processing lease that lapsed at %s", job_id, job.lease_until)
            return self.jobs.transition(
                job_id,
                ("processing",),
                "processing",
                if_updated_at=job.updated_at,
                updated_at=now,
                lease_until=lease,
                attempts=job.attempts + 1,
            )
        return None

    def _fail(self, job: Job, reason: str) -> Outcome:
        failed = self.jobs.transition(
            job.job_id,
            ("processing",),
            "failed",
            if_updated_at=job.updated_at,
            updated_at=self.now(),
            error=reason,
            lease_until=None,
        )
        return Outcome("failed", failed or self.jobs.get(job.job_id), detail=reason)

    def _release(self, job: Job, exc: BaseException) -> None:
        """Give the claim back so the retry can take it at once (not only once the lease lapses)."""
        log.exception("job %s: attempt %d failed", job.job_id, job.attempts, exc_info=exc)
        try:
            self.jobs.transition(
                job.job_id,
                ("processing",),
                "queued",
                if_updated_at=job.updated_at,
                updated_at=self.now(),
                lease_until=None,
            )
        except Exception:  # the lease will lapse instead
            log.exception("job %s: could not release the claim", job.job_id)
