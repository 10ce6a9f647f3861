"""``aml-screen audit verify`` from the command line: accounts created with ``users create``
are audited, the answer is in English or French, and the exit code tells scripts the verdict."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from aml_screen.store import open_database
from aml_screen.store.models import AuditEvent
from tests.cli.store_cli import run_on_store

PASSWORD = "sable du Ténéré 2026"  # noqa: S105 (test account only)


def _create(url: str, name: str, role: str) -> None:
    code, out, err = run_on_store(url, "users", "create", name, "--role", role,
                                  "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, out + err


def test_an_empty_trail_verifies(url: str) -> None:
    code, out, _ = run_on_store(url, "audit", "verify")
    assert (code, out) == (0, "audit trail intact: no event recorded yet\n")


def test_creating_users_is_audited_and_the_chain_verifies(url: str) -> None:
    _create(url, "root", "admin")
    _create(url, "aissatou", "auditor")
    database = open_database(url)
    try:
        with database.transaction() as session:
            events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    finally:
        database.dispose()
    assert [(e.seq, e.action, e.actor_name) for e in events] == [
        (1, "user.create", "system"), (2, "user.create", "system")]
    assert events[1].after == {"username": "aissatou", "role": "auditor", "language": "en"}
    assert "password" not in str(events[1].after)
    code, out, _ = run_on_store(url, "audit", "verify")
    assert code == 0
    assert f"events #1 to #2 verified; head 2:{events[1].hash} " in out


def test_a_broken_chain_is_reported_in_french(url: str) -> None:
    for name in ("root", "boubacar", "mariam"):
        _create(url, name, "investigator")
    database = open_database(url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE audit_events SET after = NULL WHERE seq = 2"))
    finally:
        database.dispose()
    code, out, _ = run_on_store(url, "--lang", "fr", "audit", "verify")
    assert code == 1
    assert out.startswith("piste d'audit rompue à l'événement n° 2 (")
    assert "user.create" in out
    assert out.endswith("(modifié) ; événements vérifiés avant celui-ci : 1\n")


@pytest.mark.parametrize("anchor", ["12", "12:abc", "0:" + "a" * 64, "x:" + "a" * 64])
def test_a_malformed_expected_head_is_bad_input(url: str, anchor: str) -> None:
    code, _, err = run_on_store(url, "audit", "verify", "--expect", anchor)
    assert code == 2
    assert f"--expect {anchor!r}: expected SEQ:HASH" in err


def test_the_expected_head_is_accepted_as_printed(url: str) -> None:
    _create(url, "root", "admin")
    code, out, _ = run_on_store(url, "audit", "verify")
    head = out.split("head ")[1].split(" ")[0]
    code, again, _ = run_on_store(url, "audit", "verify", "--expect", head.upper())
    assert (code, again) == (0, out)
    code, _, _ = run_on_store(url, "audit", "verify", "--expect", "2" + head[1:])
    assert code == 1
