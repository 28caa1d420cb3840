"""The local bucket enforces the signed POST policy the way S3 does, and its GET links expire."""

from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path

import pytest
from img2xlsx.errors import ImageTooLargeError
from img2xlsx_local import signing
from img2xlsx_local.objects import LocalObjectStore, S3Error

KEY = "uploads/abcdefghijklmnop1234/scan.png"


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path, secret=b"k" * 32)


def post(store: LocalObjectStore, fields: dict[str, str], data: bytes) -> str:
    return store.accept_post(fields, io.BytesIO(data), len(data))


def rejected(store: LocalObjectStore, fields: dict[str, str], data: bytes) -> S3Error:
    with pytest.raises(S3Error) as info:
        post(store, fields, data)
    assert not (store.objects / KEY).exists(), "a refused upload must not be stored"
    return info.value


def test_valid_upload_is_stored_with_its_content_type(store: LocalObjectStore) -> None:
    form = store.presign_upload(KEY, "image/png", 100, 60)
    assert post(store, dict(form.fields), b"x" * 100) == KEY
    assert store.get_bytes(KEY) == b"x" * 100
    assert store.size(KEY) == 100
    url = store.presign_download(KEY, 60)
    query = url.partition("?")[2]
    params = dict(p.split("=", 1) for p in query.split("&"))
    assert store.open_download(KEY, params).content_type == "image/png"


@pytest.mark.parametrize(
    ("size", "status", "code"),
    [(101, 400, "EntityTooLarge"), (0, 400, "EntityTooSmall")],
)
def test_size_outside_the_policy_range(store: LocalObjectStore, size: int, status: int, code: str) -> None:
    form = store.presign_upload(KEY, "image/png", 100, 60)
    err = rejected(store, dict(form.fields), b"x" * size)
    assert (err.status, err.code) == (status, code)
    assert f"<Code>{code}</Code>" in err.to_xml()


def test_other_key_or_content_type_is_denied(store: LocalObjectStore) -> None:
    form = store.presign_upload(KEY, "image/png", 100, 60)
    for name, value in (("key", "uploads/abcdefghijklmnop1234/other.png"), ("Content-Type", "text/html")):
        fields = dict(form.fields) | {name: value}
        err = rejected(store, fields, b"x")
        assert (err.status, err.code) == (403, "AccessDenied")
        assert "Policy Condition failed" in err.message and name in err.message


def test_expired_policy_is_denied(store: LocalObjectStore) -> None:
    form = store.presign_upload(KEY, "image/png", 100, -1)
    err = rejected(store, dict(form.fields), b"x")
    assert (err.status, err.code) == (403, "AccessDenied")
    assert "expired" in err.message


def test_tampered_policy_fails_the_signature(store: LocalObjectStore) -> None:
    form = store.presign_upload(KEY, "image/png", 100, 60)
    policy = json.loads(base64.b64decode(form.fields["policy"]))
    policy["conditions"][3] = ["content-length-range", 1, 10**9]
    fields = dict(form.fields) | {"policy": signing.encode_policy(policy)}
    err = rejected(store, fields, b"x" * 1000)
    assert (err.status, err.code) == (403, "SignatureDoesNotMatch")


def test_policy_signed_with_another_secret_is_refused(tmp_path: Path, store: LocalObjectStore) -> None:
    other = LocalObjectStore(tmp_path / "other", secret=b"z" * 32)
    form = other.presign_upload(KEY, "image/png", 100, 60)
    assert rejected(store, dict(form.fields), b"x").code == "SignatureDoesNotMatch"


def test_fields_not_covered_by_the_policy_are_denied(store: LocalObjectStore) -> None:
    form = store.presign_upload(KEY, "image/png", 100, 60)
    err = rejected(store, dict(form.fields) | {"x-amz-meta-owner": "me"}, b"x")
    assert (err.status, err.code) == (403, "AccessDenied")
    assert "Extra input fields: x-amz-meta-owner" in err.message


def test_missing_policy_is_a_bad_request(store: LocalObjectStore) -> None:
    form = store.presign_upload(KEY, "image/png", 100, 60)
    fields = {k: v for k, v in form.fields.items() if k != "policy"}
    err = rejected(store, fields, b"x")
    assert (err.status, err.code) == (400, "InvalidArgument")


@pytest.mark.parametrize("key", ["../escape.png", "/abs.png", "uploads//x.png", "a/./b", "a\\b", ""])
def test_keys_cannot_leave_the_folder(store: LocalObjectStore, key: str) -> None:
    with pytest.raises(ValueError):
        store.presign_upload(key, "image/png", 100, 60)
    with pytest.raises(ValueError):
        store.put_bytes(key, b"x", "image/png")


def test_download_links_are_signed_and_expire(store: LocalObjectStore) -> None:
    store.put_bytes(
        "results/j/t.xlsx", b"PK..", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    url = store.presign_download("results/j/t.xlsx", 60, filename="t.xlsx")
    params = dict(p.split("=", 1) for p in url.partition("?")[2].split("&"))
    obj = store.open_download("results/j/t.xlsx", params)
    assert obj.filename == "t.xlsx" and obj.path.read_bytes() == b"PK.."
    with pytest.raises(S3Error) as bad:
        store.open_download("results/j/other.xlsx", params)  # signature is for another key
    assert bad.value.code == "SignatureDoesNotMatch"
    with pytest.raises(S3Error) as forged:
        store.open_download("results/j/t.xlsx", params | {"X-Expires": str(int(time.time()) + 9999)})
    assert forged.value.code == "SignatureDoesNotMatch"
    old = store.presign_download("results/j/t.xlsx", -5)
    old_params = dict(p.split("=", 1) for p in old.partition("?")[2].split("&"))
    with pytest.raises(S3Error) as expired:
        store.open_download("results/j/t.xlsx", old_params)
    assert (expired.value.status, expired.value.message) == (403, "Request has expired")


def test_get_bytes_limits_and_missing_objects(store: LocalObjectStore) -> None:
    store.put_bytes("uploads/a/b.png", b"x" * 10, "image/png")
    assert store.get_bytes("uploads/a/b.png", max_bytes=10) == b"x" * 10
    with pytest.raises(ImageTooLargeError):
        store.get_bytes("uploads/a/b.png", max_bytes=9)
    assert store.size("uploads/a/missing.png") is None
    with pytest.raises(KeyError):
        store.get_bytes("uploads/a/missing.png")


def test_secret_survives_restarts(tmp_path: Path) -> None:
    first = signing.load_or_create_secret(tmp_path / "secret.key")
    assert len(first) == 32
    assert signing.load_or_create_secret(tmp_path / "secret.key") == first
