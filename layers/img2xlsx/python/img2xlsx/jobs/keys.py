"""Names: job ids (unguessable capabilities), the object keys of uploads and results, and the content types
an upload may have (with the file extension each is stored under)."""

from __future__ import annotations

import ipaddress
import re
import secrets
from pathlib import PurePosixPath

# What the engine's loader reads (loader.SUPPORTED_FORMATS, and PDFs), by the MIME types browsers send.
ACCEPTED_CONTENT_TYPES: dict[str, str] = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/tiff": ".tiff",
    "image/bmp": ".bmp",
    "image/gif": ".gif",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "image/avif": ".avif",
    "application/pdf": ".pdf",
}

UPLOAD_PREFIX = "uploads/"
RESULT_PREFIX = "results/"
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def new_job_id() -> str:
    """144 random bits, URL- and S3-key-safe: ids are capabilities, so they must be unguessable. Never led by
    '-': ids are passed on command lines (`make invoke JOB=...`), where a leading dash reads as an option."""
    while True:
        job_id = secrets.token_urlsafe(18)
        if not job_id.startswith("-"):
            return job_id


def is_job_id(value: str) -> bool:
    return bool(_JOB_ID.match(value))


def safe_stem(filename: str) -> str:
    """A file-system and S3-safe stem of the user's file name (used for the upload and result keys)."""
    base = PurePosixPath(filename.replace("\\", "/")).name
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    cleaned = _UNSAFE.sub("_", stem).strip("._-")[:80]
    return cleaned or "table"


def client_key(address: str) -> str:
    """Who a request comes from, for per-client limits: the IPv4 address, or the /64 of an IPv6 address
    (one host commonly holds a whole /64, so single v6 addresses would be free for it to rotate)."""
    text = address.strip()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text[:64]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip.ipv4_mapped or ip) if isinstance(ip, ipaddress.IPv6Address) else str(ip)


def normalise_content_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def upload_key(job_id: str, filename: str, content_type: str) -> str:
    """``uploads/<jobId>/<stem><ext>``: the file's own extension when it looks like one, else the type's."""
    ext = PurePosixPath(filename).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,5}", ext):
        ext = ACCEPTED_CONTENT_TYPES[content_type]
    return f"{UPLOAD_PREFIX}{job_id}/{safe_stem(filename)}{ext}"


def result_keys(job_id: str, filename: str) -> tuple[str, str]:
    """(workbook key, JSON preview key) of a job's results."""
    stem = safe_stem(filename)
    return f"{RESULT_PREFIX}{job_id}/{stem}.xlsx", f"{RESULT_PREFIX}{job_id}/{stem}.json"


def job_id_from_key(key: str) -> str | None:
    """``uploads/<jobId>/<name>`` → jobId; None for any other key."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] + "/" != UPLOAD_PREFIX or not parts[2] or not is_job_id(parts[1]):
        return None
    return parts[1]
