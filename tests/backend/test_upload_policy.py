"""The presigned POST policy, decoded: moto does not enforce its conditions, so assert them one by one."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import requests

from .conftest import UPLOADS, Backend, load_handler

job_api = load_handler("functions/api/job_api.py")


def policy_of(fields: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    return data


def conditions(policy: dict[str, Any]) -> dict[str, Any]:
    """Conditions by field: {"bucket": ...}, ["eq", "$key", ...], ["content-length-range", lo, hi]."""
    out: dict[str, Any] = {}
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            ((name, value),) = condition.items()
            out[name.lower()] = ("eq", value)
        elif condition[0] == "content-length-range":
            out["content-length-range"] = (condition[1], condition[2])
        else:
            out[condition[1].lstrip("$").lower()] = (condition[0], condition[2])
    return out


def test_policy_pins_key_type_size_and_expiry(backend: Backend) -> None:
    before = dt.datetime.now(dt.UTC)
    created = backend.service.create_job("Scan 01.jpeg", "image/jpeg", 123_456)
    fields = created.upload.fields
    policy = policy_of(fields)
    cond = conditions(policy)

    key = f"uploads/{created.job.job_id}/Scan_01.jpeg"
    assert cond["key"] == ("eq", key) and fields["key"] == key
    assert cond["bucket"] == ("eq", UPLOADS)
    assert cond["content-type"] == ("eq", "image/jpeg") and fields["Content-Type"] == "image/jpeg"
    assert cond["content-length-range"] == (1, 123_456)
    assert cond["x-amz-algorithm"] == ("eq", "AWS4-HMAC-SHA256")
    assert "x-amz-signature" in fields and "x-amz-credential" in fields

    expires = dt.datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    lifetime = (expires - before).total_seconds()
    assert 250 <= lifetime <= 310  # a short-lived form: five minutes
    # Nothing in the policy lets the browser choose another key (no starts-with) or another bucket.
    assert not any(isinstance(c, list) and c[0] == "starts-with" for c in policy["conditions"])


def test_the_form_uploads_where_the_job_expects_it(backend: Backend) -> None:
    created = backend.service.create_job("table.png", "image/png", 12)
    reply = requests.post(
        created.upload.url,
        data=created.upload.fields,
        files={"file": ("table.png", b"\x89PNG\r\n\x1a\nabcd", "image/png")},
        timeout=10,
    )
    assert reply.status_code in (200, 204)
    assert backend.service.uploads.size(created.job.upload_key) == 12
    assert job_api.get_job(backend.service, created.job.job_id)["status"] == "queued"  # type: ignore[index]
