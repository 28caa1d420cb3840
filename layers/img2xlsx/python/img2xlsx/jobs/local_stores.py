"""The local stack's stores for ``IMG2XLSX_BACKEND=local`` (see ``config.stores_from_env``): one folder holds
the objects of both "buckets" (their keys never overlap: ``uploads/`` vs ``results/``) and the jobs."""

from __future__ import annotations

from collections.abc import Mapping

from ..local.stores import open_stores
from .config import Stores


def stores_from_env(env: Mapping[str, str]) -> Stores:
    data_dir = env.get("IMG2XLSX_DATA_DIR", "").strip()
    if not data_dir:
        raise RuntimeError("environment variable IMG2XLSX_DATA_DIR is not set")
    local = open_stores(data_dir)
    return Stores(uploads=local.objects, results=local.objects, jobs=local.jobs)
