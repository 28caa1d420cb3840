"""Dead-letter path: conversions Lambda gave up on arrive here (async on-failure destination → SQS) and their
jobs are marked ``failed`` with a reason, so no upload ends in silence.

Each SQS message body is a Lambda destination record: ``requestContext.condition`` says why Lambda gave up
(``RetriesExhausted`` or ``EventAgeExceeded``), ``requestPayload`` is the original S3 event. A message that
cannot be handled (the job table is unreachable) is reported as a batch item failure and stays in the queue.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.typing import LambdaContext
from img2xlsx.jobs.keys import job_id_from_key
from img2xlsx.jobs.observability import observability
from img2xlsx.jobs.wiring import get_service

obs = observability("img2xlsx-failures")
logger = obs.logger

REASONS = {
    "RetriesExhausted": "The conversion failed repeatedly because of an internal error; please try again.",
    "EventAgeExceeded": "The conversion could not start in time because the service is busy; try again.",
}
DEFAULT_REASON = "The conversion failed because of an internal error; please try again later."


def _keys(payload: Any) -> list[str]:
    """The decoded object keys of the original S3 event."""
    keys = []
    for record in (payload or {}).get("Records") or []:
        key = (record.get("s3") or {}).get("object", {}).get("key")
        if isinstance(key, str) and key:
            keys.append(unquote_plus(key))
    return keys


def fail_from_record(body: dict[str, Any]) -> list[str]:
    """Mark the jobs of one destination record failed; returns the job ids that were moved to ``failed``."""
    condition = (body.get("requestContext") or {}).get("condition", "")
    reason = REASONS.get(condition, DEFAULT_REASON)
    response = body.get("responsePayload")
    error = response.get("errorMessage") if isinstance(response, dict) else None
    failed = []
    for key in _keys(body.get("requestPayload")):
        job_id = job_id_from_key(key)
        logger.set_correlation_id(job_id or key)
        logger.error("conversion gave up", extra={"key": key, "condition": condition, "last_error": error})
        job = get_service().fail_upload(key, reason)
        if job is not None:
            failed.append(job.job_id)
            obs.count("JobsDeadLettered")
    return failed


@obs.lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failures = []
    for message in event.get("Records") or []:
        obs.count("DeadLettersReceived")
        try:
            body = json.loads(message.get("body") or "{}")
            if isinstance(body, dict):
                fail_from_record(body)
            else:
                logger.error("dead-letter message is not a JSON object; dropped")
        except json.JSONDecodeError:
            logger.error("dead-letter message is not JSON; dropped", extra={"body": message.get("body")})
        except Exception:
            logger.exception("could not record a dead-lettered job; the message stays in the queue")
            failures.append({"itemIdentifier": message.get("messageId")})
    return {"batchItemFailures": failures}
