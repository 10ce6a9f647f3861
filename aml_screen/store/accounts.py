"""Accounts: creating and administering users (role, enable/disable, password reset),
checking passwords (argon2, throttled by ``login_throttle``; the policy is in ``passwords``)
and the server-side sessions behind the web cookie, with their idle and absolute time-outs.
Every change is audited in the caller's transaction (log-in checks run their own short
transactions: see ``authenticate``). The second step of a log-in with two factors is in
``two_factor``; log-in through an OpenID Connect provider in ``sso_accounts``."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from aml_screen.i18n import LANGUAGES
from aml_screen.settings import Settings
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.database import Database
from aml_screen.store.errors import AccountError, NotFoundError
from aml_screen.store.login_throttle import LoginLimits, audit_failure, release, reserve
from aml_screen.store.models import ROLES, SsoIdentity, TwoFactor, User, UserSession
from aml_screen.store.passwords import check_password

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
CODE_WAIT = timedelta(minutes=5)
"""How long a session that awaits the second factor stays open for the code."""

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")


@dataclass(frozen=True)
class LoginOutcome:
    """The user on success; otherwise the message key and how long to wait (throttled)."""

    user: User | None
    refusal: str | None = None
    retry_after: int = 0
    second_factor: bool = False
    """The password was right and the user has two-factor log-in: a code is still needed
    (the try stays counted by the throttle until the code is given)."""


@dataclass(frozen=True)
class SessionLimits:
    """When a session ends by itself (``Settings.session_*``)."""

    idle: timedelta = timedelta(minutes=30)
    max_age: timedelta = timedelta(hours=12)

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionLimits:
        return cls(idle=timedelta(minutes=settings.session_idle_minutes),
                   max_age=timedelta(hours=settings.session_max_hours))


def secret_digest(secret: str) -> str:
    """How a random secret (a session token, an API token) is kept: SHA-256 suffices, the
    secret being hundreds of random bits, not a password a person chose, so there is no
    dictionary to try and no need for a slow hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(session: Session, username: str, role: str, password: str,
                language: str = "en", actor: User | None = None) -> User:
    """A new active user; the password is stored only as an argon2 hash."""
    if not USERNAME.match(username):
        raise AccountError("account.bad_username", username=username)
    if role not in ROLES:
        raise AccountError("account.bad_role", role=role, roles=", ".join(ROLES))
    check_password(password)
    if language not in LANGUAGES:
        raise AccountError("account.bad_language", language=language)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError("account.exists", username=username)
    user = User(username=username, role=role, password_hash=_hasher.hash(password),
                language=language, active=True)
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", user.id,
           after={"username": username, "role": role, "language": language})
    return user


def set_password(session: Session, user: User, password: str,
                 actor: User | None = None) -> None:
    """Replace a password; the user's open sessions end (a leaked one is cut off). An
    account of single sign-on gets none: a password would let it in past the provider's
    multi-factor log-in and past the removal of its groups."""
    if session.get(SsoIdentity, user.id) is not None:
        raise AccountError("account.signs_in_with_provider", username=user.username)
    check_password(password)
    user.password_hash = _hasher.hash(password)
    ended = end_sessions(session, user)
    record(session, actor, "user.password", "user", user.id, after={"sessions_ended": ended})


def reset_password(session: Session, username: str, password: str,
                   actor: User | None = None) -> User:
    """An administrator sets a new password for ``username``; their open sessions end."""
    user = get_user(session, username)
    set_password(session, user, password, actor)
    return user


def end_sessions(session: Session, user: User) -> int:
    """End every open session of ``user``; returns how many were open."""
    result = session.execute(update(UserSession)
                             .where(UserSession.user_id == user.id,
                                    UserSession.ended_at.is_(None))
                             .values(ended_at=utcnow(), id_token=None))
    return int(getattr(result, "rowcount", 0) or 0)


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError("account.unknown_user", username=username)
    return user


def _password_matches(user: User | None, password: str) -> bool:
    """Unknown users cost the same hash check as known ones (no user-name probing by
    timing); a disabled user's right password does not match."""
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None and user.active


def authenticate(database: Database, username: str, password: str, remote_addr: str,
                 limits: LoginLimits | None = None, now: datetime | None = None
                 ) -> LoginOutcome:
    """Check a log-in, throttled (``login_throttle``): the try is reserved and committed
    first, then the password is checked outside any transaction (the slow hash holds no
    lock), then the reservation is given back (success) or the failure audited. A user with
    two-factor log-in keeps the try counted until their code is accepted: otherwise each
    right password would wipe the failed codes before it and codes could be guessed
    without end."""
    limits = limits or LoginLimits()
    now = now or utcnow()
    with database.transaction() as session:
        held = reserve(session, username, remote_addr, limits, now)
    if isinstance(held, int):
        return LoginOutcome(None, "auth.throttled", held)
    with database.transaction() as session:
        found = session.scalar(select(User).where(User.username == username))
    valid = _password_matches(found, password)
    with database.transaction() as session:
        if not valid or found is None:
            audit_failure(session, held, limits)
            return LoginOutcome(None, "auth.bad_credentials")
        user = session.get_one(User, found.id)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        factor = session.get(TwoFactor, user.id)
        if factor is not None and factor.activated_at is not None:
            return LoginOutcome(user, second_factor=True)
        release(session, held)
        return LoginOutcome(user)


def start_session(session: Session, user: User, remote_addr: str, *,
                  awaiting_code: bool = False, second_factor: str | None = None,
                  id_token: str | None = None, limits: SessionLimits | None = None) -> str:
    """A new server-side session; returns the token for the cookie (only its hash is kept).
    ``awaiting_code``: the password (or the provider) was right, the second factor is still
    to come (the log-in is audited once that is given, with ``second_factor``: how).
    ``id_token``: the provider's, when single sign-on opened the session. ``limits`` (the
    deployment's): the user's sessions that can no longer open a page are deleted first
    (``forget_sessions``)."""
    if limits is not None:
        forget_sessions(session, user, utcnow(), limits)
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_sha256=secret_digest(token), user_id=user.id,
                            remote_addr=remote_addr[:64], awaiting_code=awaiting_code,
                            id_token=id_token))
    if not awaiting_code:
        after: dict[str, object] = {"remote_addr": remote_addr}
        if second_factor:
            after["second_factor"] = second_factor
        if id_token is not None:
            after["single_sign_on"] = True
        record(session, user, "auth.login", "user", user.id, after=after)
    return token


def forget_sessions(session: Session, user: User, now: datetime,
                    limits: SessionLimits) -> int:
    """Delete ``user``'s sessions that can never open a page again — ended, older than
    ``limits.max_age`` or idle longer than ``limits.idle`` (a pending one: ``CODE_WAIT``)
    — and return how many. Done at each log-in, so the table holds about the open sessions
    instead of one row per log-in for ever (most sessions are never logged out of, only
    left; the log-ins themselves stay in the audit trail)."""
    result = session.execute(delete(UserSession).where(
        UserSession.user_id == user.id,
        or_(UserSession.ended_at.is_not(None),
            UserSession.created_at < now - limits.max_age,
            UserSession.last_seen_at < now - max(limits.idle, CODE_WAIT))))
    return int(getattr(result, "rowcount", 0) or 0)


def _open_session(session: Session, token: str, now: datetime, awaiting_code: bool,
                  idle: timedelta, max_age: timedelta) -> tuple[UserSession, User] | None:
    """The session of ``token`` and its user while it is open (ended at once when it has
    outlived ``idle`` or ``max_age``), of the kind ``awaiting_code`` says."""
    found = session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                            .where(UserSession.token_sha256 == secret_digest(token),
                                   UserSession.awaiting_code.is_(awaiting_code))).first()
    if found is None:
        return None
    row, user = found
    if row.ended_at is not None:
        return None
    if now - row.last_seen_at > idle or now - row.created_at > max_age:
        row.ended_at, row.id_token = now, None
        return None
    if not user.active:
        return None
    return row, user


def resolve_session(session: Session, token: str, now: datetime | None = None,
                    limits: SessionLimits | None = None) -> User | None:
    """The user behind a session token, or None when it was ended, has expired, its user
    was disabled or it still awaits the second factor. Refreshes the idle clock at most once
    a minute."""
    now = now or utcnow()
    limits = limits or SessionLimits()
    found = _open_session(session, token, now, False, limits.idle, limits.max_age)
    if found is None:
        return None
    row, user = found
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return user


def resolve_pending(session: Session, token: str, now: datetime | None = None
                    ) -> tuple[UserSession, User] | None:
    """The session awaiting a second factor behind ``token`` and its user, for at most
    ``CODE_WAIT`` after the password was given."""
    return _open_session(session, token, now or utcnow(), True, CODE_WAIT, CODE_WAIT)


def end_session(session: Session, token: str, user: User) -> str | None:
    """Log-out: the token is refused from now on, even if the cookie is replayed. Returns
    the provider's ID token when single sign-on opened the session (for the log-out at the
    provider), which is no longer kept."""
    digest = secret_digest(token)
    id_token = session.scalar(select(UserSession.id_token)
                              .where(UserSession.token_sha256 == digest))
    session.execute(update(UserSession)
                    .where(UserSession.token_sha256 == digest,
                           UserSession.ended_at.is_(None))
                    .values(ended_at=utcnow(), id_token=None))
    record(session, user, "auth.logout", "user", user.id)
    return id_token


def opened_by_provider(session: Session, token: str) -> bool:
    """Whether single sign-on opened the session of ``token`` (the provider then stands
    for this app's second factor, ``oidc_trust_provider_mfa``)."""
    found = session.scalar(select(UserSession.id_token)
                           .where(UserSession.token_sha256 == secret_digest(token)))
    return found is not None


def list_users(session: Session) -> list[User]:
    """Every account, by user name."""
    return list(session.scalars(select(User).order_by(User.username)))


def active_usernames(session: Session) -> list[str]:
    """The names of the accounts that can sign in, in order (assignee menus)."""
    return list(session.scalars(select(User.username).where(User.active.is_(True))
                                .order_by(User.username)))


def usernames(session: Session, ids: set[int]) -> dict[int, str]:
    """User id -> name for ``ids`` (one query; none for an empty set)."""
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def _other_active_admins(session: Session, user: User) -> int:
    found = session.scalar(select(func.count()).select_from(User)
                           .where(User.role == "admin", User.active.is_(True),
                                  User.id != user.id))
    return int(found or 0)


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse a change that would leave nobody able to manage accounts from the browser."""
    if user.role == "admin" and user.active and _other_active_admins(session, user) == 0:
        raise AccountError("admin.last_admin", username=user.username)


def set_role(session: Session, username: str, role: str, actor: User | None = None) -> User:
    """Give ``username`` another role (effective on their next request: the web reads the
    role from the store each time). The last active admin keeps theirs."""
    if role not in ROLES:
        raise AccountError("account.bad_role", role=role, roles=", ".join(ROLES))
    user = get_user(session, username)
    if user.role == role:
        return user
    if role != "admin":
        _keep_an_admin(session, user)
    record(session, actor, "user.role", "user", user.id, before={"role": user.role},
           after={"role": role})
    user.role = role
    return user


def disable_user(session: Session, username: str, actor: User | None = None) -> User:
    """Deactivate a user and end every one of their sessions at once. The last active admin
    cannot be disabled; disabling a disabled user changes (and records) nothing."""
    user = get_user(session, username)
    if not user.active:
        return user
    _keep_an_admin(session, user)
    user.active = False
    ended = end_sessions(session, user)
    record(session, actor, "user.disable", "user", user.id, before={"active": True},
           after={"active": False, "sessions_ended": ended})
    return user


def enable_user(session: Session, username: str, actor: User | None = None) -> User:
    """Let a disabled user log in again (their old sessions stay ended)."""
    user = get_user(session, username)
    if user.active:
        return user
    user.active = True
    record(session, actor, "user.enable", "user", user.id, before={"active": False},
           after={"active": True})
    return user


def set_language(session: Session, user: User, language: str) -> None:
    if language not in LANGUAGES:
        raise AccountError("account.bad_language", language=language)
    if user.language != language:
        record(session, user, "user.language", "user", user.id,
               before={"language": user.language}, after={"language": language})
        user.language = language
