from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from aml_screen.store import AccountError, Database, StoreError
from aml_screen.store.accounts import (
    FREE_ATTEMPTS,
    IDLE_TIMEOUT,
    authenticate,
    create_user,
    disable_user,
    end_session,
    resolve_session,
    start_session,
)
from aml_screen.store.base import utcnow
from aml_screen.store.models import AuditEvent, User
from tests.store.samples import PASSWORD, add_user


@pytest.mark.parametrize(("username", "role", "password", "language", "key"), [
    ("a", "analyst", PASSWORD, "en", "account.bad_username"),
    ("aïcha<script>", "analyst", PASSWORD, "en", "account.bad_username"),
    ("aicha", "boss", PASSWORD, "en", "account.bad_role"),
    ("aicha", "analyst", "short", "en", "account.short_password"),
    ("aicha", "analyst", PASSWORD, "ar", "account.bad_language"),
    ("taken", "analyst", PASSWORD, "en", "account.exists"),
])
def test_bad_accounts_are_refused(database: Database, username: str, role: str,
                                  password: str, language: str, key: str) -> None:
    add_user(database, "taken", "auditor")
    with pytest.raises(AccountError) as info, database.transaction() as session:
        create_user(session, username, role, password, language)
    assert info.value.key == key


def test_passwords_are_stored_as_argon2_hashes(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    with database.transaction() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize(("username", "password", "ok"), [
    ("fatou", PASSWORD, True),
    ("fatou", PASSWORD + "x", False),
    ("FATOU", PASSWORD, False),
    ("nobody", PASSWORD, False),
])
def test_authenticate(database: Database, username: str, password: str, ok: bool) -> None:
    add_user(database, "fatou", "investigator")
    with database.transaction() as session:
        outcome = authenticate(session, username, password, "10.0.0.1")
    assert (outcome.user is not None) is ok
    assert outcome.refusal == (None if ok else "auth.bad_credentials")


def test_failures_are_delayed_never_locked_out(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    start = utcnow()
    with database.transaction() as session:
        for _ in range(FREE_ATTEMPTS + 2):
            authenticate(session, "fatou", "wrong password", "10.0.0.9", now=start)
        throttled = authenticate(session, "fatou", PASSWORD, "10.0.0.9", now=start)
        elsewhere = authenticate(session, "fatou", PASSWORD, "10.0.0.1", now=start)
        later = authenticate(session, "fatou", PASSWORD, "10.0.0.9",
                             now=start + timedelta(seconds=throttled.retry_after))
    assert throttled.user is None
    assert throttled.refusal == "auth.throttled"
    assert 0 < throttled.retry_after <= 60
    assert elsewhere.user is not None  # failing from one address does not lock the user out
    assert later.user is not None  # the right password works once the delay has passed


def test_sessions_end_at_logout_disable_and_idle_timeout(database: Database) -> None:
    user_id = add_user(database, "fatou", "investigator")
    with database.transaction() as session:
        user = session.get_one(User, user_id)
        first, second, third = (start_session(session, user, "10.0.0.1") for _ in range(3))
        assert resolve_session(session, first) is user
        end_session(session, first, user)
        assert resolve_session(session, first) is None
        assert resolve_session(session, second) is user
        assert resolve_session(session, third, now=utcnow() + IDLE_TIMEOUT * 2) is None
        disable_user(session, "fatou")
        assert resolve_session(session, second) is None
        assert resolve_session(session, "forged-token") is None


def test_audit_events_are_append_only(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    with pytest.raises(StoreError):
        _tamper(database, delete=False)
    with pytest.raises(StoreError):
        _tamper(database, delete=True)
    with database.transaction() as session:
        assert session.scalars(select(AuditEvent.actor_name)).one() == "system"


def _tamper(database: Database, delete: bool) -> None:
    with database.transaction() as session:
        event = session.scalars(select(AuditEvent)).one()
        if delete:
            session.delete(event)
        else:
            event.actor_name = "someone else"
