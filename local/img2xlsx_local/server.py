"""``img2xlsx serve``: wire the local stores, the Lambda handlers, the worker pool and the SPA together."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote_plus

from img2xlsx.jobs.settings import Settings
from img2xlsx.jobs.wiring import get_service, service_for, use_service

from . import events
from .handlers import API_FUNCTION, REPO_ROOT, load_handler
from .stores import DEFAULT_DATA_DIR, LocalStores, open_stores
from .workers import TIMED_OUT, EventQueue, WorkerPool

log = logging.getLogger("img2xlsx.local")


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("IMG2XLSX_DATA_DIR") or DEFAULT_DATA_DIR)
    )
    workers: int = 0  # 0: one per CPU
    convert_timeout: float = 0.0  # seconds per conversion; 0: $IMG2XLSX_CONVERT_TIMEOUT or the Lambda's
    dist_dir: Path = field(
        default_factory=lambda: Path(
            os.environ.get("IMG2XLSX_FRONTEND_DIST") or REPO_ROOT / "frontend" / "dist"
        )
    )


KEEP_ALIVE_SECONDS = 5


class DataDirBusy(RuntimeError):
    pass


def lock_data_dir(root: Path) -> IO[str]:
    """One server per data folder: recovery on start assumes no other process is converting its jobs."""
    root.mkdir(parents=True, exist_ok=True)
    handle = (root / ".lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise DataDirBusy(f"another img2xlsx server is using {root}") from None
    return handle


def handler_env(data_dir: Path) -> dict[str, str]:
    """The environment the handlers read (``img2xlsx.jobs.settings``), plus quiet powertools."""
    return {
        "IMG2XLSX_BACKEND": "local",
        "IMG2XLSX_DATA_DIR": str(data_dir),
        "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1"),
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
        "POWERTOOLS_SERVICE_NAME": "img2xlsx-local",
        "AWS_REGION": os.environ.get("AWS_REGION", "local"),
    }


def recover(stores: LocalStores, queue: EventQueue) -> tuple[int, int]:
    """Make the last run's unfinished work runnable again (we hold the data-dir lock, so no worker is alive):
    ``processing`` jobs go back to ``queued``, and an upload that landed without its event gets one.
    Returns (jobs released, events re-created)."""
    released = 0
    for job in stores.jobs.with_status("processing"):
        moved = stores.jobs.transition(
            job.job_id,
            ("processing",),
            "queued",
            if_updated_at=job.updated_at,
            updated_at=round(time.time(), 3),
            lease_until=None,
        )
        released += moved is not None
    pending = {
        unquote_plus(rec["s3"]["object"]["key"])
        for _, event, _ in queue.pending()
        for rec in event.get("Records", [])
    }
    created = 0
    for job in stores.jobs.with_status("awaiting_upload", "queued"):
        size = stores.objects.size(job.upload_key)
        if size is not None and job.upload_key not in pending:
            queue.add(events.s3_object_created_event(stores.objects.bucket, job.upload_key, size))
            created += 1
    return released, created


def purge_expired(stores: LocalStores, now: float | None = None) -> int:
    """The local equivalent of the DynamoDB TTL and the buckets' lifecycle rules."""
    now = time.time() if now is None else now
    expired = stores.jobs.expired(now)
    for job in expired:
        keys = [job.upload_key]
        if job.result is not None:
            keys += [job.result.xlsx_key, job.result.json_key]
        for key in keys:
            with contextlib.suppress(ValueError):
                stores.objects.delete(key)
        stores.jobs.delete(job.job_id)
    return len(expired)


def usable_cpus() -> int:
    """CPUs this process may run on (a container or taskset may allow fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def failure_message(reason: str) -> str:
    """What the job says once the worker pool gave up on it (``reason`` is the pool's, for the log)."""
    if reason.startswith(TIMED_OUT):
        return f"The {reason}; the picture may be too large or too busy to read."
    return "The conversion failed unexpectedly; please try again."


def build_app(options: ServeOptions) -> object:
    """The ASGI app (the caller must hold the data-dir lock)."""
    from .app import create_app

    data_dir = options.data_dir.resolve()
    env = handler_env(data_dir)
    os.environ.update(env)  # the same variables the handlers would read on Lambda (worker processes do)
    settings = Settings.from_env()
    use_service(service_for(settings))  # this process's handlers: built once, from those settings
    stores = open_stores(data_dir)
    queue = EventQueue(stores.database)
    api_handler = load_handler(*API_FUNCTION)

    def keys(event: dict[str, Any]) -> list[str]:
        return [unquote_plus(rec["s3"]["object"]["key"]) for rec in event.get("Records", [])]

    def give_up(event: dict[str, Any], reason: str) -> None:
        message = failure_message(reason)
        for key in keys(event):
            get_service().fail_upload(key, message)
            log.error("gave up on %s: %s", key, reason)

    def timed_out(event: dict[str, Any]) -> None:
        for key in keys(event):
            get_service().release_upload(key)

    pool = WorkerPool(
        queue,
        options.workers or usable_cpus(),
        env,
        on_give_up=give_up,
        time_limit=options.convert_timeout or None,
        on_timeout=timed_out,
    )

    def on_startup() -> None:
        purged = purge_expired(stores)
        released, created = recover(stores, queue)
        if purged or released or created:
            log.info(
                "startup: %d expired job(s) purged, %d interrupted, %d re-queued", purged, released, created
            )

    return create_app(
        objects=stores.objects,
        pool=pool,
        api_handler=api_handler,
        dist_dir=options.dist_dir,
        on_startup=on_startup,
        max_upload_bytes=settings.max_upload_bytes,
        on_uploaded=lambda key: get_service().mark_uploaded(key),
    )


def serve(options: ServeOptions) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    try:
        lock = lock_data_dir(options.data_dir.resolve())
    except DataDirBusy as exc:
        print(f"img2xlsx serve: {exc}", file=sys.stderr)
        return 1
    try:
        try:
            app = build_app(options)
        except (RuntimeError, OSError) as exc:  # a missing handler or frontend folder, an unwritable data dir
            print(f"img2xlsx serve: {exc}", file=sys.stderr)
            return 1
        if not (options.dist_dir / "index.html").is_file():
            print(
                f"img2xlsx serve: the web app is not built ({options.dist_dir}); run `make frontend`",
                file=sys.stderr,
            )
        shown = "127.0.0.1" if options.host in ("0.0.0.0", "::") else options.host
        print(
            f"img2xlsx is running at http://{shown}:{options.port}/  (data: {options.data_dir.resolve()})",
            flush=True,
        )
        # An idle kept-alive connection closes after KEEP_ALIVE_SECONDS; a stalled request body is cut off by
        # the app (app.BodyTimeout).
        uvicorn.run(
            app,  # type: ignore[arg-type]
            host=options.host,
            port=options.port,
            log_level="warning",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
        return 0
    finally:
        lock.close()
