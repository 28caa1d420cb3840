"""HTTP API for conversion jobs (API Gateway HTTP API, payload v2): a thin adapter over ``JobService``.

POST /api/jobs          {"filename", "contentType", "size"}
                        → 201 {"jobId", "upload": {"url", "fields"}, "expiresAt"} | 400/413/415 {"message"}
GET  /api/jobs/{jobId}  → {"jobId", "status", "error"?, "result"?: {"xlsxUrl", "jsonUrl", "tables"}} | 404
"""

from __future__ import annotations

import json
from typing import Any

import job_api
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from img2xlsx.jobs.errors import RequestError
from img2xlsx.jobs.observability import observability
from img2xlsx.jobs.wiring import get_service

obs = observability("img2xlsx-api")
logger, tracer = obs.logger, obs.tracer
app = APIGatewayHttpResolver()

NO_STORE = {"Cache-Control": "no-store"}


def _reply(status: int, body: dict[str, Any]) -> Response:
    return Response(
        status_code=status, content_type="application/json", body=json.dumps(body), headers=dict(NO_STORE)
    )


@app.post("/api/jobs")
@tracer.capture_method
def create_job() -> Response:
    try:
        body = json.loads(app.current_event.decoded_body or "")
    except (ValueError, TypeError, RecursionError):  # RecursionError: "[[[[..." nested too deep
        body = None
    if not isinstance(body, dict):
        body = None
    if body is None:
        obs.count("JobsRejected")
        return _reply(400, {"message": "the request body must be a JSON object"})
    try:
        created = job_api.create_job(get_service(), body)
    except RequestError as exc:
        status = job_api.http_status(exc)
        logger.info("job rejected", extra={"status": status, "reason": exc.message})
        obs.count("JobsRejected")
        return _reply(status, {"message": exc.message})
    job = created.job
    logger.set_correlation_id(job.job_id)
    logger.info("job created", extra={"content_type": job.content_type, "size": job.size})
    obs.count("JobsCreated")
    return _reply(201, job_api.created_view(created))


@app.get("/api/jobs/<job_id>")
@tracer.capture_method
def get_job(job_id: str) -> Response:
    logger.set_correlation_id(job_id)
    obs.count("JobStatusRequests")
    view = job_api.get_job(get_service(), job_id)
    if view is None:
        return _reply(404, {"message": "no such job (it may have expired)"})
    return _reply(200, view)


@app.not_found
def not_found(_: Exception) -> Response:
    return _reply(404, {"message": "not found"})


@app.exception_handler(Exception)
def internal_error(exc: Exception) -> Response:
    logger.exception("unhandled error")
    obs.count("ApiErrors")
    return _reply(500, {"message": "internal error; please try again"})


@obs.lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
