"""The JobStore contract, run on every implementation: the in-memory fake the unit tests use, SQLite (local
stack) and DynamoDB (moto). The fake is only worth its speed if it answers as the real stores do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from img2xlsx.jobs.aws import DynamoJobStore
from img2xlsx.jobs.model import Job, JobResult
from img2xlsx.jobs.ports import JobStore
from img2xlsx_local.jobs import SqliteJobStore

from .conftest import REGION, jobs_table_schema
from .fakes import MemoryJobStore


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStore]:
    if request.param == "memory":
        yield MemoryJobStore()
    elif request.param == "sqlite":
        yield SqliteJobStore(tmp_path / "jobs.sqlite")
    else:
        request.getfixturevalue("aws")
        dynamodb = boto3.resource("dynamodb", region_name=REGION)
        dynamodb.create_table(TableName="contract", **jobs_table_schema())
        yield DynamoJobStore("contract", dynamodb)


def job(job_id: str = "contract-job-0000000000") -> Job:
    return Job(job_id, "awaiting_upload", "a.png", "image/png", 3, f"uploads/{job_id}/a.png", 1.5, 1.5, 99)


def test_transitions_are_conditional_and_return_the_new_state(store: JobStore) -> None:
    store.create(job())
    assert store.get("contract-job-0000000000") == job()
    assert store.get("no-such-job-00000000000") is None
    assert store.transition("contract-job-0000000000", ("queued",), "processing", updated_at=2.0) is None
    queued = store.transition("contract-job-0000000000", ("awaiting_upload",), "queued", updated_at=2.25)
    assert queued is not None and (queued.status, queued.updated_at) == ("queued", 2.25)
    assert store.transition("no-such-job-00000000000", ("queued",), "failed", updated_at=3.0) is None


def test_the_optimistic_lock_lets_one_writer_win(store: JobStore) -> None:
    store.create(job())
    store.transition("contract-job-0000000000", ("awaiting_upload",), "processing", updated_at=2.5)

    def reclaim() -> Job | None:  # two workers that both read updated_at == 2.5
        return store.transition(
            "contract-job-0000000000",
            ("processing",),
            "processing",
            if_updated_at=2.5,
            updated_at=3.0,
            lease_until=9.5,
            attempts=1,
        )

    first, second = reclaim(), reclaim()
    assert first is not None and (first.lease_until, first.attempts) == (9.5, 1)
    assert second is None


def test_results_and_cleared_fields_round_trip(store: JobStore) -> None:
    store.create(job())
    result = JobResult("results/x/a.xlsx", "results/x/a.json", 2)
    done = store.transition(
        "contract-job-0000000000", ("awaiting_upload",), "done", updated_at=4.125, result=result, error=None
    )
    assert done is not None and done.result == result and done.error is None
    assert store.get("contract-job-0000000000") == done


def test_pending_upload_clients_counts_open_forms_only(store: JobStore) -> None:
    """What the creation limits count: jobs still awaiting their upload, created at or after ``since``."""
    for i, (client, created) in enumerate([("198.51.100.7", 10.0), ("198.51.100.7", 20.0), ("", 20.5)]):
        store.create(
            Job(
                f"pending-{i}-00000000000000",
                "awaiting_upload",
                "a.png",
                "image/png",
                3,
                f"uploads/pending-{i}-00000000000000/a.png",
                created,
                created,
                99,
                client=client,
            )
        )
    old = Job(
        "pending-old-0000000000000",
        "awaiting_upload",
        "a.png",
        "image/png",
        3,
        "uploads/o/a.png",
        1.0,
        1.0,
        9,
    )
    store.create(old)
    store.transition("pending-1-00000000000000", ("awaiting_upload",), "queued", updated_at=21.0)
    assert sorted(store.pending_upload_clients(10.0)) == ["", "198.51.100.7"]
    assert store.pending_upload_clients(20.5) == [""]
    assert sorted(store.pending_upload_clients(0.0)) == ["", "", "198.51.100.7"]
    assert store.get("pending-0-00000000000000").client == "198.51.100.7"  # type: ignore[union-attr]
