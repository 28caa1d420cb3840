"""Build the job service from environment variables, so the same handlers run on AWS and on the local stack.

``IMG2XLSX_BACKEND`` picks the stores: ``aws`` (default; needs ``UPLOADS_BUCKET``, ``RESULTS_BUCKET`` and
``JOBS_TABLE``) or ``local`` (``img2xlsx.jobs.local_stores.stores_from_env(env)``, provided by the local
stack). A process that builds its own service (tests, the local server) hands it to :func:`use_service`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

from .ports import JobStore, ObjectStore
from .service import JobService, Settings


@dataclass
class Stores:
    uploads: ObjectStore
    results: ObjectStore
    jobs: JobStore


_service: JobService | None = None


def _require(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def settings_from_env(env: Mapping[str, str]) -> Settings:
    defaults = Settings()
    return Settings(
        max_upload_bytes=int(env.get("MAX_UPLOAD_BYTES", defaults.max_upload_bytes)),
        upload_url_ttl=int(env.get("UPLOAD_URL_TTL", defaults.upload_url_ttl)),
        download_url_ttl=int(env.get("DOWNLOAD_URL_TTL", defaults.download_url_ttl)),
        job_ttl=int(float(env["JOB_TTL_DAYS"]) * 86400) if env.get("JOB_TTL_DAYS") else defaults.job_ttl,
        lease_seconds=float(env.get("LEASE_SECONDS", defaults.lease_seconds)),
        max_attempts=int(env.get("MAX_ATTEMPTS", defaults.max_attempts)),
    )


def stores_from_env(env: Mapping[str, str]) -> Stores:
    backend = env.get("IMG2XLSX_BACKEND", "aws").strip().lower()
    if backend == "aws":
        from .aws import DynamoJobStore, S3ObjectStore, s3_client

        client = s3_client(env.get("AWS_REGION") or None)
        return Stores(
            uploads=S3ObjectStore(_require(env, "UPLOADS_BUCKET"), client),
            results=S3ObjectStore(_require(env, "RESULTS_BUCKET"), client),
            jobs=DynamoJobStore(_require(env, "JOBS_TABLE")),
        )
    if backend == "local":
        module = importlib.import_module("img2xlsx.jobs.local_stores")
        stores: Stores = module.stores_from_env(env)
        return stores
    raise RuntimeError(f"IMG2XLSX_BACKEND must be 'aws' or 'local', not {backend!r}")


def service_from_env(env: Mapping[str, str] | None = None) -> JobService:
    env = os.environ if env is None else env
    stores = stores_from_env(env)
    return JobService(stores.uploads, stores.results, stores.jobs, settings=settings_from_env(env))


def get_service() -> JobService:
    """The process-wide service: built from the environment on first use (a Lambda cold start) and reused."""
    global _service
    if _service is None:
        _service = service_from_env()
    return _service


def use_service(service: JobService | None) -> None:
    """Install a ready-made service (local server, tests); ``None`` makes the next call rebuild from env."""
    global _service
    _service = service
