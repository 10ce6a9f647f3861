"""Someone with database access edits, deletes, swaps or inserts audit events with raw SQL;
``verify_chain`` and ``aml-screen audit verify`` name the first broken event every time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from sqlalchemy import JSON, Connection, bindparam, select, text

from aml_screen.cli import main
from aml_screen.store import Database
from aml_screen.store.audit import event_hash, event_hash_v2, stored_event_hash, verify_chain
from aml_screen.store.models import AuditEvent, User
from aml_screen.store.triage import add_comment, change_status, take_next
from tests.store.samples import REPO, add_user, load_sample


def build_trail(database: Database) -> int:
    """A realistic trail: accounts created, the sample batch uploaded and loaded, an alert
    taken, commented in French and closed. Returns the number of events."""
    add_user(database, "moussa", "analyst")
    add_user(database, "aminata", "investigator", language="fr")
    load_sample(database, uploader="moussa")
    with database.transaction() as session:
        me = session.scalars(select(User).where(User.username == "aminata")).one()
        alert = take_next(session, me)
        assert alert is not None
        add_comment(session, alert.id, me,
                    "Iyad Ag Ghaly : même date de naissance que l'entrée ONU, vérifié")
        change_status(session, alert.id, me, "closed", alert.version,
                      disposition="suspicious_reported", reason="Correspondance confirmée")
    with database.transaction() as session:
        return len(session.scalars(select(AuditEvent.id)).all())


def audit_cli(database: Database, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"),
                                       "audit", "verify", *options],
                                env={"AML_SCREEN_DATABASE_URL": database.url})
    return result.exit_code, result.output


def _hash_of(connection: Connection, seq: int) -> str:
    found: str = connection.execute(text("SELECT hash FROM audit_events WHERE seq = :s"),
                                    {"s": seq}).scalar_one()
    return found


def _move(connection: Connection, where: str, shift: int) -> None:
    """Renumber ``seq`` for the rows matching ``where`` without tripping the unique index."""
    connection.execute(text(f"UPDATE audit_events SET seq = -seq WHERE {where}"))  # noqa: S608
    connection.execute(text("UPDATE audit_events SET seq = -seq + :d WHERE seq < 0"),
                       {"d": shift})


def edit_actor(connection: Connection) -> None:
    connection.execute(text("UPDATE audit_events SET actor_name = 'ibrahim' WHERE seq = 4"))


def edit_after_json(connection: Connection) -> None:
    connection.execute(text("UPDATE audit_events SET after = :v WHERE seq = 6")
                       .bindparams(bindparam("v", type_=JSON)),
                       {"v": {"status": "closed", "disposition": "false_positive"}})


def edit_and_rehash(connection: Connection) -> None:
    """The attacker also recomputes the edited event's own hash: the next one breaks."""
    connection.execute(text("UPDATE audit_events SET object_id = '999' WHERE seq = 5"))
    row = connection.execute(select(AuditEvent.__table__)
                             .where(AuditEvent.seq == 5)).one()
    forged = stored_event_hash(row)
    connection.execute(text("UPDATE audit_events SET hash = :h WHERE seq = 5"), {"h": forged})


def delete_middle(connection: Connection) -> None:
    connection.execute(text("DELETE FROM audit_events WHERE seq = 3"))


def delete_first(connection: Connection) -> None:
    connection.execute(text("DELETE FROM audit_events WHERE seq = 1"))


def delete_and_renumber(connection: Connection) -> None:
    connection.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    _move(connection, "seq > 3", -1)


def swap(connection: Connection) -> None:
    connection.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = 5"))
    connection.execute(text("UPDATE audit_events SET seq = 5 WHERE seq = 6"))
    connection.execute(text("UPDATE audit_events SET seq = 6 WHERE seq = -1"))


def _insert(connection: Connection, seq: int, prev_hash: str, digest: str | None) -> None:
    at = connection.execute(select(AuditEvent.at).where(AuditEvent.seq == seq - 1)).scalar_one()
    values = {"at": at, "actor_id": None, "actor_name": "system", "action": "alert.view",
              "object_type": "alert", "object_id": "1", "before": None, "after": None,
              "prev_hash": prev_hash}
    real = event_hash(**values)  # type: ignore[arg-type]
    connection.execute(AuditEvent.__table__.insert().values(
        seq=seq, hash=digest or real, **values))


def insert_naive(connection: Connection) -> None:
    """A row pushed in at #4 with a made-up hash."""
    _move(connection, "seq >= 4", 1)
    _insert(connection, 4, _hash_of(connection, 3), "ab" * 32)


def insert_forged(connection: Connection) -> None:
    """A row pushed in at #4 with a correct link and hash: #5 no longer links to it."""
    _move(connection, "seq >= 4", 1)
    _insert(connection, 4, _hash_of(connection, 3), None)


def append_naive(connection: Connection) -> None:
    last = connection.execute(text("SELECT max(seq) FROM audit_events")).scalar_one()
    _insert(connection, last + 1, "cd" * 32, "ab" * 32)


@dataclass(frozen=True)
class Tamper:
    change: Callable[[Connection], None]
    seq: int
    problem: str


def edit_payload_digest_too(connection: Connection) -> None:
    """The attacker edits the payload and its digest: the event's own hash breaks."""
    connection.execute(text("UPDATE audit_events SET before = NULL, after = NULL, "
                            "payload_sha256 = :d WHERE seq = 6"),
                       {"d": hashlib.sha256(b'{"after":null,"before":null}').hexdigest()})


def fake_redaction(connection: Connection) -> None:
    """Marking an event redacted does not let its payload be edited: while there is a
    payload it is checked against its digest."""
    connection.execute(text("UPDATE audit_events SET redacted_at = at, after = :v WHERE seq = 6")
                       .bindparams(bindparam("v", type_=JSON)), {"v": {"status": "new"}})


TAMPERS = {
    "edit actor": Tamper(edit_actor, 4, "altered"),
    "edit after JSON": Tamper(edit_after_json, 6, "altered"),
    "edit the payload and its digest": Tamper(edit_payload_digest_too, 6, "altered"),
    "edit a payload marked redacted": Tamper(fake_redaction, 6, "altered"),
    "edit and rehash": Tamper(edit_and_rehash, 6, "misplaced"),
    "delete a middle event": Tamper(delete_middle, 3, "missing"),
    "delete the first event": Tamper(delete_first, 1, "missing"),
    "delete and renumber": Tamper(delete_and_renumber, 3, "misplaced"),
    "swap two events": Tamper(swap, 5, "misplaced"),
    "insert with a made-up hash": Tamper(insert_naive, 4, "altered"),
    "insert with a forged hash": Tamper(insert_forged, 5, "misplaced"),
}


def test_an_untouched_trail_verifies(database: Database) -> None:
    events = build_trail(database)
    assert events >= 7
    with database.transaction() as session:
        report = verify_chain(session, batch_size=3)  # several fetches
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert report.broken is None
    assert report.events == events
    assert last is not None
    assert (report.head_seq, report.head_hash) == (events, last.hash)
    code, out = audit_cli(database)
    assert code == 0, out
    assert f"#1 to #{events} verified" in out
    assert last.hash in out


@pytest.mark.parametrize("name", list(TAMPERS))
def test_tampering_is_found_at_the_first_broken_event(database: Database, name: str) -> None:
    build_trail(database)
    tamper = TAMPERS[name]
    with database.engine.begin() as connection:
        tamper.change(connection)
    with database.transaction() as session:
        report = verify_chain(session)
        found = session.execute(select(AuditEvent.id)
                                .where(AuditEvent.seq == tamper.seq)).scalar()
    broken = report.broken
    assert broken is not None
    assert (broken.seq, broken.problem) == (tamper.seq, tamper.problem)
    assert report.events == tamper.seq - 1
    if tamper.problem != "missing":
        assert broken.event_id == found
    code, out = audit_cli(database)
    assert code == 1
    assert f"event #{tamper.seq}" in out
    assert {"altered": "edited", "missing": "deleted",
            "misplaced": "inserted, moved or swapped"}[tamper.problem] in out


def test_a_made_up_event_appended_at_the_end_is_found(database: Database) -> None:
    events = build_trail(database)
    with database.engine.begin() as connection:
        append_naive(connection)
    code, out = audit_cli(database)
    assert code == 1
    assert f"event #{events + 1} " in out


def _rebuild_from(connection: Connection, seq: int) -> None:
    """The strongest attacker: edits event ``seq`` and recomputes every hash after it."""
    connection.execute(text("UPDATE audit_events SET actor_name = 'ibrahim' WHERE seq = :s"),
                       {"s": seq})
    prev = _hash_of(connection, seq - 1)
    table = AuditEvent.__table__
    for row in connection.execute(select(table).where(table.c.seq >= seq)
                                  .order_by(table.c.seq)).all():
        digest = event_hash_v2(at=row.at, actor_id=row.actor_id, actor_name=row.actor_name,
                               action=row.action, object_type=row.object_type,
                               object_id=row.object_id, payload_sha256=row.payload_sha256,
                               prev_hash=prev)
        connection.execute(text("UPDATE audit_events SET prev_hash = :p, hash = :h "
                                "WHERE seq = :s"), {"p": prev, "h": digest, "s": row.seq})
        prev = digest


def test_an_earlier_head_finds_deleted_last_events(database: Database) -> None:
    events = build_trail(database)
    with database.engine.begin() as connection:
        head = f"{events}:{_hash_of(connection, events)}"
        connection.execute(text("DELETE FROM audit_events WHERE seq >= :s"), {"s": events - 1})
    with database.transaction() as session:
        assert verify_chain(session).broken is None  # the chain alone cannot tell
    code, out = audit_cli(database, "--expect", head)
    assert code == 1
    assert f"event #{events - 1}: it is missing (deleted) and so is every event after" in out


def test_an_earlier_head_finds_a_rebuilt_chain(database: Database) -> None:
    events = build_trail(database)
    with database.engine.begin() as connection:
        head = (events - 1, _hash_of(connection, events - 1))
        _rebuild_from(connection, 2)
    with database.transaction() as session:
        assert verify_chain(session).broken is None
        broken = verify_chain(session, anchor=head).broken
    assert broken is not None
    assert (broken.seq, broken.problem) == (events - 1, "rewritten")
    code, out = audit_cli(database, "--expect", f"{head[0]}:{head[1]}")
    assert code == 1
    assert f"event #{events - 1} (" in out
    code, out = audit_cli(database)  # without the anchor the rebuilt chain looks intact
    assert code == 0
