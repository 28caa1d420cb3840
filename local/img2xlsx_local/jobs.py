"""The job store on SQLite (WAL): one row per job, conditional transitions inside ``BEGIN IMMEDIATE`` so two
workers racing for the same job (duplicate events, reclaims) can never both win."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from img2xlsx.jobs.model import Job, JobResult, JobStatus

_FIELDS = frozenset(f.name for f in dataclasses.fields(Job))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id     TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    updated_at REAL NOT NULL,
    expires_at INTEGER NOT NULL,
    item       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
CREATE INDEX IF NOT EXISTS jobs_expires ON jobs (expires_at);
"""


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) that waits for locks instead of failing."""
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the lock up front, so read-check-write is atomic."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class SqliteJobStore:
    """Implements ``img2xlsx.jobs.ports.JobStore``. Safe to share between threads and processes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._conn() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(_SCHEMA)

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        conn = connect(self.path)
        try:
            yield conn
        finally:
            conn.close()

    # ---- the JobStore port ----------------------------------------------------------------------------
    def create(self, job: Job) -> None:
        with self._conn() as conn:
            try:
                conn.execute(
                    "INSERT INTO jobs (job_id, status, updated_at, expires_at, item) VALUES (?, ?, ?, ?, ?)",
                    (job.job_id, job.status, job.updated_at, job.expires_at, _dump(job)),
                )
            except sqlite3.IntegrityError:
                raise ValueError(f"job {job.job_id} already exists") from None

    def get(self, job_id: str) -> Job | None:
        with self._conn() as conn:
            row = conn.execute("SELECT item FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return _load(row[0]) if row else None

    def transition(
        self,
        job_id: str,
        expected: tuple[JobStatus, ...],
        new: JobStatus,
        *,
        if_updated_at: float | None = None,
        **changes: Any,
    ) -> Job | None:
        unknown = set(changes) - _FIELDS
        if unknown:
            raise TypeError(f"not Job fields: {sorted(unknown)}")
        with self._conn() as conn, immediate(conn):
            row = conn.execute("SELECT item FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
            if row is None:
                return None
            job = _load(row[0])
            if job.status not in expected:
                return None
            if if_updated_at is not None and job.updated_at != if_updated_at:
                return None
            for name, value in changes.items():
                if name == "result" and isinstance(value, dict):
                    value = JobResult(**value)
                setattr(job, name, value)
            job.status = new
            if "updated_at" not in changes:
                job.updated_at = time.time()
            conn.execute(
                "UPDATE jobs SET status = ?, updated_at = ?, expires_at = ?, item = ? WHERE job_id = ?",
                (job.status, job.updated_at, job.expires_at, _dump(job), job_id),
            )
            return job

    def pending_upload_clients(self, since: float) -> list[str]:
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT json_extract(item, '$.client') FROM jobs WHERE status = 'awaiting_upload' "
                "AND json_extract(item, '$.created_at') >= ?",
                (since,),
            ).fetchall()
        return [r[0] or "" for r in rows]

    # ---- local housekeeping (not part of the port) -----------------------------------------------------
    def with_status(self, *statuses: JobStatus) -> list[Job]:
        marks = ",".join("?" * len(statuses))
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT item FROM jobs WHERE status IN ({marks}) ORDER BY updated_at", statuses
            ).fetchall()
        return [_load(r[0]) for r in rows]

    def expired(self, now: float) -> list[Job]:
        with self._conn() as conn:
            rows = conn.execute("SELECT item FROM jobs WHERE expires_at < ?", (now,)).fetchall()
        return [_load(r[0]) for r in rows]

    def delete(self, job_id: str) -> None:
        with self._conn() as conn:
            conn.execute("DELETE FROM jobs WHERE job_id = ?", (job_id,))


def _dump(job: Job) -> str:
    return json.dumps(job.to_item(), default=str)


def _load(text: str) -> Job:
    item = json.loads(text)
    item = {k: v for k, v in item.items() if k in _FIELDS}  # rows written by a newer model keep loading
    return Job.from_item(item)
