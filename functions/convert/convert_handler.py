"""Conversion worker: S3 ``ObjectCreated`` on ``uploads/`` → ``JobService.process_upload`` for each object.

User errors end as a ``failed`` job and return normally (no retry). Anything else is raised so Lambda retries
the event; once retries are spent the event goes to the dead-letter queue, whose handler fails the job.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.typing import LambdaContext
from img2xlsx.jobs.errors import RetryableError
from img2xlsx.jobs.keys import job_id_from_key
from img2xlsx.jobs.observability import observability
from img2xlsx.jobs.service import Outcome
from img2xlsx.jobs.wiring import get_service

obs = observability("img2xlsx-convert")
logger, tracer = obs.logger, obs.tracer

LEASE_MARGIN_SECONDS = 30.0


def object_keys(event: dict[str, Any]) -> list[str]:
    """The object keys of an S3 notification, decoded (S3 sends them URL-encoded, spaces as '+')."""
    keys = []
    for record in event.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        key = (record.get("s3") or {}).get("object", {}).get("key")
        if isinstance(key, str) and key:
            keys.append(unquote_plus(key))
    return keys


def lease_seconds(context: Any) -> float | None:
    """This invocation's hard time limit plus a margin: past it, the worker is certainly gone."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return None
    return float(remaining()) / 1000.0 + LEASE_MARGIN_SECONDS


@tracer.capture_method
def convert_one(key: str, context: Any) -> Outcome:
    logger.set_correlation_id(job_id_from_key(key) or key)
    tracer.put_annotation("key", key)
    try:
        return get_service().process_upload(key, lease_seconds=lease_seconds(context))
    except RetryableError:
        logger.exception("conversion failed; Lambda will retry", extra={"key": key})
        obs.count("ConversionErrors")
        raise


@obs.lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = []
    for key in object_keys(event):
        outcome = convert_one(key, context)
        logger.info(
            "upload processed",
            extra={
                "key": key,
                "action": outcome.action,
                "detail": outcome.detail,
                "seconds": outcome.seconds,
            },
        )
        if outcome.action == "converted":
            obs.count("ConversionsSucceeded")
            obs.seconds("ConversionSeconds", outcome.seconds)
            obs.count("TablesFound", outcome.extra.get("tables", 0))
        elif outcome.action == "failed":
            obs.count("ConversionsRejected")
        else:
            obs.count("EventsSkipped")
        outcomes.append({"key": key, "action": outcome.action, "detail": outcome.detail})
    return {"processed": outcomes}
