"""The delta re-screen on the job queue: a queued run is executed by the worker, and one
left running by a dead worker is queued again by the reaper and run once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from aml_screen.jobs.queue import JobQueue
from aml_screen.jobs.reaper import Reaper
from aml_screen.store import Database
from aml_screen.store.base import utcnow
from aml_screen.store.list_delta import request_delta
from aml_screen.store.models import ListDelta
from tests.jobs.lists import list_settings
from tests.store.list_versions import store_both
from tests.store.samples import load_sample


def _queued(database: Database, folder: Path) -> tuple[JobQueue, int]:
    settings = list_settings(folder, updated=False)
    old, new = store_both(settings)
    load_sample(database)
    with database.transaction() as session:
        delta_id = request_delta(session, old, new, None).id
    return JobQueue(settings, database), delta_id


def _run_all(queue: JobQueue, database: Database, delta_id: int) -> ListDelta:
    while (task := queue.huey.dequeue()) is not None:
        queue.huey.execute(task)
    with database.transaction() as session:
        delta = session.get_one(ListDelta, delta_id)
        session.expunge(delta)
        return delta


def test_the_worker_runs_a_queued_delta(database: Database, tmp_path: Path) -> None:
    queue, delta_id = _queued(database, tmp_path / "lists")
    queue.enqueue_delta(delta_id)
    delta = _run_all(queue, database, delta_id)
    assert (delta.status, delta.new_alerts, delta.attempts) == ("done", 1, 1)


def test_a_delta_left_by_a_dead_worker_is_run_again(database: Database,
                                                   tmp_path: Path) -> None:
    queue, delta_id = _queued(database, tmp_path / "lists")
    long_ago = utcnow() - timedelta(hours=1)
    with database.transaction() as session:
        session.execute(update(ListDelta).where(ListDelta.id == delta_id).values(
            status="running", attempts=1, claim_token="dead",  # noqa: S106 (a job token)
            heartbeat_at=long_ago))
    sweep = Reaper(queue, database).sweep()
    assert [(r.job_id, r.requeued) for r in sweep.recovered] == [(delta_id, True)]
    delta = _run_all(queue, database, delta_id)
    assert (delta.status, delta.new_alerts, delta.attempts) == ("done", 1, 2)
