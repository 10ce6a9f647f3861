"""Administering accounts: role changes, enabling, password resets. Each change leaves exactly
its audit event, the chain still verifies, and nobody can remove the last active admin."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from aml_screen.store import AccountError, Database, NotFoundError
from aml_screen.store.accounts import (
    authenticate,
    disable_user,
    enable_user,
    get_user,
    list_users,
    reset_password,
    resolve_session,
    set_role,
    start_session,
)
from aml_screen.store.audit import verify_chain
from aml_screen.store.models import AuditEvent, User
from tests.store.samples import PASSWORD, add_user

NEW_PASSWORD = "Niamey-Agadez 2026"  # noqa: S105 (test account only)


def _events_after(database: Database, seq: int) -> list[tuple[str, str, str, Any, Any]]:
    """(actor, action, object id, before, after) of the events recorded after ``seq``."""
    with database.transaction() as session:
        rows = session.execute(select(AuditEvent.actor_name, AuditEvent.action,
                                      AuditEvent.object_id, AuditEvent.before,
                                      AuditEvent.after)
                               .where(AuditEvent.seq > seq).order_by(AuditEvent.seq)).all()
    return [tuple(row) for row in rows]


def _head(database: Database) -> int:
    with database.transaction() as session:
        return verify_chain(session).head_seq


def _intact(database: Database) -> bool:
    with database.transaction() as session:
        report = verify_chain(session)
    return report.broken is None and report.events > 0


@pytest.fixture
def team(database: Database) -> dict[str, int]:
    return {name: add_user(database, name, role) for name, role in
            (("root", "admin"), ("fatou", "investigator"), ("salif", "supervisor"))}


def test_a_role_change_is_audited_with_before_and_after(database: Database,
                                                        team: dict[str, int]) -> None:
    head = _head(database)
    with database.transaction() as session:
        root = get_user(session, "root")
        changed = set_role(session, "fatou", "supervisor", actor=root)
        assert changed.role == "supervisor"
    assert _events_after(database, head) == [
        ("root", "user.role", str(team["fatou"]), {"role": "investigator"},
         {"role": "supervisor"})]
    assert _intact(database)


def test_setting_the_same_role_records_nothing(database: Database,
                                               team: dict[str, int]) -> None:
    head = _head(database)
    with database.transaction() as session:
        set_role(session, "salif", "supervisor")
    assert _events_after(database, head) == []


@pytest.mark.parametrize(("name", "role", "key"), [
    ("fatou", "boss", "account.bad_role"),
    ("root", "auditor", "admin.last_admin"),
])
def test_bad_role_changes_are_refused_and_leave_no_event(database: Database,
                                                         team: dict[str, int], name: str,
                                                         role: str, key: str) -> None:
    head = _head(database)
    with pytest.raises(AccountError) as info, database.transaction() as session:
        set_role(session, name, role)
    assert info.value.key == key
    with database.transaction() as session:
        assert get_user(session, name).role != role
    assert _events_after(database, head) == []


def test_an_unknown_user_is_not_found(database: Database, team: dict[str, int]) -> None:
    with pytest.raises(NotFoundError), database.transaction() as session:
        set_role(session, "nobody", "analyst")


def test_the_last_active_admin_can_be_demoted_once_another_admin_exists(
        database: Database, team: dict[str, int]) -> None:
    with database.transaction() as session:
        set_role(session, "salif", "admin")
        set_role(session, "root", "auditor")
    with database.transaction() as session:
        admins = [u.username for u in list_users(session) if u.role == "admin"]
    assert admins == ["salif"]


def test_a_disabled_admin_does_not_count_as_the_remaining_admin(
        database: Database, team: dict[str, int]) -> None:
    add_user(database, "aissata", "admin")
    with database.transaction() as session:
        disable_user(session, "aissata")
    with pytest.raises(AccountError) as info, database.transaction() as session:
        disable_user(session, "root")
    assert info.value.key == "admin.last_admin"
    with database.transaction() as session:
        assert get_user(session, "root").active


def test_disable_then_enable(database: Database, team: dict[str, int]) -> None:
    with database.transaction() as session:
        token = start_session(session, get_user(session, "fatou"), "10.0.0.7")
    head = _head(database)
    with database.transaction() as session:
        root = get_user(session, "root")
        disable_user(session, "fatou", actor=root)
        disable_user(session, "fatou", actor=root)  # already disabled: no second event
    with database.transaction() as session:
        assert resolve_session(session, token) is None
    assert authenticate(database, "fatou", PASSWORD, "10.0.0.7").user is None
    with database.transaction() as session:
        enable_user(session, "fatou", actor=get_user(session, "root"))
        enable_user(session, "fatou")  # already active: no second event
    assert authenticate(database, "fatou", PASSWORD, "10.0.0.8").user is not None
    with database.transaction() as session:
        assert resolve_session(session, token) is None  # the old session stays ended
    fatou = str(team["fatou"])
    assert [e for e in _events_after(database, head) if e[1] != "auth.login_failed"] == [
        ("root", "user.disable", fatou, {"active": True},
         {"active": False, "sessions_ended": 1}),
        ("root", "user.enable", fatou, {"active": False}, {"active": True}),
    ]
    assert _intact(database)


def test_a_password_reset_ends_sessions_and_changes_the_password(
        database: Database, team: dict[str, int]) -> None:
    with database.transaction() as session:
        fatou = get_user(session, "fatou")
        tokens = [start_session(session, fatou, "10.0.0.7"),
                  start_session(session, fatou, "10.0.0.9")]
    head = _head(database)
    with database.transaction() as session:
        reset_password(session, "fatou", NEW_PASSWORD, actor=get_user(session, "root"))
    with database.transaction() as session:
        assert [resolve_session(session, token) for token in tokens] == [None, None]
    assert authenticate(database, "fatou", NEW_PASSWORD, "10.0.0.1").user is not None
    assert _events_after(database, head) == [
        ("root", "user.password", str(team["fatou"]), None, {"sessions_ended": 2})]
    with database.transaction() as session:
        stored = session.scalars(select(User.password_hash)
                                 .where(User.username == "fatou")).one()
    assert NEW_PASSWORD not in stored
    assert _intact(database)


def test_a_short_reset_password_is_refused(database: Database, team: dict[str, int]) -> None:
    head = _head(database)
    with pytest.raises(AccountError) as info, database.transaction() as session:
        reset_password(session, "fatou", "court")
    assert info.value.key == "account.short_password"
    assert _events_after(database, head) == []


def test_list_users_is_sorted_by_name(database: Database, team: dict[str, int]) -> None:
    add_user(database, "aicha", "auditor")
    with database.transaction() as session:
        names = [u.username for u in list_users(session)]
    assert names == ["aicha", "fatou", "root", "salif"]
