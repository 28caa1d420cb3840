"""Logs, traces and metrics of the Lambda handlers (AWS Lambda Powertools), set up the same way for each.

Handlers import this module, never the job service's logic: only the edges report. On Lambda the package's
own log lines (``img2xlsx.*``) are logged as JSON with the invocation's correlation id; when a test or the
local stack imports a handler they stay plain.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit

NAMESPACE = "img2xlsx"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Observability:
    logger: Logger
    tracer: Tracer
    metrics: Metrics

    def count(self, name: str, value: float = 1) -> None:
        self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

    def seconds(self, name: str, value: float) -> None:
        self.metrics.add_metric(name=name, unit=MetricUnit.Seconds, value=value)

    def lambda_handler(self, handler: F) -> F:
        """The entry point's decorators: the context in every log line (state cleared per invocation), a
        trace segment, and the metrics flushed when the invocation ends."""
        wrapped = self.logger.inject_lambda_context(clear_state=True)(
            self.tracer.capture_lambda_handler(self.metrics.log_metrics(handler))
        )
        return cast(F, wrapped)


def observability(service: str) -> Observability:
    """Logger, tracer and metrics for the function named ``service`` (e.g. ``img2xlsx-api``)."""
    logger = Logger(service=service)
    if os.environ.get(
        "AWS_LAMBDA_FUNCTION_NAME"
    ):  # in Lambda, not when a test or the local server imports us
        copy_config_to_registered_loggers(source_logger=logger, include={"img2xlsx"})
    return Observability(
        logger=logger, tracer=Tracer(service=service), metrics=Metrics(namespace=NAMESPACE, service=service)
    )
