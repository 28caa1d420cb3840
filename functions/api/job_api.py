"""The API's wire format, kept at the edge: the new-job request checked field by field, the job as camelCase
JSON, and each of the service's request errors as its HTTP status. The service itself speaks Python."""

from __future__ import annotations

import re
from typing import Any

from img2xlsx.jobs.edits import CellEdit, TableEdit, check_size
from img2xlsx.jobs.edits import edit_table as edit_table_in
from img2xlsx.jobs.errors import (
    ConflictError,
    NotFoundError,
    RequestError,
    TooLargeError,
    TooManyRequestsError,
    UnsupportedTypeError,
)
from img2xlsx.jobs.keys import normalise_content_type
from img2xlsx.jobs.model import Job
from img2xlsx.jobs.service import CreatedJob, JobService, ResultLinks, check_content_type
from img2xlsx.languages import DEFAULT_LANGS, LanguageError, langs_text, parse_langs

STATUS_OF: dict[type[RequestError], int] = {
    TooLargeError: 413,
    UnsupportedTypeError: 415,
    NotFoundError: 404,
    ConflictError: 409,
    TooManyRequestsError: 429,
}
MAX_BODY_BYTES = 1024 * 1024  # of any API request: a job request is ~100 bytes, a 10 000-cell edit < 1 MB
_TABLE_INDEX = re.compile(r"^[0-9]{1,4}$")


def check_json_request(content_type: str | None, body: str | bytes | None) -> None:
    """A body the API reads must be declared JSON (a form or text/plain body is what a page on another site
    can send without a CORS preflight) and at most ``MAX_BODY_BYTES``."""
    if normalise_content_type(content_type or "") != "application/json":
        shown = (content_type or "none").strip()[:60] or "none"
        raise UnsupportedTypeError(f"the request body must be sent as application/json (not {shown})")
    size = len(body.encode() if isinstance(body, str) else body or b"")
    if size > MAX_BODY_BYTES:
        raise TooLargeError(f"the request body is larger than {MAX_BODY_BYTES // 1024} KB")


def http_status(error: RequestError) -> int:
    """400 unless the error is one HTTP has a more precise status for."""
    return next((status for kind, status in STATUS_OF.items() if isinstance(error, kind)), 400)


def request_langs(value: object) -> tuple[str, ...]:
    """The optional ``language`` field: ``"deu"``, ``"deu+eng"`` or ``["deu", "eng"]``; absent → English."""
    if value is None or value == "":
        return DEFAULT_LANGS
    if isinstance(value, list) and value and len(value) <= 8 and all(isinstance(v, str) for v in value):
        choice: str | list[str] = value
    elif isinstance(value, str) and len(value) <= 64:
        choice = value
    else:
        raise RequestError("language must be a language code such as 'deu', or several as 'deu+eng'")
    try:
        return parse_langs(choice)
    except LanguageError as exc:
        raise RequestError(f"language: {exc}") from exc


def create_job(service: JobService, body: dict[str, Any], client: str = "") -> CreatedJob:
    """``{"filename", "contentType", "size", "language"?}`` → the created job; ``RequestError`` names the
    first field that is wrong (in the order filename, contentType, size, language: the type is checked before
    the size's shape). ``client``: the caller's source address (the per-client bound on jobs awaiting an
    upload)."""
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
    langs = request_langs(body.get("language"))
    return service.create_job(filename, content_type, size, langs, client=client)


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
        "language": job.language or langs_text(DEFAULT_LANGS),
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


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestError(f"{name} must be an integer")
    return value


def parse_table_edit(body: dict[str, Any]) -> TableEdit:
    """``{"nRows", "nCols", "nHeaderRows", "cells": [{"row", "col", "rowspan", "colspan", "text"}]}`` → the
    edit; ``RequestError`` names the first field that is wrong. Sizes are checked before the cells are read,
    so a hostile body costs no more than a legitimate one; the grid itself is checked by the service."""
    n_rows, n_cols = _int(body.get("nRows"), "nRows"), _int(body.get("nCols"), "nCols")
    n_header_rows = _int(body.get("nHeaderRows", 0), "nHeaderRows")
    raw_cells = body.get("cells")
    if not isinstance(raw_cells, list):
        raise RequestError("cells must be a list of cells")
    check_size(n_rows, n_cols, n_header_rows, len(raw_cells))
    cells: list[CellEdit] = []
    for i, raw in enumerate(raw_cells):
        if not isinstance(raw, dict):
            raise RequestError(f"cell {i} must be an object")
        text = raw.get("text")
        if not isinstance(text, str):
            raise RequestError(f"cell {i}: text must be a string")
        cells.append(
            CellEdit(
                row=_int(raw.get("row"), f"cell {i}: row"),
                col=_int(raw.get("col"), f"cell {i}: col"),
                rowspan=_int(raw.get("rowspan", 1), f"cell {i}: rowspan"),
                colspan=_int(raw.get("colspan", 1), f"cell {i}: colspan"),
                text=text,
            )
        )
    return TableEdit(n_rows=n_rows, n_cols=n_cols, n_header_rows=n_header_rows, cells=tuple(cells))


def table_index(value: str) -> int:
    """The ``{index}`` of a table route; a path segment that is no small decimal number names no table."""
    if not _TABLE_INDEX.match(value):
        raise NotFoundError("no such table")
    return int(value)


def edit_table(service: JobService, job_id: str, index: str, body: dict[str, Any]) -> dict[str, Any]:
    """``PUT /api/jobs/{jobId}/tables/{index}`` → the job's view with fresh result links."""
    position = table_index(index)
    edit = parse_table_edit(body)
    job = edit_table_in(service, job_id, position, edit)
    return job_view(job, service.result_links(job))
