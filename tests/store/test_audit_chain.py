"""Writing the hash-chained audit trail: links, concurrent writers, the 0002 migration that
chains events written before it, and the refusal of bulk changes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import delete, select, text, update

from aml_screen.store import Database, StoreError
from aml_screen.store.audit import GENESIS_HASH, event_hash, record, verify_chain
from aml_screen.store.database import MIGRATIONS
from aml_screen.store.models import AuditEvent
from tests.store.isolation import isolated_url


def _events(database: Database) -> list[AuditEvent]:
    with database.transaction() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_each_event_links_to_the_one_before(database: Database) -> None:
    with database.transaction() as session:  # two events in one transaction
        record(session, None, "list.update", "watchlist", "un_sc",
               before={"sha256": "a" * 64}, after={"sha256": "b" * 64, "entries": 731})
        record(session, None, "rule.change", "rule", "structuring_xof",
               after={"threshold": 4_900_000, "currency": "XOF"})
    with database.transaction() as session:
        record(session, None, "batch.upload", "batch", 1, after={"file": "lot_bamako.csv"})
    events = _events(database)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert len({e.hash for e in events}) == 3
    for e in events:
        assert e.hash == event_hash(at=e.at, actor_id=e.actor_id, actor_name=e.actor_name,
                                    action=e.action, object_type=e.object_type,
                                    object_id=e.object_id, before=e.before, after=e.after,
                                    prev_hash=e.prev_hash)


def test_what_is_hashed_is_what_the_database_gives_back(database: Database) -> None:
    """Tuples, integer keys and non-Latin names come back from JSON columns changed
    (lists, string keys) or not at all if mis-encoded: the chain must still verify."""
    with database.transaction() as session:
        record(session, None, "alert.view", "alert", 7,
               after={"names": ("محمد ولد أحمد", "Mohamed Ould Ahmed"), 2024: "Ségou",
                      "score": 97.5})
    (event,) = _events(database)
    assert event.after == {"names": ["محمد ولد أحمد", "Mohamed Ould Ahmed"], "2024": "Ségou",
                           "score": 97.5}
    with database.transaction() as session:
        assert verify_chain(session).broken is None


def test_two_writers_never_fork_the_chain(database: Database) -> None:
    per_writer, errors = 25, []

    def write(name: str) -> None:
        try:
            for i in range(per_writer):
                with database.transaction() as session:
                    record(session, None, "alert.view", "alert", f"{name}-{i}")
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(n,)) for n in ("kayes", "mopti", "gao")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    events = _events(database)
    assert [e.seq for e in events] == list(range(1, 3 * per_writer + 1))
    with database.transaction() as session:
        report = verify_chain(session)
    assert report.broken is None
    assert report.events == 3 * per_writer


def test_a_second_writer_waits_for_the_first_to_commit(database: Database) -> None:
    first_recorded, second_done = threading.Event(), threading.Event()
    release = threading.Event()

    def first() -> None:
        with database.transaction() as session:
            record(session, None, "case.change", "case", "A")
            first_recorded.set()
            release.wait(10)

    def second() -> None:
        with database.transaction() as session:
            record(session, None, "case.change", "case", "B")
        second_done.set()

    one = threading.Thread(target=first)
    one.start()
    assert first_recorded.wait(10)
    two = threading.Thread(target=second)
    two.start()
    assert not second_done.wait(0.5)  # blocked on the chain lock
    release.set()
    one.join()
    two.join()
    assert [(e.seq, e.object_id) for e in _events(database)] == [(1, "A"), (2, "B")]


@pytest.mark.parametrize("statement", [
    update(AuditEvent).values(actor_name="someone else"),
    delete(AuditEvent).where(AuditEvent.seq == 1),
])
def test_bulk_changes_to_events_are_refused(database: Database, statement: object) -> None:
    with database.transaction() as session:
        record(session, None, "user.create", "user", 1, after={"username": "aminata"})
    with pytest.raises(StoreError), database.transaction() as session:
        session.execute(statement)  # type: ignore[call-overload]
    (event,) = _events(database)
    assert event.actor_name == "system"


def test_migration_0002_chains_events_written_before_it(tmp_path: Path) -> None:
    start = datetime(2026, 3, 2, 8, 15, 30, 123456, tzinfo=UTC)
    old = [("user.create", "user", "1", None, '{"username": "moussa", "role": "analyst"}'),
           ("batch.upload", "batch", "1", None, '{"file": "lot_niamey.csv"}'),
           ("alert.status", "alert", "3", '{"status": "new"}', '{"status": "in_review"}')]
    with isolated_url(tmp_path) as url:
        database = Database(url)
        try:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            with database.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "0001")
                for i, (action, kind, object_id, before, after) in enumerate(old):
                    connection.execute(text(
                        "INSERT INTO audit_events (at, actor_name, action, object_type, "
                        "object_id, before, after) VALUES (:at, 'system', :a, :k, :o, :b, :f)"),
                        {"at": start + timedelta(minutes=i), "a": action, "k": kind,
                         "o": object_id, "b": before, "f": after})
            database.upgrade()
            with database.transaction() as session:
                record(session, None, "alert.view", "alert", 3)
            events = _events(database)
            assert [(e.seq, e.action) for e in events] == [
                (1, "user.create"), (2, "batch.upload"), (3, "alert.status"), (4, "alert.view")]
            assert events[0].at == start
            assert events[2].before == {"status": "new"}
            with database.transaction() as session:
                report = verify_chain(session)
            assert report.broken is None
            assert report.events == 4
        finally:
            database.dispose()
