"""The re-screening job on the queue's worker thread, uploads read as streams in chunks,
and the end-to-end exemption flow: a false positive remembered with four-eyes approval is
not alerted again in a later batch, until the party's details change."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from aml_screen.jobs import InProcessWorker, JobQueue, submit_batch
from aml_screen.jobs.submit import CHUNK_BYTES
from aml_screen.store import Database
from aml_screen.store.exemptions import decide, propose
from aml_screen.store.models import Alert, Batch, Exemption, Hit, Rescreen, User
from aml_screen.store.rescreen import request_rescreen
from aml_screen.store.triage import change_status
from tests.jobs.lists import ADDED_SUBJECT, keep_sample_upload, list_settings
from tests.jobs.waiting import wait_finished
from tests.store.samples import SAMPLE, add_user, load_sample, repo_settings

KOUFFA_ACCOUNT = "NE3715654974409306529466"


def test_the_rescreen_job_runs_on_the_worker_and_shows_progress(database: Database,
                                                                tmp_path: Path) -> None:
    settings = list_settings(tmp_path / "lists", updated=True)
    keep_sample_upload(settings)
    batch_id = load_sample(database)
    queue = JobQueue(settings, database)
    with database.transaction() as session:
        rescreen_id = request_rescreen(session, batch_id, None).id
    queue.enqueue_rescreen(rescreen_id)
    assert queue.pending() == 1
    worker = InProcessWorker(queue, poll_seconds=0.05).start()
    try:
        rescreen = wait_finished(database, Rescreen, rescreen_id)
    finally:
        worker.stop()
    assert (rescreen.status, rescreen.new_alerts) == ("done", 1)
    with database.transaction() as session:
        batch = session.get_one(Batch, batch_id)
        assert batch.status == "done"  # the batch itself is untouched
        assert batch.progress_label  # the re-screen's stages were shown on it
        subjects = session.scalars(select(Alert.subject_id).where(
            Alert.rescreen_id == rescreen_id)).all()
    assert subjects == [ADDED_SUBJECT]


class _Stream(io.BytesIO):
    """A binary stream that remembers how much each read asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(-1 if size is None else size)
        return super().read(size)


def test_a_streamed_upload_is_read_in_chunks(database: Database, tmp_path: Path) -> None:
    settings = repo_settings(data_dir=tmp_path / "var")
    queue = JobQueue(settings, database, immediate=True)
    data = SAMPLE.read_bytes() + b"x" * (2 * CHUNK_BYTES)  # junk tail: the job fails
    stream = _Stream(data)
    submission = submit_batch(queue, database, "big.csv", stream, None)
    assert stream.asked
    assert all(0 < size <= CHUNK_BYTES for size in stream.asked)
    assert len(stream.asked) >= 3
    with database.transaction() as session:
        batch = session.get_one(Batch, submission.batch_id)
        assert batch.size_bytes == len(data)
    kept = list((tmp_path / "var" / "uploads").iterdir())
    assert [p.read_bytes() == data for p in kept] == [True]


def _close_as_false_positive(database: Database, investigator: int, supervisor: int) -> int:
    """Close Amadou Kouffa's alert as a false positive and remember the pair."""
    with database.transaction() as session:
        fatou = session.get_one(User, investigator)
        hit = session.scalars(select(Hit).where(Hit.party_name == "Amadou Kouffa")).one()
        alert = session.get_one(Alert, hit.alert_id)
        change_status(session, alert.id, fatou, "closed", alert.version,
                      disposition="false_positive",
                      reason="Homonyme : commerçant de Niamey, pièce d'identité vérifiée")
        exemption = propose(session, fatou, hit.id, "Homonyme vérifié (pièce d'identité)",
                            exemption_days=365)
        exemption_id, version = exemption.id, exemption.version
    with database.transaction() as session:
        decide(session, session.get_one(User, supervisor), exemption_id, version,
               approve=True)
    return exemption_id


def _subjects(database: Database, batch_id: int) -> list[str]:
    with database.transaction() as session:
        return sorted(session.scalars(select(Alert.subject_id).where(
            Alert.batch_id == batch_id)))


def test_an_exempt_pair_is_not_alerted_again_until_the_party_changes(
        database: Database, tmp_path: Path) -> None:
    investigator = add_user(database, "fatou", "investigator")
    supervisor = add_user(database, "salif", "supervisor")
    queue = JobQueue(repo_settings(data_dir=tmp_path / "var"), database, immediate=True)
    first = submit_batch(queue, database, SAMPLE.name, SAMPLE.read_bytes(), investigator)
    assert "amadou kouffa" in _subjects(database, first.batch_id)
    exemption_id = _close_as_false_positive(database, investigator, supervisor)

    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count(KOUFFA_ACCOUNT) == 1
    same_parties = text.replace("transfert famille", "transfert familial", 1)
    second = submit_batch(queue, database, "sample_batch_avril.csv",
                          same_parties.encode("utf-8"), investigator)
    assert second.created
    subjects = _subjects(database, second.batch_id)
    assert "amadou kouffa" not in subjects
    assert len(subjects) == len(_subjects(database, first.batch_id)) - 1
    with database.transaction() as session:
        summary = session.get_one(Batch, second.batch_id).summary or {}
    assert (summary["exempt_hits"], summary["exemptions_used"]) == (1, [exemption_id])

    moved = same_parties.replace(KOUFFA_ACCOUNT, "NE0000000000000000000042")
    third = submit_batch(queue, database, "sample_batch_mai.csv", moved.encode("utf-8"),
                         investigator)
    assert "amadou kouffa" in _subjects(database, third.batch_id)
    with database.transaction() as session:
        assert (session.get_one(Batch, third.batch_id).summary or {})["exempt_hits"] == 0


def test_an_expired_exemption_no_longer_applies(database: Database, tmp_path: Path) -> None:
    investigator = add_user(database, "fatou", "investigator")
    supervisor = add_user(database, "salif", "supervisor")
    queue = JobQueue(repo_settings(data_dir=tmp_path / "var"), database, immediate=True)
    submit_batch(queue, database, SAMPLE.name, SAMPLE.read_bytes(), investigator)
    _close_as_false_positive(database, investigator, supervisor)
    with database.transaction() as session:  # as if decided long ago
        exemption = session.scalars(select(Exemption)).one()
        exemption.expires_on = date.today() - timedelta(days=1)
    changed = SAMPLE.read_text(encoding="utf-8").replace("achat bétail", "achat de bétail", 1)
    later = submit_batch(queue, database, "later.csv", changed.encode("utf-8"), investigator)
    assert "amadou kouffa" in _subjects(database, later.batch_id)
