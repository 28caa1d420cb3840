"""A folder that behaves like the S3 bucket: presigned POST uploads checked against a signed policy (key,
size range, content type, expiry — violations answered with S3's status codes), and expiring GET URLs."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode

from img2xlsx.errors import ImageTooLargeError
from img2xlsx.jobs.ports import PresignedUpload
from img2xlsx.jobs.sizes import megabytes

from . import signing

UPLOAD_PATH = "/_local/upload"
OBJECTS_PATH = "/_local/objects/"
# Form fields S3 never requires a policy condition for.
_UNCHECKED_FIELDS = frozenset({"policy", "x-amz-signature", "file"})


class S3Error(Exception):
    """An error the way S3 reports it: HTTP status, error code and message (rendered as S3's XML)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_xml(self) -> str:
        from xml.sax.saxutils import escape

        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(self.code)}</Code><Message>{escape(self.message)}</Message></Error>"
        )


def _denied(message: str) -> S3Error:
    return S3Error(403, "AccessDenied", message)


def _condition_failed(op: str, name: str, expected: object) -> S3Error:
    return _denied(f'Invalid according to Policy: Policy Condition failed: ["{op}", "${name}", "{expected}"]')


@dataclass
class StoredObject:
    path: Path
    content_type: str
    filename: str | None


class LocalObjectStore:
    """Objects live under ``root/objects``; their content types in ``root/objects-meta``.

    URLs are root-relative (``/_local/...``) so they work whichever host name the page was opened with.
    """

    def __init__(self, root: str | os.PathLike[str], secret: bytes, bucket: str = "local") -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.meta = self.root / "objects-meta"
        self.objects.mkdir(parents=True, exist_ok=True)
        self.meta.mkdir(parents=True, exist_ok=True)
        self.secret = secret
        self.bucket = bucket

    # ---- the ObjectStore port -------------------------------------------------------------------------
    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedUpload:
        self._path(key)  # reject unusable keys now rather than at upload time
        expiration = dt.datetime.fromtimestamp(time.time() + expires_in, tz=dt.UTC)
        policy = {
            "expiration": expiration.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conditions": [
                {"bucket": self.bucket},
                {"key": key},
                {"Content-Type": content_type},
                ["content-length-range", 1, int(max_bytes)],
                {"x-amz-algorithm": signing.ALGORITHM},
            ],
        }
        encoded = signing.encode_policy(policy)
        fields = {
            "key": key,
            "Content-Type": content_type,
            "x-amz-algorithm": signing.ALGORITHM,
            "policy": encoded,
            "x-amz-signature": signing.sign(self.secret, encoded),
        }
        return PresignedUpload(url=UPLOAD_PATH, fields=fields)

    def presign_download(self, key: str, expires_in: int, filename: str | None = None) -> str:
        self._path(key)
        expires = int(time.time() + expires_in)
        params = {"X-Expires": str(expires)}
        if filename:
            params["filename"] = filename
        params["X-Signature"] = signing.sign(self.secret, _download_message(key, expires, filename))
        return OBJECTS_PATH + quote(key) + "?" + urlencode(params)

    def get_bytes(self, key: str, max_bytes: int | None = None) -> bytes:
        """Raises KeyError if missing and ImageTooLargeError past ``max_bytes`` (as the S3 store does)."""
        path = self._existing(key)
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise ImageTooLargeError(f"the file is larger than {megabytes(max_bytes)} (the limit)")
        return path.read_bytes()

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self._write(key, content_type, lambda fh: fh.write(data))

    def size(self, key: str) -> int | None:
        try:
            return self._existing(key).stat().st_size
        except KeyError:
            return None

    # ---- used by the local server's routes ------------------------------------------------------------
    def accept_post(self, fields: Mapping[str, str], file: IO[bytes], file_size: int) -> str:
        """Check a POST upload against its signed policy exactly as S3 would, then store it; returns the key.

        Raises S3Error (400/403 with S3's codes) on any violation; nothing is stored then.
        """
        policy = self._verified_policy(fields)
        self._check_conditions(policy, fields, file_size)
        key = fields["key"]
        self._write(key, fields.get("Content-Type", "binary/octet-stream"), lambda fh: _copy(file, fh))
        return key

    def open_download(self, key: str, params: Mapping[str, str]) -> StoredObject:
        """Resolve a presigned GET; S3Error 403 for a bad or expired signature, 404 for a missing key."""
        signature = params.get("X-Signature", "")
        filename = params.get("filename") or None
        try:
            expires = int(params.get("X-Expires", ""))
        except ValueError:
            raise _denied(
                "Query-string authentication requires the X-Signature and X-Expires parameters"
            ) from None
        if not signing.verify(self.secret, _download_message(key, expires, filename), signature):
            raise S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
        if time.time() > expires:
            raise _denied("Request has expired")
        try:
            path = self._existing(key)
        except KeyError:
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.") from None
        return StoredObject(path=path, content_type=self._content_type(key), filename=filename)

    def keys(self) -> Iterable[str]:
        for path in self.objects.rglob("*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                yield path.relative_to(self.objects).as_posix()

    def delete(self, key: str) -> None:
        for path in (self._path(key), self._meta_path(key)):
            path.unlink(missing_ok=True)

    # ---- internals ------------------------------------------------------------------------------------
    def _verified_policy(self, fields: Mapping[str, str]) -> dict[str, Any]:
        for name in ("key", "policy", "x-amz-signature", "x-amz-algorithm"):
            if not fields.get(name):
                raise S3Error(400, "InvalidArgument", f"Bucket POST must contain a field named '{name}'.")
        if fields["x-amz-algorithm"] != signing.ALGORITHM:
            raise S3Error(400, "InvalidArgument", "Unsupported x-amz-algorithm.")
        if not signing.verify(self.secret, fields["policy"], fields["x-amz-signature"]):
            raise S3Error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        try:
            policy = signing.decode_policy(fields["policy"])
            expiration = dt.datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00"))
            conditions = policy["conditions"]
            if not isinstance(conditions, list):
                raise ValueError("conditions")
        except (KeyError, ValueError) as exc:
            raise S3Error(400, "InvalidPolicyDocument", f"Invalid Policy: {exc}") from None
        if dt.datetime.now(tz=dt.UTC) > expiration:
            raise _denied("Invalid according to Policy: Policy expired.")
        return policy

    def _check_conditions(self, policy: dict[str, Any], fields: Mapping[str, str], file_size: int) -> None:
        covered: set[str] = {"bucket"}
        size_range: tuple[int, int] | None = None
        for cond in policy["conditions"]:
            if isinstance(cond, dict):
                for name, expected in cond.items():
                    covered.add(name.lower())
                    actual = self.bucket if name == "bucket" else _field(fields, name)
                    if actual != expected:
                        raise _condition_failed("eq", name, expected)
            elif isinstance(cond, list) and len(cond) == 3 and cond[0] == "content-length-range":
                size_range = (int(cond[1]), int(cond[2]))
            elif isinstance(cond, list) and len(cond) == 3 and cond[0] in ("eq", "starts-with"):
                name = str(cond[1]).lstrip("$")
                covered.add(name.lower())
                actual = _field(fields, name) or ""
                ok = actual == cond[2] if cond[0] == "eq" else actual.startswith(str(cond[2]))
                if not ok:
                    raise _condition_failed(cond[0], name, cond[2])
        extra = sorted(n for n in fields if n.lower() not in covered and n.lower() not in _UNCHECKED_FIELDS)
        if extra:
            raise _denied(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")
        if size_range is not None:
            low, high = size_range
            if file_size > high:
                raise S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            if file_size < low:
                raise S3Error(
                    400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
                )

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if (
            not key
            or key.startswith("/")
            or "\\" in key
            or "\x00" in key
            or any(p in ("", ".", "..") for p in parts)
        ):
            raise ValueError(f"unusable object key: {key!r}")
        return self.objects.joinpath(*parts)

    def _meta_path(self, key: str) -> Path:
        return self.meta.joinpath(*key.split("/")).with_name(key.split("/")[-1] + ".json")

    def _existing(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise KeyError(key)
        return path

    def _content_type(self, key: str) -> str:
        try:
            return str(json.loads(self._meta_path(key).read_text())["content_type"])
        except (OSError, ValueError, KeyError):
            return "binary/octet-stream"

    def _write(self, key: str, content_type: str, fill: Any) -> None:
        """Write to a temporary file and rename it into place: readers never see half an object."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fill(fh)
            meta = self._meta_path(key)
            meta.parent.mkdir(parents=True, exist_ok=True)
            meta.write_text(json.dumps({"content_type": content_type}))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _field(fields: Mapping[str, str], name: str) -> str | None:
    """Form field names are matched case-insensitively, as S3 does."""
    lowered = name.lower()
    for key, value in fields.items():
        if key.lower() == lowered:
            return value
    return None


def _download_message(key: str, expires: int, filename: str | None) -> str:
    return f"GET\n{key}\n{expires}\n{filename or ''}"


def _copy(src: IO[bytes], dst: IO[bytes]) -> None:
    src.seek(0)
    while chunk := src.read(1 << 20):
        dst.write(chunk)
