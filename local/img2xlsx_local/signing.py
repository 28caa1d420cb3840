"""HMAC signatures for local presigned URLs and POST policies: local uploads obey the rules S3 enforces."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from pathlib import Path
from typing import Any

ALGORITHM = "IMG2XLSX-HMAC-SHA256"


def load_or_create_secret(path: Path) -> bytes:
    """The server's signing key, kept in the data folder so URLs stay valid across restarts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(key)
    tmp.chmod(0o600)
    tmp.replace(path)
    return key


def sign(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def verify(secret: bytes, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, message), signature)


def encode_policy(policy: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(policy, separators=(",", ":")).encode()).decode()


def decode_policy(encoded: str) -> dict[str, Any]:
    """Raises ValueError when the policy is not base64 JSON of an object."""
    try:
        data = json.loads(base64.b64decode(encoded, validate=True))
    except (ValueError, TypeError) as exc:
        raise ValueError("policy is not base64-encoded JSON") from exc
    if not isinstance(data, dict):
        raise ValueError("policy is not a JSON object")
    return data
