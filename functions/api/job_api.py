"""The API's wire format, kept at the edge: the new-job request checked field by field, the job as camelCase
JSON, and each of the service's request errors as its HTTP status. The service itself speaks Python."""

from __future__ import annotations

from typing import Any

from img2xlsx.jobs.errors import RequestError, TooLargeError, UnsupportedTypeError
from img2xlsx.jobs.model import Job
from img2xlsx.jobs.service import CreatedJob, JobService, ResultLinks, check_content_type

STATUS_OF: dict[type[RequestError], int] = {TooLargeError: 413, UnsupportedTypeError: 415}


def http_status(error: RequestError) -> int:
    """400 unless the error is one HTTP has a more precise status for."""
    return next((status for kind, status in STATUS_OF.items() if isinstance(error, kind)), 400)


def create_job(service: JobService, body: dict[str, Any]) -> CreatedJob:
    """``{"filename", "contentType", "size"}`` → the created job; ``RequestError`` names the first field that
    is wrong (in the order filename, contentType, size: the type is checked before the size's shape)."""
    filename, content_type, size = body.get("filename"), body.get("contentType"), body.get("size")
    if not isinstance(filename, str) or not filename.strip():
        raise RequestError("filename is required")
    if len(filename) > 255:
        raise RequestError("filename is longer than 255 characters")
    if not isinstance(content_type, str) or not content_type.strip():
        raise RequestError("contentType is required")
    check_content_type(content_type)
    if isinstance(size, bool) or not isinstance(size, int):
        raise RequestError("size must be the file size in bytes (an integer)")
    return service.create_job(filename, content_type, size)


def created_view(created: CreatedJob) -> dict[str, Any]:
    return {
        "jobId": created.job.job_id,
        "status": created.job.status,
        "upload": {"url": created.upload.url, "fields": created.upload.fields},
        "expiresAt": created.expires_at,
    }


def job_view(job: Job, links: ResultLinks | None) -> dict[str, Any]:
    """The job as ``GET /api/jobs/{jobId}`` reports it."""
    out: dict[str, Any] = {
        "jobId": job.job_id,
        "status": job.status,
        "filename": job.filename,
        "createdAt": job.created_at,
        "updatedAt": job.updated_at,
    }
    if job.status == "failed":
        out["error"] = job.error or "The conversion failed."
    if links is not None:
        out["result"] = {"xlsxUrl": links.xlsx_url, "jsonUrl": links.json_url, "tables": links.tables}
    return out


def get_job(service: JobService, job_id: str) -> dict[str, Any] | None:
    """The job's view as of now (overdue states moved on first); None for an unknown id."""
    job = service.refresh_job(job_id)
    return None if job is None else job_view(job, service.result_links(job))
