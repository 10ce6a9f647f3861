"""The reaper with a real queue and worker threads: a job left running by a dead worker is
run again and stored once, a job nobody claimed is sent again, a job that keeps dying is
failed, and two workers given the same job never both run it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from aml_screen.jobs import InProcessWorker, JobQueue, Reaper, submit_batch
from aml_screen.store import Database
from aml_screen.store.base import utcnow
from aml_screen.store.models import Alert, AuditEvent, Batch, Rescreen
from aml_screen.store.rescreen import request_rescreen
from tests.jobs.waiting import wait_finished
from tests.store.samples import SAMPLE, repo_settings, sample_run

LONG_AGO = timedelta(hours=1)


def _stuck_batch(database: Database, queue: JobQueue, attempts: int = 1) -> int:
    """The sample batch as a killed worker leaves it: running, its heartbeat long gone,
    its queue message consumed."""
    batch_id = submit_batch(queue, database, SAMPLE.name, SAMPLE.read_bytes(), None).batch_id
    queue.huey.flush()
    with database.transaction() as session:
        session.execute(update(Batch).where(Batch.id == batch_id).values(
            status="running", attempts=attempts, claim_token="0" * 32,
            heartbeat_at=utcnow() - LONG_AGO, progress_label="store.stage.transactions"))
    return batch_id


def _actions(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def _alerts(database: Database) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count(Alert.id))) or 0


def _run_all(queue: JobQueue, database: Database, model: type[Batch] | type[Rescreen],
             job_id: int, workers: int = 1) -> Batch | Rescreen:
    threads = [InProcessWorker(queue, poll_seconds=0.05).start() for _ in range(workers)]
    try:
        return wait_finished(database, model, job_id)
    finally:
        for thread in threads:
            thread.stop()


def test_a_job_left_running_by_a_dead_worker_is_run_again_and_stored_once(
        database: Database, tmp_path: Path) -> None:
    queue = JobQueue(repo_settings(data_dir=tmp_path / "var"), database)
    batch_id = _stuck_batch(database, queue)
    assert queue.pending() == 0  # the queue forgot it: the database did not
    sweep = Reaper(queue, database).sweep()
    assert [(r.job_id, r.requeued, r.attempts) for r in sweep.recovered] == [(batch_id, True, 1)]
    assert queue.pending() == 1
    batch = _run_all(queue, database, Batch, batch_id)
    assert (batch.status, batch.attempts) == ("done", 2)
    assert _alerts(database) == sample_run().run.alerts.height
    actions = _actions(database)
    assert actions[:3] == ["batch.upload", "batch.requeue", "batch.loaded"]
    assert actions.count("batch.loaded") == 1
    assert Reaper(queue, database).sweep().recovered == []  # nothing left to do


def test_a_job_that_keeps_dying_is_failed_with_its_reason(database: Database,
                                                          tmp_path: Path) -> None:
    queue = JobQueue(repo_settings(data_dir=tmp_path / "var", job_max_attempts=2), database)
    batch_id = _stuck_batch(database, queue, attempts=2)
    sweep = Reaper(queue, database).sweep()
    assert [(r.job_id, r.requeued) for r in sweep.recovered] == [(batch_id, False)]
    assert queue.pending() == 0
    with database.transaction() as session:
        batch = session.get_one(Batch, batch_id)
        assert (batch.status, batch.error_key, batch.claim_token) == (
            "failed", "job.abandoned", None)
    assert _actions(database)[-1] == "batch.failed"


def test_a_queued_job_whose_message_was_lost_is_sent_again(database: Database,
                                                           tmp_path: Path) -> None:
    queue = JobQueue(repo_settings(data_dir=tmp_path / "var"), database)
    batch_id = submit_batch(queue, database, SAMPLE.name, SAMPLE.read_bytes(), None).batch_id
    queue.huey.flush()  # e.g. a worker took the message from Redis and was killed
    assert Reaper(queue, database).sweep().resent == []  # not overdue yet
    with database.transaction() as session:
        session.execute(update(Batch).values(queued_at=utcnow() - LONG_AGO))
    assert Reaper(queue, database).sweep().resent == [(Batch, batch_id)]
    assert _run_all(queue, database, Batch, batch_id).status == "done"


def test_two_workers_given_one_job_run_it_once(database: Database, tmp_path: Path) -> None:
    queue = JobQueue(repo_settings(data_dir=tmp_path / "var"), database)
    batch_id = submit_batch(queue, database, SAMPLE.name, SAMPLE.read_bytes(), None).batch_id
    for _ in range(3):  # duplicates, as the reaper may send
        queue.enqueue_screening(batch_id)
    batch = _run_all(queue, database, Batch, batch_id, workers=2)
    assert (batch.status, batch.attempts) == ("done", 1)
    assert _alerts(database) == sample_run().run.alerts.height
    assert _actions(database).count("batch.loaded") == 1


def test_a_rescreen_left_running_is_run_again(database: Database, tmp_path: Path) -> None:
    settings = repo_settings(data_dir=tmp_path / "var")
    queue = JobQueue(settings, database, immediate=True)
    batch_id = submit_batch(queue, database, SAMPLE.name, SAMPLE.read_bytes(), None).batch_id
    queue = JobQueue(settings, database)
    with database.transaction() as session:
        rescreen_id = request_rescreen(session, batch_id, None).id
        session.execute(update(Rescreen).values(status="running", attempts=1,
                                                heartbeat_at=utcnow() - LONG_AGO))
    sweep = Reaper(queue, database).sweep()
    assert [(r.model, r.job_id, r.requeued) for r in sweep.recovered] == [
        (Rescreen, rescreen_id, True)]
    rescreen = _run_all(queue, database, Rescreen, rescreen_id)
    assert (rescreen.status, rescreen.attempts) == ("done", 2)
    actions = _actions(database)
    assert actions[-3:] == ["batch.rescreen_requested", "batch.rescreen_requeue",
                            "batch.rescreened"]
