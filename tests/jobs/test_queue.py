from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from aml_screen.errors import ConfigError
from aml_screen.jobs import DatabaseProgress, InProcessWorker, JobQueue, make_huey, submit_batch
from aml_screen.jobs.submit import Submission
from aml_screen.snapshots import rule_pack_digest
from aml_screen.store import Database
from aml_screen.store.loading import register_batch
from aml_screen.store.models import Alert, Batch
from tests.jobs.waiting import wait_finished
from tests.store.samples import SAMPLE, repo_settings, sample_run


def _alerts(database: Database) -> int:
    with database.transaction() as session:
        return len(session.scalars(select(Alert.id)).all())


def test_progress_is_written_to_the_batch(database: Database) -> None:
    with database.transaction() as session:
        batch_id = register_batch(session, "b.csv", "0" * 64, 1, None)[0].id
    progress = DatabaseProgress(database, batch_id, min_interval=3600)
    advance = progress.stage("screen.stage.read", 10, file="b.csv")
    for _ in range(9):
        advance(1)
    with database.transaction() as session:
        batch = session.get_one(Batch, batch_id)
        assert (batch.progress_label, batch.progress_params, batch.progress_total,
                batch.progress_done) == ("screen.stage.read", {"file": "b.csv"}, 10, 0)
        # throttled: nothing written mid-stage
    advance(1)
    with database.transaction() as session:
        assert session.get_one(Batch, batch_id).progress_done == 10  # the end always is


def _submit_and_run(queue: JobQueue, database: Database) -> tuple[Submission, Batch]:
    """The sample batch submitted (one job pending), run by a worker thread to the end."""
    submission = submit_batch(queue, database, SAMPLE.name, SAMPLE.read_bytes(), None)
    assert queue.pending() == 1
    worker = InProcessWorker(queue, poll_seconds=0.05).start()
    try:
        wait_finished(database, Batch, submission.batch_id)
    finally:
        worker.stop(timeout=120)  # the job's last steps follow its status: let them end
    batch = wait_finished(database, Batch, submission.batch_id)
    assert batch.status == "done", (batch.error_key, batch.error_params)
    return submission, batch


def test_embedded_queue_runs_the_job_on_a_worker_thread(database: Database,
                                                        tmp_path: Path) -> None:
    settings = repo_settings(data_dir=tmp_path / "var")
    queue = JobQueue(settings, database)
    assert queue.embedded
    submission, batch = _submit_and_run(queue, database)
    assert batch.rows_loaded == sample_run().run.summary["rows_loaded"]
    assert _alerts(database) == sample_run().run.alerts.height
    # the store's steps are timed beside the engine's, to see where a slow load goes
    assert {"lists", "match", "store_rows", "subjects", "subject_review", "history_rules",
            "load_results", "statistics"} <= set(
        (batch.summary or {})["stage_seconds"])
    assert (tmp_path / "var" / "jobs.db").is_file()
    again = submit_batch(queue, database, "copy.csv", SAMPLE.read_bytes(), None)
    assert (again.batch_id, again.created, queue.pending()) == (submission.batch_id, False, 0)


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_redis_queue(database: Database, tmp_path: Path) -> None:
    if not _redis_up():
        pytest.skip("no Redis server at 127.0.0.1:6379")
    settings = repo_settings(data_dir=tmp_path / "var",
                             job_queue_url="redis://127.0.0.1:6379/15")
    queue = JobQueue(settings, database, name=f"aml-screen-test-{uuid.uuid4().hex[:8]}")
    assert not queue.embedded
    try:
        _submit_and_run(queue, database)
        assert _alerts(database) == sample_run().run.alerts.height
    finally:
        queue.huey.flush()


@pytest.mark.parametrize("url", ["postgres://x", "memory", ""])
def test_unknown_queue_urls_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError):
        make_huey(repo_settings(data_dir=tmp_path, job_queue_url=url))


def test_rule_digest_follows_the_rule_files(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    source = repo_settings().rules_dir
    for path in sorted(source.glob("*.yaml")):
        (rules / path.name).write_bytes(path.read_bytes())
    first = rule_pack_digest(rules, None)
    assert first == rule_pack_digest(rules, None)
    target = next(p for p in sorted(rules.glob("*.yaml")) if p.name != "parameters.yaml")
    target.write_text(target.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    edited = rule_pack_digest(rules, None)
    assert edited != first
    parameters = rules / "parameters.yaml"
    parameters.write_text(parameters.read_text(encoding="utf-8") + "\n# threshold changed\n",
                          encoding="utf-8")
    assert rule_pack_digest(rules, None) != edited
