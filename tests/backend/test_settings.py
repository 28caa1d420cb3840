"""One Settings object: read from the environment once, checked once, with errors a deployer can act on."""

from __future__ import annotations

import pytest
from img2xlsx.jobs.settings import MB, Settings, SettingsError
from img2xlsx.jobs.wiring import service_from_env

AWS = {"UPLOADS_BUCKET": "up", "RESULTS_BUCKET": "res", "JOBS_TABLE": "jobs"}


def test_defaults_and_overrides_from_the_environment() -> None:
    assert Settings.from_env(AWS) == Settings(uploads_bucket="up", results_bucket="res", jobs_table="jobs")
    s = Settings.from_env(
        {
            **AWS,
            "MAX_UPLOAD_BYTES": "1048576",
            "JOB_TTL_DAYS": "0.5",
            "LEASE_SECONDS": "42.5",
            "AWS_REGION": "x",
        }
    )
    assert (s.max_upload_bytes, s.job_ttl, s.lease_seconds, s.region) == (MB, 43200, 42.5, "x")
    with pytest.raises(AttributeError):
        s.max_upload_bytes = 1  # type: ignore[misc]  # frozen: read once, never changed


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({}, "UPLOADS_BUCKET is not set"),
        ({**AWS, "JOBS_TABLE": " "}, "JOBS_TABLE is not set"),
        ({"IMG2XLSX_BACKEND": "local"}, "IMG2XLSX_DATA_DIR is not set"),
        ({"IMG2XLSX_BACKEND": "gcs"}, "must be 'aws' or 'local', not 'gcs'"),
        ({**AWS, "MAX_UPLOAD_BYTES": "20MB"}, "not a number"),
        ({**AWS, "MAX_UPLOAD_BYTES": "0"}, "max_upload_bytes must be positive"),
        ({**AWS, "MAX_ATTEMPTS": "0"}, "max_attempts must be at least 1"),
    ],
)
def test_a_broken_environment_is_refused_at_start_up(env: dict[str, str], words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings.from_env(env)


def test_the_local_backend_builds_on_a_data_folder(tmp_path: object) -> None:
    service = service_from_env({"IMG2XLSX_BACKEND": "local", "IMG2XLSX_DATA_DIR": str(tmp_path)})
    created = service.create_job("a.png", "image/png", 3)
    service.uploads.put_bytes(created.job.upload_key, b"abc", "image/png")
    assert service.uploads.size(created.job.upload_key) == 3
    assert service.settings.backend == "local" and service.jobs.get(created.job.job_id) is not None
