from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from argon2 import Type, extract_parameters
from sqlalchemy import select

from aml_screen.store import AccountError, Database, StoreError, accounts
from aml_screen.store.accounts import (
    SessionLimits,
    authenticate,
    create_user,
    disable_user,
    end_session,
    resolve_session,
    secret_digest,
    start_session,
)
from aml_screen.store.base import utcnow
from aml_screen.store.login_throttle import LoginLimits, throttle_key
from aml_screen.store.models import AuditEvent, LoginThrottle, User, UserSession
from tests.store.hashing import PRODUCT_HASHER
from tests.store.samples import PASSWORD, add_user


@pytest.mark.parametrize(("username", "role", "password", "language", "key"), [
    ("a", "analyst", PASSWORD, "en", "account.bad_username"),
    ("aïcha<script>", "analyst", PASSWORD, "en", "account.bad_username"),
    ("aicha", "boss", PASSWORD, "en", "account.bad_role"),
    ("aicha", "analyst", "short", "en", "account.short_password"),
    ("aicha", "analyst", PASSWORD, "de", "account.bad_language"),
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


def test_the_products_hash_cost_is_at_least_owasps() -> None:
    """OWASP's password storage minimum for argon2id: 19 MiB, two passes."""
    found = extract_parameters(PRODUCT_HASHER.hash(PASSWORD))
    assert found.type is Type.ID
    assert found.memory_cost >= 19 * 1024
    assert found.time_cost >= 2


def test_a_hash_of_another_cost_is_made_again_at_the_products_at_log_in(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    add_user(database, "fatou", "investigator")  # at the tests' small cost
    monkeypatch.setattr(accounts, "_hasher", PRODUCT_HASHER)
    assert authenticate(database, "fatou", PASSWORD, "10.0.0.1").user is not None
    with database.transaction() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert extract_parameters(stored) == extract_parameters(PRODUCT_HASHER.hash(PASSWORD))
    assert authenticate(database, "fatou", PASSWORD, "10.0.0.1").user is not None


@pytest.mark.parametrize(("username", "password", "ok"), [
    ("fatou", PASSWORD, True),
    ("fatou", PASSWORD + "x", False),
    ("FATOU", PASSWORD, False),
    ("nobody", PASSWORD, False),
])
def test_authenticate(database: Database, username: str, password: str, ok: bool) -> None:
    add_user(database, "fatou", "investigator")
    outcome = authenticate(database, username, password, "10.0.0.1")
    assert (outcome.user is not None) is ok
    assert outcome.refusal == (None if ok else "auth.bad_credentials")


def test_failures_are_delayed_never_locked_out(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    start = utcnow()
    for _ in range(LoginLimits().pair + 2):
        authenticate(database, "fatou", "wrong password", "10.0.0.9", now=start)
    throttled = authenticate(database, "fatou", PASSWORD, "10.0.0.9", now=start)
    elsewhere = authenticate(database, "fatou", PASSWORD, "10.0.0.1", now=start)
    later = authenticate(database, "fatou", PASSWORD, "10.0.0.9",
                         now=start + timedelta(seconds=throttled.retry_after))
    assert throttled.user is None
    assert throttled.refusal == "auth.throttled"
    assert 0 < throttled.retry_after <= 60
    assert elsewhere.user is not None  # failing from one address does not lock the user out
    assert later.user is not None  # the right password works once the delay has passed


def _failures(database: Database, scope: str, username: str, remote: str) -> int:
    with database.transaction() as session:
        row = session.get(LoginThrottle, throttle_key(scope, username, remote))
        return row.failures if row else 0


def _audited(database: Database, prefix: str) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(AuditEvent.action)
                                    .where(AuditEvent.action.startswith(prefix))
                                    .order_by(AuditEvent.seq)))


def test_parallel_wrong_passwords_check_at_most_the_allowance(database: Database) -> None:
    """64 tries at once (the probe's race: 41 checked with 16 at a time, and unique-key
    errors): exactly the allowance is checked, the rest wait, the counter says so."""
    add_user(database, "fatou", "investigator")
    start, limits = utcnow(), LoginLimits()
    gate = threading.Barrier(64)

    def attempt(i: int) -> str | None:
        gate.wait()
        return authenticate(database, "fatou", f"guess {i}", "10.0.0.5", limits,
                            now=start).refusal

    with ThreadPoolExecutor(64) as pool:
        refusals = list(pool.map(attempt, range(64)))
    assert refusals.count("auth.bad_credentials") == limits.pair
    assert refusals.count("auth.throttled") == 64 - limits.pair
    assert _failures(database, "pair", "fatou", "10.0.0.5") == limits.pair


def test_one_password_sprayed_over_many_names_is_slowed(database: Database) -> None:
    start, limits = utcnow(), LoginLimits(address=5)
    refusals = [authenticate(database, f"user{i}", "Summer2026!", "10.0.0.6", limits,
                             now=start).refusal for i in range(12)]
    assert refusals == ["auth.bad_credentials"] * 5 + ["auth.throttled"] * 7
    assert authenticate(database, "user99", "x", "10.0.0.7", limits, now=start).refusal == (
        "auth.bad_credentials")  # another address is not slowed


def test_one_name_tried_from_many_addresses_is_slowed(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    start, limits = utcnow(), LoginLimits(name=4)
    refusals = [authenticate(database, "fatou", "wrong password", f"10.1.0.{i}", limits,
                             now=start).refusal for i in range(6)]
    assert refusals == ["auth.bad_credentials"] * 4 + ["auth.throttled"] * 2
    later = start + timedelta(seconds=limits.max_delay_seconds)
    assert authenticate(database, "fatou", PASSWORD, "10.1.0.9", limits, now=later).user


def test_a_success_gives_its_try_back(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    start = utcnow()
    authenticate(database, "fatou", "wrong password", "10.0.0.8", now=start)
    assert authenticate(database, "fatou", PASSWORD, "10.0.0.8", now=start).user is not None
    assert _failures(database, "pair", "fatou", "10.0.0.8") == 0
    assert _failures(database, "name", "fatou", "10.0.0.8") == 1
    assert _failures(database, "address", "fatou", "10.0.0.8") == 1


def test_a_burst_of_failures_is_audited_in_aggregate(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    start, limits = utcnow(), LoginLimits()
    for i in range(40):  # one a minute: never throttled, each one checked
        authenticate(database, "fatou", "wrong", "10.0.0.4", limits,
                     now=start + timedelta(seconds=61 * i))
    assert _failures(database, "pair", "fatou", "10.0.0.4") == 40
    assert _audited(database, "auth.") == [  # the burst's start, then each counter tripping
        "auth.login_failed", *["auth.login_throttled"] * 3]


def test_sessions_end_at_logout_disable_and_idle_timeout(database: Database) -> None:
    user_id = add_user(database, "fatou", "investigator")
    with database.transaction() as session:
        user = session.get_one(User, user_id)
        first, second, third = (start_session(session, user, "10.0.0.1") for _ in range(3))
        assert resolve_session(session, first) is user
        end_session(session, first, user)
        assert resolve_session(session, first) is None
        assert resolve_session(session, second) is user
        assert resolve_session(session, third, now=utcnow() + SessionLimits().idle * 2) is None
        disable_user(session, "fatou")
        assert resolve_session(session, second) is None
        assert resolve_session(session, "forged-token") is None


def test_a_log_in_forgets_the_users_sessions_that_can_no_longer_open_a_page(
        database: Database) -> None:
    """Ended, too old and idle too long go; the user's open session and other users'
    sessions stay, and the open one still opens pages."""
    fatou, moussa = (add_user(database, name, "investigator") for name in ("fatou", "moussa"))
    limits = SessionLimits(idle=timedelta(minutes=30), max_age=timedelta(hours=12))
    now = utcnow()
    with database.transaction() as session:
        user, other = session.get_one(User, fatou), session.get_one(User, moussa)
        kept, ended, old, idle = (start_session(session, user, "10.0.0.1") for _ in range(4))
        elsewhere = start_session(session, other, "10.0.0.2")
        end_session(session, ended, user)
        rows = {row.token_sha256: row for row in session.scalars(select(UserSession))}
        rows[secret_digest(old)].created_at = now - timedelta(hours=13)
        rows[secret_digest(idle)].last_seen_at = now - timedelta(minutes=31)
        rows[secret_digest(elsewhere)].created_at = now - timedelta(hours=13)
        session.flush()
        new = start_session(session, user, "10.0.0.1", limits=limits)
        left = set(session.scalars(select(UserSession.token_sha256)))
        assert left == {secret_digest(t) for t in (kept, new, elsewhere)}
        assert resolve_session(session, kept, limits=limits) is user


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


def test_an_account_may_read_arabic(database: Database) -> None:
    with database.transaction() as session:
        user = create_user(session, "halime", "investigator", PASSWORD, language="ar")
        assert user.language == "ar"
