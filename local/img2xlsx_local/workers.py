"""The local stand-in for S3 → Lambda async invocation: a durable event outbox (SQLite) drained by a process
pool that runs the conversion handler. An event leaves the outbox only once a handler run has finished, so
stopping or killing the server loses nothing: the next start replays what is left. Like Lambda, a failing run
is retried (twice) before the event is given up, and a run is stopped at the Lambda function's time limit
(the worker process is killed and replaced, as Lambda ends a timed-out invocation's sandbox)."""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import queue as queue_mod
import signal
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from .events import LambdaContext
from .handlers import CONVERT_FUNCTION, Handler, load_handler
from .jobs import connect, immediate

log = logging.getLogger("img2xlsx.local")

MAX_ATTEMPTS = 3  # Lambda's asynchronous invocation: the first try plus two retries
# ConvertFunction's Timeout in template.yaml (a test keeps the two equal); IMG2XLSX_CONVERT_TIMEOUT overrides.
CONVERT_TIMEOUT_SECONDS = 90.0


def convert_timeout() -> float:
    """The per-conversion time limit: the environment's override if it is a positive number."""
    try:
        value = float(os.environ.get("IMG2XLSX_CONVERT_TIMEOUT", ""))
    except ValueError:
        return CONVERT_TIMEOUT_SECONDS
    return value if value > 0 else CONVERT_TIMEOUT_SECONDS


TIMED_OUT = "conversion timed out"  # how a give-up reason for a run killed at the time limit begins


def timeout_reason(seconds: float) -> str:
    return f"{TIMED_OUT} after {seconds:g} s"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event       TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    enqueued_at REAL NOT NULL
);
"""


class EventQueue:
    """Events waiting for (or being handled by) a worker, in arrival order."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(self.path)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(_SCHEMA)
        finally:
            conn.close()

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn = connect(self.path)
        try:
            with immediate(conn):
                cur = conn.execute(sql, args)
                rows = cur.fetchall()
                return rows if rows else [(cur.lastrowid,)]
        finally:
            conn.close()

    def add(self, event: dict[str, Any]) -> int:
        return int(
            self._run(
                "INSERT INTO pending_events (event, enqueued_at) VALUES (?, ?)",
                (json.dumps(event), time.time()),
            )[0][0]
        )

    def pending(self) -> list[tuple[int, dict[str, Any], int]]:
        rows = self._run("SELECT id, event, attempts FROM pending_events ORDER BY id")
        return [(int(r[0]), json.loads(r[1]), int(r[2])) for r in rows if len(r) == 3]

    def bump(self, event_id: int) -> None:
        self._run("UPDATE pending_events SET attempts = attempts + 1 WHERE id = ?", (event_id,))

    def remove(self, event_id: int) -> None:
        self._run("DELETE FROM pending_events WHERE id = ?", (event_id,))


# ---- inside a worker process ----------------------------------------------------------------------------
_handler: Handler | None = None
_started: Any = None  # the pool's queue of (event id, pid, start time): what runs where, since when
_time_limit = CONVERT_TIMEOUT_SECONDS


def _init_worker(
    env: dict[str, str], started: Any = None, time_limit: float = CONVERT_TIMEOUT_SECONDS
) -> None:
    global _started, _time_limit
    _started, _time_limit = started, time_limit
    # Ctrl+C in a terminal reaches the whole process group: the server stops the workers itself, and a
    # conversion cut short by the keystroke must not count as a failed attempt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.filterwarnings("ignore", message="No application metrics")  # metrics are off locally
    os.environ.update(env)


def _handle(event: dict[str, Any]) -> None:
    global _handler
    if _handler is None:
        _handler = load_handler(*CONVERT_FUNCTION)
    # The context's deadline sets the job's lease: the time limit plus the handler's margin.
    _handler(event, LambdaContext("img2xlsx-convert-local", timeout_s=_time_limit))


def _run(handle: Callable[[dict[str, Any]], None], event_id: int, event: dict[str, Any]) -> None:
    """Tell the pool's watchdog which process runs the event from now on, then run it."""
    if _started is not None:
        _started.put((event_id, os.getpid(), time.monotonic()))
    handle(event)


# ---- in the server process -----------------------------------------------------------------------------
GiveUp = Callable[[dict[str, Any], str], None]
TimedOut = Callable[[dict[str, Any]], None]


class WorkerPool:
    """Runs each queued event through the conversion handler on one of ``workers`` processes."""

    def __init__(
        self,
        queue: EventQueue,
        workers: int,
        env: dict[str, str],
        on_give_up: GiveUp | None = None,
        handle: Callable[[dict[str, Any]], None] = _handle,
        time_limit: float | None = None,
        on_timeout: TimedOut | None = None,
    ) -> None:
        """``time_limit``: seconds one conversion may run (default: ``convert_timeout()``); ``on_timeout`` is
        told of each event whose run was killed for it (to release the job's claim for the retry)."""
        self.queue = queue
        self.workers = max(1, workers)
        self.env = env
        self.on_give_up = on_give_up
        self.handle = handle
        self.time_limit = time_limit if time_limit and time_limit > 0 else convert_timeout()
        self.on_timeout = on_timeout
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._stopping = False
        self._inflight: dict[int, Future[None]] = {}
        self._running: dict[int, tuple[int, float]] = {}  # event id -> (worker pid, start), from the workers
        self._timed_out: set[int] = set()
        self._spared: set[int] = set()  # runs broken only by our killing another (not counted as attempts)
        self._started: Any = None
        self._watchdog: threading.Thread | None = None

    def start(self) -> int:
        """Start the processes and resubmit whatever the last run left in the queue; returns that count."""
        self._stopping = False
        self._started = multiprocessing.get_context("spawn").Queue()
        self._executor = self._new_executor()
        self._watchdog = threading.Thread(target=self._watch, name="img2xlsx-watchdog", daemon=True)
        self._watchdog.start()
        left = self.queue.pending()
        for event_id, event, attempts in left:
            self._submit(event_id, event, attempts)
        return len(left)

    def submit(self, event: dict[str, Any]) -> None:
        """Persist the event first, then hand it to a worker: a crash in between only delays it."""
        self._submit(self.queue.add(event), event, 0)

    def idle(self) -> bool:
        with self._lock:
            return not self._inflight

    def stop(self) -> None:
        """Stop at once: running conversions are killed and stay queued for the next start."""
        self._stopping = True
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.terminate()
        for proc in processes:
            proc.join(timeout=5)
        if self._watchdog is not None:
            self._watchdog.join(timeout=5)
            self._watchdog = None
        if self._started is not None:
            self._started.close()
            self._started = None

    def _watch(self) -> None:
        """Kill the worker of a conversion that outlives the time limit (nothing else stops Tesseract)."""
        started = self._started
        while not self._stopping:
            try:
                event_id, pid, since = started.get(timeout=0.1)
                with self._lock:
                    if event_id in self._inflight:
                        self._running[event_id] = (pid, since)
            except queue_mod.Empty:
                pass
            except (OSError, ValueError, EOFError):
                return
            now = time.monotonic()
            with self._lock:
                late = [(e, p) for e, (p, since) in self._running.items() if now - since > self.time_limit]
                for event_id, _ in late:
                    del self._running[event_id]
                    self._timed_out.add(event_id)
                if late:  # the kill breaks the whole pool: the other runs are only in the way
                    self._spared |= set(self._inflight) - self._timed_out
            for _, pid in late:
                log.warning("conversion ran past %g s; stopping its worker (pid %d)", self.time_limit, pid)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.env, self._started, self.time_limit),
        )

    def _submit(self, event_id: int, event: dict[str, Any], attempts: int) -> None:
        with self._lock:
            if self._executor is None or self._stopping:
                return  # stays in the queue
            self.queue.bump(event_id)
            future = self._executor.submit(_run, self.handle, event_id, event)
            self._inflight[event_id] = future
        future.add_done_callback(lambda f: self._finished(event_id, event, attempts + 1, f))

    def _finished(self, event_id: int, event: dict[str, Any], attempts: int, future: Future[None]) -> None:
        with self._lock:
            self._inflight.pop(event_id, None)
            self._running.pop(event_id, None)
            timed_out = event_id in self._timed_out
            self._timed_out.discard(event_id)
            spared = event_id in self._spared
            self._spared.discard(event_id)
        if self._stopping or future.cancelled():
            return  # replayed by the next start
        exc = future.exception()
        if exc is None:
            self.queue.remove(event_id)
            return
        if isinstance(exc, BrokenProcessPool):
            self._replace_broken_executor()
            if spared and not timed_out:
                self._submit(event_id, event, attempts - 1)
                return
        if timed_out:
            reason = timeout_reason(self.time_limit)
            if self.on_timeout is not None:
                try:
                    self.on_timeout(event)
                except Exception:
                    log.exception("could not release the timed-out job")
        else:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if attempts < MAX_ATTEMPTS:
            log.warning("conversion attempt %d failed (%s); retrying", attempts, reason)
            self._submit(event_id, event, attempts)
            return
        log.error("conversion failed %d times, giving up: %s", attempts, reason)
        self.queue.remove(event_id)
        if self.on_give_up is not None:
            try:
                self.on_give_up(event, reason)
            except Exception:
                log.exception("could not record the failure")

    def _replace_broken_executor(self) -> None:
        """A worker died (killed, out of memory): the pool is unusable, so start a fresh one."""
        with self._lock:
            old = self._executor
            if old is None or self._stopping or not getattr(old, "_broken", False):
                return
            self._executor = self._new_executor()
        old.shutdown(wait=False, cancel_futures=True)
