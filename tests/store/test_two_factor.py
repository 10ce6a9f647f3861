"""Two-factor log-in in the store: enrolment, activation, codes at fixed times computed with
pyotp as an authenticator app would, replays and spent recovery codes refused, the throttle,
the admin's reset, and the audit chain after all of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from aml_screen.cli import main
from aml_screen.store import AccountError, Database, open_database
from aml_screen.store.accounts import (
    SessionLimits,
    authenticate,
    resolve_pending,
    resolve_session,
    start_session,
)
from aml_screen.store.audit import verify_chain
from aml_screen.store.login_throttle import LoginLimits
from aml_screen.store.models import AuditEvent, TwoFactor, User
from aml_screen.store.secret_box import SecretBox
from aml_screen.store.two_factor import (
    activate,
    begin_enrolment,
    is_active,
    pending_enrolment,
    reset,
    second_step,
    status,
)
from tests.store.samples import PASSWORD, REPO, add_user

BOX = SecretBox("the web's secret key, for tests")
T0 = datetime(2026, 1, 5, 10, 0, 0, tzinfo=UTC)
"""Codes made at fixed times, before the tests run (real time comes later)."""


def _enrolled(database: Database, name: str = "salif") -> tuple[str, list[str]]:
    """``name`` (a supervisor) with two-factor log-in in force; their secret and recovery
    codes."""
    add_user(database, name, "supervisor")
    with database.transaction() as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        secret = begin_enrolment(session, user, BOX).secret
        codes = activate(session, user, BOX, pyotp.TOTP(secret).at(T0), "10.0.0.1", now=T0)
    assert codes is not None
    return secret, codes


def _pending(database: Database, name: str = "salif") -> str:
    """A session of ``name`` whose password was right, awaiting the code."""
    with database.transaction() as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        return start_session(session, user, "10.0.0.1", awaiting_code=True)


def _wrong_code(secret: str) -> str:
    """Six digits that are none of the codes accepted now."""
    totp = pyotp.TOTP(secret)
    now = datetime.now(UTC)
    valid = {totp.at(now + timedelta(seconds=s)) for s in (-60, -30, 0, 30, 60)}
    return next(c for c in ("123456", "654321", "111111", "222222", "999999", "000000")
                if c not in valid)


def _actions(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_enrolment_counts_only_once_a_code_is_typed(database: Database) -> None:
    add_user(database, "salif", "supervisor")
    with database.transaction() as session:
        user = session.scalars(select(User)).one()
        enrolment = begin_enrolment(session, user, BOX)
        assert enrolment.uri.startswith("otpauth://totp/aml-screen:salif?secret=")
        assert not is_active(session, user.id)
        stored = session.get_one(TwoFactor, user.id).secret
        assert enrolment.secret not in stored  # sealed, not in clear
        assert pending_enrolment(session, user, BOX) == enrolment
        assert pending_enrolment(session, user, SecretBox("another key")) is None
        wrong = activate(session, user, BOX, "000000", "10.0.0.1", now=T0)
        code = pyotp.TOTP(enrolment.secret).at(T0)
        assert wrong is None or code == "000000"
        codes = activate(session, user, BOX, code, "10.0.0.1", now=T0 + timedelta(seconds=20))
        assert codes is not None
        assert len(set(codes)) == 10
        assert all(len(c) == 19 and c.count("-") == 3 for c in codes)
        assert is_active(session, user.id)
        assert status(session, user).recovery_codes_left == 10
        with pytest.raises(AccountError):
            begin_enrolment(session, user, BOX)  # in force: only an admin's reset restarts
    assert _actions(database)[-3:] == ["auth.two_factor_enrolled", "auth.two_factor_failed",
                                       "auth.two_factor_activated"]


def test_a_right_password_awaits_the_code(database: Database) -> None:
    _enrolled(database)
    add_user(database, "fatou", "investigator")
    assert authenticate(database, "salif", PASSWORD, "10.0.0.1").second_factor
    assert not authenticate(database, "fatou", PASSWORD, "10.0.0.1").second_factor
    token = _pending(database)
    with database.transaction() as session:
        assert resolve_session(session, token) is None  # the password alone opens nothing
        assert resolve_pending(session, token) is not None
        assert resolve_pending(session, token, datetime.now(UTC) + timedelta(minutes=6)) is None


def test_a_code_logs_in_once_per_step(database: Database) -> None:
    secret, _ = _enrolled(database)
    totp = pyotp.TOTP(secret)
    later = T0 + timedelta(minutes=2)
    first = second_step(database, _pending(database), totp.at(later), "10.0.0.1", BOX,
                        LoginLimits(), now=later)
    assert first.token is not None
    assert first.refusal is None
    with database.transaction() as session:
        assert resolve_session(session, first.token) is not None
    replay = second_step(database, _pending(database), totp.at(later), "10.0.0.1", BOX,
                         LoginLimits(), now=later + timedelta(seconds=5))
    assert (replay.token, replay.refusal) == (None, "two_factor.wrong_code")
    earlier = second_step(database, _pending(database), totp.at(later - timedelta(seconds=30)),
                          "10.0.0.1", BOX, LoginLimits(), now=later + timedelta(seconds=6))
    assert earlier.token is None  # a step before the last one used: refused too
    drift = later + timedelta(seconds=60)
    next_one = second_step(database, _pending(database), totp.at(drift + timedelta(seconds=30)),
                           "10.0.0.1", BOX, LoginLimits(), now=drift)
    assert next_one.token is not None  # the phone a step ahead: accepted
    actions = _actions(database)
    assert actions.count("auth.two_factor_failed") == 2
    assert actions[-1] == "auth.login"


def test_a_recovery_code_logs_in_once(database: Database) -> None:
    _, codes = _enrolled(database)
    typed = codes[3].lower().replace("-", " ")  # as a person may type it
    used = second_step(database, _pending(database), typed, "10.0.0.1", BOX, LoginLimits())
    assert used.token is not None
    again = second_step(database, _pending(database), codes[3], "10.0.0.1", BOX, LoginLimits())
    assert (again.token, again.refusal) == (None, "two_factor.wrong_code")
    with database.transaction() as session:
        user = session.scalars(select(User)).one()
        assert status(session, user).recovery_codes_left == 9
        login = session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login")
                                .order_by(AuditEvent.seq.desc())).first()
        assert login is not None
        assert login.after == {"remote_addr": "10.0.0.1",
                                                     "second_factor": "recovery_code"}
    assert _actions(database).count("auth.recovery_code_used") == 1


def test_wrong_codes_are_throttled_like_passwords(database: Database) -> None:
    secret, _ = _enrolled(database)
    limits = LoginLimits(pair=3)
    token = _pending(database)
    outcomes = [second_step(database, token, _wrong_code(secret), "10.0.0.9", BOX, limits)
                for _ in range(5)]
    assert [o.refusal for o in outcomes[:3]] == ["two_factor.wrong_code"] * 3
    assert [o.refusal for o in outcomes[3:]] == ["auth.throttled"] * 2
    assert outcomes[-1].retry_after > 0
    actions = _actions(database)
    assert "auth.login_throttled" in actions


def test_a_right_password_does_not_wipe_failed_codes(database: Database) -> None:
    """Otherwise password, three guesses, password, three guesses... would never slow."""
    secret, _ = _enrolled(database)
    limits = LoginLimits(pair=3)
    refusals = []
    for _ in range(2):
        assert authenticate(database, "salif", PASSWORD, "10.0.0.9", limits).second_factor
        refusals.append(second_step(database, _pending(database), _wrong_code(secret),
                                    "10.0.0.9", BOX, limits).refusal)
    assert refusals == ["two_factor.wrong_code", "auth.throttled"]


def test_an_admin_resets_and_the_chain_verifies(database: Database) -> None:
    _enrolled(database)
    add_user(database, "root", "admin")
    token = second_step(database, _pending(database), _enrolled_code(database), "10.0.0.1",
                        BOX, LoginLimits()).token
    assert token is not None
    with database.transaction() as session:
        admin = session.scalars(select(User).where(User.username == "root")).one()
        reset(session, "salif", actor=admin)
        assert not is_active(session, session.scalars(
            select(User.id).where(User.username == "salif")).one())
        assert resolve_session(session, token) is None  # their sessions ended
        with pytest.raises(AccountError):
            reset(session, "salif", actor=admin)
        event = session.scalars(select(AuditEvent)
                                .where(AuditEvent.action == "user.two_factor_reset")).one()
        assert (event.actor_name, event.after) == ("root", {"sessions_ended": 1})
        assert verify_chain(session).broken is None
    assert not authenticate(database, "salif", PASSWORD, "10.0.0.1").second_factor


def _enrolled_code(database: Database) -> str:
    """The current code of salif's authenticator (read back as the app would hold it)."""
    with database.transaction() as session:
        user = session.scalars(select(User).where(User.username == "salif")).one()
        secret = BOX.open(session.get_one(TwoFactor, user.id).secret)
    assert secret is not None
    return pyotp.TOTP(secret).now()


def test_sessions_end_when_idle_or_too_old(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    limits = SessionLimits(idle=timedelta(minutes=30), max_age=timedelta(hours=1))
    with database.transaction() as session:
        user = session.scalars(select(User)).one()
        busy, idle = start_session(session, user, "10.0.0.1"), start_session(
            session, user, "10.0.0.1")
        now = datetime.now(UTC)
        for minutes in (20, 40, 59):  # used every 20 minutes: never idle
            assert resolve_session(session, busy, now + timedelta(minutes=minutes),
                                   limits) is not None
        assert resolve_session(session, busy, now + timedelta(minutes=61), limits) is None
        assert resolve_session(session, idle, now + timedelta(minutes=31), limits) is None


def test_the_command_line_resets_a_second_factor(url: str) -> None:
    """The way back in when the only admin lost their phone: ``users reset-2fa``."""
    database = open_database(url)
    try:
        _enrolled(database, "root")
    finally:
        database.dispose()
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"), "users",
                                       "reset-2fa", "root"],
                                env={"AML_SCREEN_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "two-factor log-in of root reset" in result.output
    again = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"), "users",
                                      "reset-2fa", "root"],
                               env={"AML_SCREEN_DATABASE_URL": url})
    assert again.exit_code == 2
    assert "no two-factor log-in to reset" in again.output
