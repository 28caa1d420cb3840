"""The two storage interfaces the job service needs; AWS (S3, DynamoDB) and local (folder, SQLite) implement
them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .model import Job, JobStatus


@dataclass
class PresignedUpload:
    """A browser-usable POST form: send ``fields`` then the file as multipart/form-data to ``url``."""

    url: str
    fields: dict[str, str]


class ObjectStore(Protocol):
    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedUpload:
        """A POST that may only write ``key`` with this exact content type and 1..max_bytes bytes before
        expiry."""
        ...

    def presign_download(self, key: str, expires_in: int, filename: str | None = None) -> str:
        """A GET URL for ``key`` valid for ``expires_in`` seconds (``filename`` sets Content-Disposition)."""
        ...

    def get_bytes(self, key: str, max_bytes: int | None = None) -> bytes: ...

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...

    def size(self, key: str) -> int | None:
        """Object size in bytes, or None when it does not exist."""
        ...


class JobStore(Protocol):
    def create(self, job: Job) -> None: ...

    def get(self, job_id: str) -> Job | None: ...

    def transition(
        self,
        job_id: str,
        expected: tuple[JobStatus, ...],
        new: JobStatus,
        *,
        if_updated_at: float | None = None,
        **changes: Any,
    ) -> Job | None:
        """Atomically move a job from one of ``expected`` to ``new`` (applying ``changes``); None if it was
        not in an expected status (or does not exist). This is what makes duplicate S3 events harmless.

        ``if_updated_at``, when given, additionally requires the stored ``updated_at`` to equal it
        (optimistic lock): only one of several workers reclaiming the same stale ``processing`` job wins.
        ``changes`` are Job field names -> new values (a ``JobResult`` for ``result``); the service always
        sets ``updated_at``."""
        ...

    def pending_upload_clients(self, since: float) -> list[str]:
        """The ``client`` of every job still ``awaiting_upload`` that was created at or after ``since`` (the
        jobs whose upload form may still be used): what the creation limits count."""
        ...


@dataclass
class Stores:
    """What one backend provides: the two buckets (they may be one store) and the job records."""

    uploads: ObjectStore
    results: ObjectStore
    jobs: JobStore
