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
from sqlalchemy.orm import Session

from aml_screen.store import Database, StoreError
from aml_screen.store.audit import (
    GENESIS_HASH,
    PURGE_ACTION,
    describe_chain,
    event_hash,
    event_hash_v2,
    payload_digest,
    record,
    redact_events,
    verify_chain,
)
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
        assert e.chain_version == 2
        assert e.payload_sha256 == payload_digest(e.before, e.after)
        assert e.hash == event_hash_v2(at=e.at, actor_id=e.actor_id, actor_name=e.actor_name,
                                       action=e.action, object_type=e.object_type,
                                       object_id=e.object_id, payload_sha256=e.payload_sha256,
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
    update(AuditEvent.__table__).values(actor_name="someone else"),
    update(AuditEvent.__table__).values(before=None, after=None),
    delete(AuditEvent.__table__),
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
    with isolated_url(tmp_path, migrated=False) as url:
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


def _redaction_trail(database: Database) -> list[AuditEvent]:
    with database.transaction() as session:
        record(session, None, "alert.comment", "alert", 4,
               after={"body": "Oumar Ould Sidi Mohamed : même passeport que l'entrée ONU"})
        record(session, None, "alert.status", "alert", 4, before={"status": "new"},
               after={"status": "closed", "disposition": "suspicious_reported"})
        record(session, None, "alert.view", "alert", 5)
    return _events(database)


def _purge(session: Session, event_ids: list[int]) -> int:
    """What retention does: redact, then record the purge event that accounts for it."""
    redaction = redact_events(session, event_ids)
    purge = record(session, None, PURGE_ACTION, "retention", "2021-12-06",
                   after={"audit_events": redaction.count,
                          "redacted_digest": redaction.digest})
    assert purge.seq == redaction.purge_seq
    return redaction.count


def test_redaction_erases_the_payload_and_the_chain_still_verifies(
        database: Database) -> None:
    first, second, third = _redaction_trail(database)
    with database.transaction() as session:
        assert _purge(session, [first.id, second.id]) == 2
        assert _purge(session, [first.id]) == 0  # already redacted
    events = _events(database)
    assert [(e.before, e.after) for e in events[:2]] == [(None, None), (None, None)]
    assert all(e.redacted_at is not None for e in events[:2])
    assert [e.redacted_by for e in events[:3]] == [4, 4, None]
    assert events[2].redacted_at is None
    assert [e.payload_sha256 for e in events[:3]] == [
        first.payload_sha256, second.payload_sha256, third.payload_sha256]
    with database.transaction() as session:
        report = verify_chain(session)
    assert (report.broken, report.events, report.redacted, report.purges) == (None, 5, 2, 1)
    assert "2 events redacted by 1 retention purges" in describe_chain(report, "en")


def test_before_and_after_erased_by_hand_are_reported(database: Database) -> None:
    """Regression: nulling before/after and setting redacted_at on an event no purge touched
    (with SQL access) verified as intact."""
    _redaction_trail(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET before = NULL, after = NULL, "
                                "redacted_at = CURRENT_TIMESTAMP WHERE seq = 2"))
    with database.transaction() as session:
        broken = verify_chain(session).broken
    assert broken is not None
    assert (broken.seq, broken.problem) == (2, "unexplained")


def test_a_hand_redaction_passed_off_as_a_purges_is_reported(database: Database) -> None:
    first, *_ = _redaction_trail(database)
    with database.transaction() as session:
        _purge(session, [first.id])
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET before = NULL, after = NULL, "
                                "redacted_at = CURRENT_TIMESTAMP, redacted_by = 4 "
                                "WHERE seq = 3"))
    with database.transaction() as session:
        broken = verify_chain(session).broken
    assert broken is not None
    assert (broken.seq, broken.action, broken.problem) == (4, PURGE_ACTION, "unaccounted")


def test_editing_a_version_2_payload_is_found(database: Database) -> None:
    _redaction_trail(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET after = NULL WHERE seq = 2"))
    with database.transaction() as session:
        broken = verify_chain(session).broken
    assert broken is not None
    assert (broken.seq, broken.problem) == (2, "altered")


def test_a_version_1_event_cannot_be_redacted_and_keeps_verifying(database: Database) -> None:
    """Events written before chain version 2 hash their payload itself: erasing it would
    break the chain, so redaction leaves them as they are."""
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    values = {"at": at, "actor_id": None, "actor_name": "system", "action": "user.create",
              "object_type": "user", "object_id": "1", "before": None,
              "after": {"username": "hawa"}, "prev_hash": GENESIS_HASH}
    with database.engine.begin() as connection:
        connection.execute(AuditEvent.__table__.insert().values(
            seq=1, chain_version=1, hash=event_hash(**values), **values))  # type: ignore[arg-type]
    with database.transaction() as session:
        record(session, None, "alert.view", "alert", 1)
    old, new = _events(database)
    with database.transaction() as session:
        assert _purge(session, [old.id]) == 0
        assert verify_chain(session).broken is None
    assert (old.chain_version, new.chain_version) == (1, 2)
    assert _events(database)[0].after == {"username": "hawa"}
