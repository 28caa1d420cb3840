"""In-memory ObjectStore and JobStore: the ports' contracts in a few lines, for fast unit tests of the job
service (the moto tests run the same service on the real AWS adapters)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from img2xlsx.errors import ImageTooLargeError
from img2xlsx.jobs.model import Job, JobStatus
from img2xlsx.jobs.ports import PresignedUpload


@dataclass
class MemoryObjectStore:
    """A dict of key -> (bytes, content type); URLs are ``mem://`` strings that name what they allow."""

    objects: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedUpload:
        return PresignedUpload(
            url=f"mem://upload/{key}",
            fields={"key": key, "Content-Type": content_type, "max": str(max_bytes), "ttl": str(expires_in)},
        )

    def presign_download(self, key: str, expires_in: int, filename: str | None = None) -> str:
        return f"mem://download/{key}?ttl={expires_in}" + (f"&filename={filename}" if filename else "")

    def get_bytes(self, key: str, max_bytes: int | None = None) -> bytes:
        data = self.objects[key][0]
        if max_bytes is not None and len(data) > max_bytes:
            raise ImageTooLargeError(f"the file is larger than the {max_bytes // (1024 * 1024)} MB limit")
        return data

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = (data, content_type)

    def size(self, key: str) -> int | None:
        return len(self.objects[key][0]) if key in self.objects else None


@dataclass
class MemoryJobStore:
    """Jobs by id, copied in and out (as a real store serialises them); conditional transitions."""

    jobs: dict[str, Job] = field(default_factory=dict)

    def create(self, job: Job) -> None:
        if job.job_id in self.jobs:
            raise KeyError(f"job {job.job_id} exists")
        self.jobs[job.job_id] = copy.deepcopy(job)

    def get(self, job_id: str) -> Job | None:
        job = self.jobs.get(job_id)
        return copy.deepcopy(job) if job is not None else None

    def transition(
        self,
        job_id: str,
        expected: tuple[JobStatus, ...],
        new: JobStatus,
        *,
        if_updated_at: float | None = None,
        **changes: Any,
    ) -> Job | None:
        if not expected:
            raise ValueError("expected must name at least one status")
        job = self.jobs.get(job_id)
        if job is None or job.status not in expected:
            return None
        if if_updated_at is not None and job.updated_at != if_updated_at:
            return None
        for name, value in changes.items():
            if not hasattr(job, name):
                raise AttributeError(f"Job has no field {name}")
            setattr(job, name, copy.deepcopy(value))
        job.status = new
        return copy.deepcopy(job)

    def pending_upload_clients(self, since: float) -> list[str]:
        return [
            j.client for j in self.jobs.values() if j.status == "awaiting_upload" and j.created_at >= since
        ]
