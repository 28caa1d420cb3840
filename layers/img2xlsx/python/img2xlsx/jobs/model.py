"""A conversion job as the API reports it and the stores persist it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

JobStatus = Literal["awaiting_upload", "queued", "processing", "done", "failed"]


@dataclass
class JobResult:
    xlsx_key: str
    json_key: str
    tables: int


@dataclass
class Job:
    job_id: str
    status: JobStatus
    filename: str
    content_type: str
    size: int
    upload_key: str
    created_at: float  # epoch seconds
    updated_at: float
    expires_at: int  # epoch seconds; the job store's TTL
    error: str | None = None
    result: JobResult | None = None
    attempts: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # While ``processing``: when the worker's claim lapses (epoch seconds). A job still ``processing`` after
    # its lease is one whose worker died (timeout, out of memory): a retry may reclaim it.
    lease_until: float | None = None
    # Who asked for the job (the client key of its creation request: source IP, an IPv6 /64), so the jobs
    # awaiting an upload can be bounded per client.
    client: str = ""
    # the picture's languages as the user chose them, "+"-joined, main first ("deu+eng"): the converter
    # reads and types the picture with them
    language: str = "eng"

    def to_item(self) -> dict[str, Any]:
        """Plain dict for a store; ``from_item`` is its inverse."""
        return asdict(self)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Job:
        data = dict(item)
        result = data.get("result")
        data["result"] = JobResult(**result) if result else None
        return cls(**data)
