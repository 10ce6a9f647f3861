"""A job's life on its row: one claim at a time, heartbeats, recovery of a dead job up to a
bounded number of attempts, and nothing written by an attempt that lost its claim."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from aml_screen.progress import NoProgress
from aml_screen.store import Database
from aml_screen.store.base import utcnow
from aml_screen.store.jobs import (
    Claim,
    ClaimLostError,
    beat,
    claim_job,
    dead_jobs,
    fail_job,
    overdue_queued,
    recover_job,
)
from aml_screen.store.loading import load_results, register_batch, store_rows
from aml_screen.store.models import Alert, AuditEvent, Batch, QuarantineRow, Transaction
from tests.store.samples import SAMPLE, sample_run

LATER = timedelta(hours=1)
"""A cutoff this far ahead makes every running job look dead."""


def _queued_batch(database: Database) -> int:
    with database.transaction() as session:
        return register_batch(session, SAMPLE.name, sample_run().sha256, 1, None)[0].id


def _claim(database: Database, batch_id: int) -> Claim | None:
    with database.transaction() as session:
        return claim_job(session, Batch, batch_id)


def _recover(database: Database, batch_id: int, max_attempts: int = 3) -> bool | None:
    """Recover the batch as the reaper would if it were silent; requeued, or None."""
    with database.transaction() as session:
        (job_id, token), = dead_jobs(session, Batch, utcnow() + LATER)
        found = recover_job(session, Batch, job_id, token, utcnow() + LATER, max_attempts)
    return None if found is None else found.requeued


def _actions(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def _count(database: Database, model: type[Transaction] | type[Alert]) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count(model.id))) or 0


def test_many_workers_claiming_one_job_only_one_wins(database: Database) -> None:
    batch_id = _queued_batch(database)
    start = threading.Barrier(8)
    claims: list[Claim | None] = []

    def worker() -> None:
        start.wait()
        claims.append(_claim(database, batch_id))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [c for c in claims if c is not None]
    assert len(claims) == 8
    assert len(won) == 1
    assert won[0].attempt == 1
    with database.transaction() as session:
        batch = session.get_one(Batch, batch_id)
        assert (batch.status, batch.attempts, batch.claim_token) == ("running", 1, won[0].token)


def test_a_live_job_is_not_taken_for_dead(database: Database) -> None:
    batch_id = _queued_batch(database)
    claim = _claim(database, batch_id)
    assert claim is not None
    with database.transaction() as session:
        assert beat(session, claim)
        assert dead_jobs(session, Batch, utcnow() - timedelta(seconds=90)) == []
        # seen dead a moment ago, but it beat since: the conditional update finds nothing
        assert recover_job(session, Batch, batch_id, claim.token,
                           utcnow() - timedelta(seconds=90), 3) is None


def test_a_dead_job_is_queued_again_then_failed_after_the_last_attempt(
        database: Database) -> None:
    batch_id = _queued_batch(database)
    for attempt in (1, 2, 3):
        claim = _claim(database, batch_id)
        assert claim is not None
        assert claim.attempt == attempt
        assert _recover(database, batch_id) is (attempt < 3)
    with database.transaction() as session:
        batch = session.get_one(Batch, batch_id)
        assert (batch.status, batch.error_key, batch.error_params) == (
            "failed", "job.abandoned", {"attempts": "3"})
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(("batch.requeue", "batch.failed")))
            .order_by(AuditEvent.seq)).all()
    assert [(e.action, e.actor_name, (e.before or {})["attempts"]) for e in events] == [
        ("batch.requeue", "system", 1), ("batch.requeue", "system", 2),
        ("batch.failed", "system", 3)]
    assert _claim(database, batch_id) is None  # failed jobs are not run again by a message


def test_an_attempt_that_lost_its_claim_writes_nothing(database: Database) -> None:
    sample = sample_run()
    batch_id = _queued_batch(database)
    first = _claim(database, batch_id)
    assert first is not None
    store_rows(database, first, sample.run, NoProgress())  # killed after storing its rows
    assert _count(database, Transaction) == sample.run.transactions.height
    assert _recover(database, batch_id)
    second = _claim(database, batch_id)
    assert second is not None
    assert second.attempt == 2
    with pytest.raises(ClaimLostError):
        store_rows(database, first, sample.run, NoProgress())
    with pytest.raises(ClaimLostError), database.transaction() as session:
        load_results(session, session.get_one(Batch, batch_id), sample.run, sample.entries,
                     claim=first)
    with database.transaction() as session:
        assert not fail_job(session, first, "job.crashed", {"detail": "late"})
        assert not beat(session, first)
    assert _count(database, Alert) == 0
    assert _actions(database) == ["batch.upload", "batch.requeue"]
    # the second attempt replaces what the first left, then stores the rest once
    store_rows(database, second, sample.run, NoProgress())
    with database.transaction() as session:
        load_results(session, session.get_one(Batch, batch_id), sample.run, sample.entries,
                     claim=second)
    assert _count(database, Transaction) == sample.run.transactions.height
    with database.transaction() as session:
        assert (session.scalar(select(func.count(QuarantineRow.id)))
                == sample.run.quarantine.height)
        batch = session.get_one(Batch, batch_id)
        assert (batch.status, batch.claim_token) == ("done", None)
    assert _count(database, Alert) == sample.run.alerts.height
    assert _actions(database).count("batch.loaded") == 1


def test_a_queued_job_nobody_claimed_is_sent_again_once_per_period(
        database: Database) -> None:
    batch_id = _queued_batch(database)
    with database.transaction() as session:
        assert overdue_queued(session, Batch, utcnow() - timedelta(seconds=90)) == []
        session.execute(update(Batch).values(queued_at=utcnow() - LATER))
    with database.transaction() as session:
        assert overdue_queued(session, Batch, utcnow() - timedelta(seconds=90)) == [batch_id]
    with database.transaction() as session:  # sent: not again before another period
        assert overdue_queued(session, Batch, utcnow() - timedelta(seconds=90)) == []
