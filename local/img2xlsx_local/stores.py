"""Where the local stack keeps its data, and opening its stores (the same way in server and workers)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from img2xlsx.jobs.ports import Stores
from img2xlsx.jobs.settings import Settings

from .jobs import SqliteJobStore
from .objects import LocalObjectStore
from .signing import load_or_create_secret

DEFAULT_DATA_DIR = "data"


@dataclass
class LocalStores:
    root: Path
    objects: LocalObjectStore
    jobs: SqliteJobStore

    @property
    def database(self) -> Path:
        return self.jobs.path


def open_stores(data_dir: str | os.PathLike[str]) -> LocalStores:
    """``data_dir/objects`` (files), ``data_dir/jobs.sqlite`` (jobs and queued events),
    ``data_dir/secret.key`` (the HMAC key of upload and download URLs)."""
    root = Path(data_dir).resolve()
    secret = load_or_create_secret(root / "secret.key")
    return LocalStores(
        root=root,
        objects=LocalObjectStore(root, secret),
        jobs=SqliteJobStore(root / "jobs.sqlite"),
    )


def stores_from_settings(settings: Settings) -> Stores:
    """The ``local`` backend (named in ``img2xlsx.jobs.wiring``): one folder holds the objects of both
    "buckets" (their keys never overlap: ``uploads/`` vs ``results/``) and the jobs."""
    local = open_stores(settings.data_dir)
    return Stores(uploads=local.objects, results=local.objects, jobs=local.jobs)
