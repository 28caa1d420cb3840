"""HTTP API for conversion jobs (API Gateway HTTP API, payload v2): a thin adapter over ``JobService``.

POST /api/jobs          {"filename", "contentType", "size"}
        → 201 {"jobId", "upload": {"url", "fields"}, "expiresAt"} | 400/413/415/429 {"message"}
GET  /api/jobs/{jobId}  → {"jobId", "status", "error"?, "result"?: {"xlsxUrl", "jsonUrl", "tables"}} | 404
                          (HEAD: the same status and headers, no body)
PUT  /api/jobs/{jobId}/tables/{index}   {"nRows", "nCols", "nHeaderRows", "cells"}
        → the job as GET shows it, with fresh links | 400/404/409/413/415 {"message"}
Any other method on these paths: 405 with ``Allow``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import job_api
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from img2xlsx.jobs.errors import RequestError, TooManyRequestsError
from img2xlsx.jobs.observability import observability
from img2xlsx.jobs.wiring import get_service

obs = observability("img2xlsx-api")
logger, tracer = obs.logger, obs.tracer
app = APIGatewayHttpResolver()

NO_STORE = {"Cache-Control": "no-store"}
# Path -> the methods it answers (what a 405's Allow lists); kept in step with the routes below by a test.
ALLOWED: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"^/api/jobs/?$"), ("POST",)),
    (re.compile(r"^/api/jobs/[^/]+/?$"), ("GET", "HEAD")),
    (re.compile(r"^/api/jobs/[^/]+/tables/[^/]+/?$"), ("PUT",)),
]


def _reply(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body),
        headers=dict(NO_STORE) | (headers or {}),
    )


def _refused(exc: RequestError, metric: str) -> Response:
    status = job_api.http_status(exc)
    logger.info("request refused", extra={"status": status, "reason": exc.message})
    obs.count(metric)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequestsError) else None
    return _reply(status, {"message": exc.message}, headers)


def _json_body() -> dict[str, Any]:
    """The request's JSON object; ``RequestError`` (415/413/400) for a body of another type, too large a
    body, or one that is no JSON object."""
    event = app.current_event
    job_api.check_json_request(event.headers.get("content-type"), event.decoded_body)
    try:
        body = json.loads(event.decoded_body or "")
    except (ValueError, TypeError, RecursionError):  # RecursionError: "[[[[..." nested too deep
        body = None
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object")
    return body


def client_address() -> str:
    """The caller's address: the viewer address CloudFront forwards (it sets the header itself, overwriting
    any sent by the client), else the connection's source IP (direct calls, the local stack)."""
    event = app.current_event
    viewer = event.headers.get("cloudfront-viewer-address") or ""
    if viewer:
        return viewer.rsplit(":", 1)[0].strip("[]")  # "203.0.113.9:4567", "[2001:db8::1]:4567"
    return str(event.request_context.http.source_ip or "")


@app.post("/api/jobs")
@tracer.capture_method
def create_job() -> Response:
    try:
        created = job_api.create_job(get_service(), _json_body(), client=client_address())
    except RequestError as exc:
        return _refused(exc, "JobsRejected")
    job = created.job
    logger.set_correlation_id(job.job_id)
    logger.info("job created", extra={"content_type": job.content_type, "size": job.size})
    obs.count("JobsCreated")
    return _reply(201, job_api.created_view(created))


@app.route("/api/jobs/<job_id>", method=["GET", "HEAD"])
@tracer.capture_method
def get_job(job_id: str) -> Response:
    logger.set_correlation_id(job_id)
    obs.count("JobStatusRequests")
    view = job_api.get_job(get_service(), job_id)
    if view is None:
        return _reply(404, {"message": "no such job (it may have expired)"})
    return _reply(200, view)


@app.put("/api/jobs/<job_id>/tables/<index>")
@tracer.capture_method
def edit_table(job_id: str, index: str) -> Response:
    logger.set_correlation_id(job_id)
    try:
        view = job_api.edit_table(get_service(), job_id, index, _json_body())
    except RequestError as exc:
        return _refused(exc, "EditsRejected")
    logger.info("table edited", extra={"table": index})
    obs.count("TablesEdited")
    return _reply(200, view)


@app.not_found
def not_found(_: Exception) -> Response:
    path, method = app.current_event.path, app.current_event.http_method.upper()
    for pattern, methods in ALLOWED:
        if pattern.match(path) and method not in methods:  # (an allowed method here: an id no route takes)
            return _reply(
                405,
                {"message": f"{method} is not allowed here; use {', '.join(methods)}"},
                {"Allow": ", ".join(methods)},
            )
    return _reply(404, {"message": "not found"})


@app.exception_handler(Exception)
def internal_error(exc: Exception) -> Response:
    logger.exception("unhandled error")
    obs.count("ApiErrors")
    return _reply(500, {"message": "internal error; please try again"})


@obs.lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    reply: dict[str, Any] = app.resolve(event, context)
    if str(event.get("requestContext", {}).get("http", {}).get("method", "")).upper() == "HEAD":
        reply["body"] = ""  # HEAD answers like GET, without the body
    return reply
