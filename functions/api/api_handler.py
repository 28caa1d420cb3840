"""HTTP API for conversion jobs (API Gateway HTTP API, payload v2): a thin adapter over ``JobService``.

POST /api/jobs          {"filename", "contentType", "size"}
                        → 201 {"jobId", "upload": {"url", "fields"}, "expiresAt"} | 400/413/415 {"message"}
GET  /api/jobs/{jobId}  → {"jobId", "status", "error"?, "result"?: {"xlsxUrl", "jsonUrl", "tables"}} | 404
"""

from __future__ import annotations

import json
import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from img2xlsx.jobs.config import get_service
from img2xlsx.jobs.service import RequestError

logger = Logger(service="img2xlsx-api")
tracer = Tracer(service="img2xlsx-api")
metrics = Metrics(namespace="img2xlsx", service="img2xlsx-api")
if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):  # in Lambda, not when a test or the local server imports us
    # The package's own log lines (img2xlsx.*) as JSON, with this invocation's correlation id.
    copy_config_to_registered_loggers(source_logger=logger, include={"img2xlsx"})
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
        metrics.add_metric(name="JobsRejected", unit=MetricUnit.Count, value=1)
        return _reply(400, {"message": "the request body must be a JSON object"})
    try:
        created = get_service().create_job(body.get("filename"), body.get("contentType"), body.get("size"))
    except RequestError as exc:
        logger.info("job rejected", extra={"status": exc.status, "reason": exc.message})
        metrics.add_metric(name="JobsRejected", unit=MetricUnit.Count, value=1)
        return _reply(exc.status, {"message": exc.message})
    job = created.job
    logger.set_correlation_id(job.job_id)
    logger.info("job created", extra={"content_type": job.content_type, "size": job.size})
    metrics.add_metric(name="JobsCreated", unit=MetricUnit.Count, value=1)
    return _reply(
        201,
        {
            "jobId": job.job_id,
            "status": job.status,
            "upload": {"url": created.upload.url, "fields": created.upload.fields},
            "expiresAt": created.expires_at,
        },
    )


@app.get("/api/jobs/<job_id>")
@tracer.capture_method
def get_job(job_id: str) -> Response:
    logger.set_correlation_id(job_id)
    metrics.add_metric(name="JobStatusRequests", unit=MetricUnit.Count, value=1)
    view = get_service().get_job_view(job_id)
    if view is None:
        return _reply(404, {"message": "no such job (it may have expired)"})
    return _reply(200, view)


@app.not_found
def not_found(_: Exception) -> Response:
    return _reply(404, {"message": "not found"})


@app.exception_handler(Exception)
def internal_error(exc: Exception) -> Response:
    logger.exception("unhandled error")
    metrics.add_metric(name="ApiErrors", unit=MetricUnit.Count, value=1)
    return _reply(500, {"message": "internal error; please try again"})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
