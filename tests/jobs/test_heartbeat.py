"""The heartbeat thread and the storing stages as the batch page sees them."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import text

from aml_screen.jobs import DatabaseProgress
from aml_screen.jobs.heartbeat import Heartbeat
from aml_screen.progress import Advance
from aml_screen.store import Database, loading, subjects
from aml_screen.store.jobs import Claim, beat, claim_job
from aml_screen.store.loading import register_batch, store_rows
from aml_screen.store.models import Batch
from aml_screen.store.subjects import batch_records, compute_resolution, store_resolution
from tests.store.samples import SAMPLE, sample_run


def _claimed(database: Database) -> Claim:
    with database.transaction() as session:
        batch_id = register_batch(session, SAMPLE.name, sample_run().sha256, 1, None)[0].id
    with database.transaction() as session:
        claim = claim_job(session, Batch, batch_id)
    assert claim is not None
    return claim


def _row(database: Database, batch_id: int) -> Batch:
    with database.transaction() as session:
        batch = session.get_one(Batch, batch_id)
        session.expunge(batch)
        return batch


def test_a_long_step_still_beats_until_the_claim_is_lost(database: Database) -> None:
    claim = _claimed(database)
    started = _row(database, claim.job_id).heartbeat_at
    with Heartbeat(database, claim, interval=0.05):
        time.sleep(0.4)  # one long step: no progress written
        beaten = _row(database, claim.job_id).heartbeat_at
        assert started is not None
        assert beaten is not None
        assert beaten > started
        with database.transaction() as session:  # the reaper takes the job back
            session.get_one(Batch, claim.job_id).claim_token = None
        time.sleep(0.3)
        stopped = _row(database, claim.job_id).heartbeat_at
        time.sleep(0.3)
        assert _row(database, claim.job_id).heartbeat_at == stopped


def test_storing_shows_its_stages_and_counts_while_it_runs(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each chunk is committed with its count, so another connection (the page) sees the
    count grow while the rows are being stored."""
    monkeypatch.setattr(loading, "STORE_CHUNK", 20)
    run = sample_run().run
    claim = _claimed(database)
    seen: list[tuple[str | None, int, int | None]] = []

    class Watched(DatabaseProgress):
        def stage(self, key: str, total: int | None, **params: Any) -> Advance:
            advance = super().stage(key, total, **params)

            def watched(n: int) -> None:
                advance(n)
                row = _row(database, claim.job_id)
                seen.append((row.progress_label, row.progress_done, row.progress_total))

            return watched

    store_rows(database, claim, run, Watched(database, claim.job_id, min_interval=0,
                                             claim=claim))
    rows, quarantined = run.transactions.height, run.quarantine.height
    assert rows > 40
    assert quarantined
    stored = [s for s in seen if s[0] == "store.stage.transactions"]
    assert [done for _, done, _ in stored] == [min(rows, n) for n in range(20, rows + 20, 20)]
    assert {total for _, _, total in stored} == {rows}
    assert seen[-1] == ("store.stage.quarantine", quarantined, quarantined)


@pytest.mark.parametrize("step", ["resolution", "rows"])
def test_a_long_write_does_not_hold_the_row_the_heartbeat_writes(
        database: Database, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """The job's long writes check the claim last: checking locks the job's row until
    commit, and a heartbeat waiting on it for minutes made a live job look dead (a 1M-row
    batch against a 9M-row store was re-run from the start). PostgreSQL only: SQLite
    writes one transaction at a time anyway."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    claim = _claimed(database)
    run = sample_run().run
    inside, release = threading.Event(), threading.Event()
    original = subjects._write if step == "resolution" else loading._insert_frame

    def held(*args: Any) -> None:
        original(*args)
        inside.set()
        assert release.wait(10)

    if step == "resolution":
        monkeypatch.setattr(subjects, "_write", held)
        records = batch_records(run.transactions, claim.job_id)
        work = threading.Thread(target=store_resolution, args=(
            database, claim.job_id, records,
            compute_resolution(database, claim.job_id, records), claim))
    else:
        monkeypatch.setattr(loading, "_insert_frame", held)
        work = threading.Thread(target=store_rows, args=(
            database, claim, run, DatabaseProgress(database, claim.job_id, claim=claim)))
    work.start()
    try:
        assert inside.wait(30)
        with database.transaction() as session:
            session.execute(text("SET LOCAL lock_timeout = '2s'"))
            assert beat(session, claim)  # not LockNotAvailable
    finally:
        release.set()
        monkeypatch.undo()
        work.join()
