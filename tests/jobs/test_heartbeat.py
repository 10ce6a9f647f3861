"""The heartbeat thread and the storing stages as the batch page sees them."""

from __future__ import annotations

import time
from typing import Any

import pytest

from aml_screen.jobs import DatabaseProgress
from aml_screen.jobs.heartbeat import Heartbeat
from aml_screen.progress import Advance
from aml_screen.store import Database, loading
from aml_screen.store.jobs import Claim, claim_job
from aml_screen.store.loading import register_batch, store_rows
from aml_screen.store.models import Batch
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
