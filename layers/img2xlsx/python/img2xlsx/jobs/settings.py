"""The job service's settings: one frozen object, read from the environment once and checked once, the same
way on Lambda (template.yaml sets the variables) and on the local stack (``img2xlsx serve`` sets them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .sizes import MB as MB  # re-exported: the unit every limit is given in

BACKENDS = ("aws", "local")


class SettingsError(RuntimeError):
    """The environment does not describe a usable service (a missing bucket name, a limit that is no
    number); raised at start-up, before any request is served."""


@dataclass(frozen=True)
class Settings:
    max_upload_bytes: int = 20 * MB
    upload_url_ttl: int = 300  # seconds a presigned POST stays usable
    download_url_ttl: int = 900  # seconds a result link stays usable
    job_ttl: int = 7 * 24 * 3600  # the job record's lifetime (the store's TTL)
    # How long a worker holds a job. Must exceed the worker's own time limit (so a lapsed lease means the
    # worker is dead) yet end before the platform's first retry (so the retry can take the job over); the
    # Lambda handler passes its exact remaining time instead.
    lease_seconds: float = 180.0
    max_attempts: int = 3  # conversions started for one job before it is failed for good
    upload_grace: int = 900  # after the form expires, time for an upload that started in time to finish
    # A job queued (or with a lapsed lease) this long was lost by every retry and the dead-letter path too;
    # longer than Lambda's event age limit (1 h) plus its retries.
    stall_timeout: int = 2 * 3600
    # Jobs whose upload form is still open (awaiting_upload, created within upload_url_ttl), per client
    # (source IP, an IPv6 /64) and in total; past either, job creation answers 429. An honest client has a
    # handful open (the SPA creates one per dropped file and uploads at once; `make loadtest` keeps 4 open),
    # so the per-client bound is a batch of files far larger than anyone drops at once.
    max_pending_uploads_per_client: int = 100
    max_pending_uploads: int = 2000
    # Where files and job records live: ``aws`` (S3 buckets + DynamoDB table) or ``local`` (a data folder).
    backend: str = "aws"
    uploads_bucket: str = ""
    results_bucket: str = ""
    jobs_table: str = ""
    region: str | None = None
    data_dir: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Every variable the service reads, in one place; raises ``SettingsError`` if they do not add up."""
        env = os.environ if env is None else env
        d = cls()
        try:
            settings = cls(
                max_upload_bytes=int(env.get("MAX_UPLOAD_BYTES", d.max_upload_bytes)),
                upload_url_ttl=int(env.get("UPLOAD_URL_TTL", d.upload_url_ttl)),
                download_url_ttl=int(env.get("DOWNLOAD_URL_TTL", d.download_url_ttl)),
                job_ttl=int(float(env["JOB_TTL_DAYS"]) * 86400) if env.get("JOB_TTL_DAYS") else d.job_ttl,
                lease_seconds=float(env.get("LEASE_SECONDS", d.lease_seconds)),
                max_attempts=int(env.get("MAX_ATTEMPTS", d.max_attempts)),
                max_pending_uploads_per_client=int(
                    env.get("MAX_PENDING_UPLOADS_PER_CLIENT", d.max_pending_uploads_per_client)
                ),
                max_pending_uploads=int(env.get("MAX_PENDING_UPLOADS", d.max_pending_uploads)),
                backend=env.get("IMG2XLSX_BACKEND", d.backend).strip().lower(),
                uploads_bucket=env.get("UPLOADS_BUCKET", "").strip(),
                results_bucket=env.get("RESULTS_BUCKET", "").strip(),
                jobs_table=env.get("JOBS_TABLE", "").strip(),
                region=env.get("AWS_REGION") or None,
                data_dir=env.get("IMG2XLSX_DATA_DIR", "").strip(),
            )
        except ValueError as exc:
            raise SettingsError(f"a numeric setting is not a number: {exc}") from exc
        settings.check()
        return settings

    def check(self) -> None:
        """The store settings the chosen backend needs are present, and the limits are positive."""
        if self.backend not in BACKENDS:
            raise SettingsError(f"IMG2XLSX_BACKEND must be 'aws' or 'local', not {self.backend!r}")
        needed = {
            "aws": {
                "UPLOADS_BUCKET": self.uploads_bucket,
                "RESULTS_BUCKET": self.results_bucket,
                "JOBS_TABLE": self.jobs_table,
            },
            "local": {"IMG2XLSX_DATA_DIR": self.data_dir},
        }[self.backend]
        for name, value in needed.items():
            if not value:
                raise SettingsError(f"environment variable {name} is not set")
        for name in (
            "max_upload_bytes",
            "upload_url_ttl",
            "download_url_ttl",
            "job_ttl",
            "lease_seconds",
            "max_pending_uploads_per_client",
            "max_pending_uploads",
        ):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name} must be positive, not {getattr(self, name)}")
        if self.max_attempts < 1:
            raise SettingsError(f"max_attempts must be at least 1, not {self.max_attempts}")
