"""Two-factor log-in: TOTP (RFC 6238: 6 digits, 30-second steps, SHA-1, as every
authenticator app makes them) with single-use recovery codes.

Enrolment draws a secret (kept sealed by ``secret_box``) that counts for nothing until the
user types a code made from it: only then is two-factor log-in in force, and ten recovery
codes are made and shown that once. At log-in, after the right password, a code or a
recovery code is asked for (``second_step``): the try goes through the log-in throttle like
a password, a code is accepted once per 30-second step (the step of the last code accepted
is kept and a code of that step or an earlier one is refused: no replay), a recovery code
once. An admin resets a user's second factor when they lose their phone.

Every enrolment, activation, recovery code used, reset and wrong code is audited: wrong
codes one event each, since only someone who knew the password gets to type one.

Recovery codes are stored as SHA-256 digests of a per-user salt and the code, not with the
password hasher: each code holds 80 random bits, so there is no dictionary to try and a
slow hash (argon2, tens of milliseconds, times ten codes per try) would cost every log-in
without making a stolen digest any harder to reverse; the salt keeps one user's digests
useless for another's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from aml_screen.store.accounts import (
    SessionLimits,
    end_sessions,
    get_user,
    resolve_pending,
    start_session,
)
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.database import Database
from aml_screen.store.errors import AccountError
from aml_screen.store.login_throttle import LoginLimits, audit_limits, release, reserve
from aml_screen.store.models import RecoveryCode, TwoFactor, User
from aml_screen.store.secret_box import SecretBox

ISSUER = "aml-screen"
"""The name authenticator apps show beside the user name."""
SECRET_LENGTH = 32
"""Base32 characters of a TOTP secret: 160 bits, the length RFC 4226 recommends."""
DRIFT_STEPS = 1
"""Codes of the step before and after the current one are accepted too (a phone's clock a
little off, a code typed as it changed)."""
RECOVERY_COUNT = 10
RECOVERY_BYTES = 10
"""80 random bits per recovery code: 16 base32 characters, shown in groups of four."""
_TOTP_CODE = re.compile(r"\d{6}")


@dataclass(frozen=True)
class Enrolment:
    """A secret waiting for its first code: what the enrolment page shows."""

    secret: str
    uri: str
    """The ``otpauth://`` address the QR code holds."""


@dataclass(frozen=True)
class Status:
    """A user's second factor as their account page tells it."""

    active: bool
    activated_at: datetime | None
    recovery_codes_left: int


@dataclass(frozen=True)
class CodeOutcome:
    """The second step of a log-in: the new session's token, or why not."""

    token: str | None
    refusal: str | None = None
    retry_after: int = 0


def _uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def is_active(session: Session, user_id: int) -> bool:
    """Whether the user logs in with a second factor."""
    found = session.scalar(select(TwoFactor.activated_at).where(TwoFactor.user_id == user_id))
    return found is not None


def enrolled(session: Session) -> dict[int, bool]:
    """User id -> whether two-factor log-in is in force, for every user who began enrolling
    (the accounts page)."""
    rows = session.execute(select(TwoFactor.user_id, TwoFactor.activated_at))
    return {user_id: activated is not None for user_id, activated in rows}


def status(session: Session, user: User) -> Status:
    row = session.get(TwoFactor, user.id)
    left = session.scalar(select(func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.user_id == user.id,
                                 RecoveryCode.used_at.is_(None)))
    active = row is not None and row.activated_at is not None
    return Status(active, row.activated_at if row else None, int(left or 0))


def begin_enrolment(session: Session, user: User, box: SecretBox) -> Enrolment:
    """A new secret for ``user`` (replacing one not yet activated); refused once two-factor
    log-in is in force (an admin resets it first)."""
    row = session.get(TwoFactor, user.id)
    if row is not None and row.activated_at is not None:
        raise AccountError("two_factor.already_active")
    secret = pyotp.random_base32(SECRET_LENGTH)
    if row is None:
        row = TwoFactor(user_id=user.id, recovery_salt=secrets.token_hex(16))
        session.add(row)
    row.secret, row.created_at, row.last_step = box.seal(secret), utcnow(), None
    record(session, user, "auth.two_factor_enrolled", "user", user.id)
    return Enrolment(secret, _uri(secret, user.username))


def pending_enrolment(session: Session, user: User, box: SecretBox) -> Enrolment | None:
    """The secret waiting for its first code, None when there is none (or it was sealed
    under a key since changed: enrolment starts again)."""
    row = session.get(TwoFactor, user.id)
    if row is None or row.activated_at is not None:
        return None
    secret = box.open(row.secret)
    return Enrolment(secret, _uri(secret, user.username)) if secret else None


def _matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The 30-second step whose code ``code`` is, within the drift and after ``last_step``."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(session: Session, user_id: int, step: int) -> bool:
    """Record ``step`` as the last one used, unless it (or a later one) already was: one
    conditional update, so two requests with the same code cannot both pass."""
    result = session.execute(update(TwoFactor)
                             .where(TwoFactor.user_id == user_id,
                                    or_(TwoFactor.last_step.is_(None),
                                        TwoFactor.last_step < step))
                             .values(last_step=step)
                             .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0) == 1


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _clean(code: str) -> str:
    """A code as typed, without spaces or dashes, in capitals."""
    return re.sub(r"[\s-]", "", code).upper()


def format_recovery_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def activate(session: Session, user: User, box: SecretBox, code: str, remote_addr: str,
             now: datetime | None = None) -> list[str] | None:
    """Put two-factor log-in in force once ``code`` matches the enrolled secret; returns the
    recovery codes (shown once, only digests are kept), or None for a wrong code (audited:
    commit the transaction all the same)."""
    now = now or utcnow()
    row = session.get(TwoFactor, user.id)
    if row is None or row.activated_at is not None:
        raise AccountError("two_factor.not_enrolling")
    secret = box.open(row.secret)
    cleaned = _clean(code)
    step = (_matching_step(secret, cleaned, now, None)
            if secret and _TOTP_CODE.fullmatch(cleaned) else None)
    if step is None:
        record(session, user, "auth.two_factor_failed", "user", user.id,
               after={"remote_addr": remote_addr, "step": "activation"})
        return None
    row.activated_at, row.last_step = now, step
    codes = [base64.b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode("ascii")
             for _ in range(RECOVERY_COUNT)]
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(RecoveryCode(user_id=user.id, code_sha256=_digest(row.recovery_salt, c))
                    for c in codes)
    record(session, user, "auth.two_factor_activated", "user", user.id,
           after={"recovery_codes": RECOVERY_COUNT})
    return [format_recovery_code(c) for c in codes]


def _use_recovery_code(session: Session, user: User, row: TwoFactor, code: str,
                       remote_addr: str, now: datetime) -> bool:
    result = session.execute(update(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id,
                                    RecoveryCode.code_sha256 == _digest(row.recovery_salt,
                                                                        code),
                                    RecoveryCode.used_at.is_(None))
                             .values(used_at=now)
                             .execution_options(synchronize_session=False))
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        return False
    record(session, user, "auth.recovery_code_used", "user", user.id,
           after={"remote_addr": remote_addr,
                  "recovery_codes": status(session, user).recovery_codes_left})
    return True


def check_code(session: Session, user: User, box: SecretBox, code: str, remote_addr: str,
               now: datetime) -> str | None:
    """How ``user`` proved the second factor (``totp`` or ``recovery_code``), spending the
    code; None when it is wrong, used already or ``user`` has no second factor."""
    row = session.get(TwoFactor, user.id)
    if row is None or row.activated_at is None:
        return None
    cleaned = _clean(code)
    if _TOTP_CODE.fullmatch(cleaned):
        secret = box.open(row.secret)
        step = _matching_step(secret, cleaned, now, row.last_step) if secret else None
        return "totp" if step is not None and _claim_step(session, user.id, step) else None
    return ("recovery_code" if _use_recovery_code(session, user, row, cleaned, remote_addr, now)
            else None)


def second_step(database: Database, pending_token: str, code: str, remote_addr: str,
                box: SecretBox, limits: LoginLimits, now: datetime | None = None,
                sessions: SessionLimits | None = None) -> CodeOutcome:
    """The code of a log-in whose password was right (the session ``pending_token``): the
    try is counted by the log-in throttle under the user's name and the address; a right
    code ends the pending session and opens a full one (a new token: the one a password
    alone earned never opens a page)."""
    now = now or utcnow()
    with database.transaction() as session:
        found = resolve_pending(session, pending_token, now)
        if found is None:
            return CodeOutcome(None, "two_factor.expired")
        pending, user = found
        held = reserve(session, user.username, remote_addr, limits, now)
        if isinstance(held, int):
            return CodeOutcome(None, "auth.throttled", held)
        method = check_code(session, user, box, code, remote_addr, now)
        if method is None:
            record(session, user, "auth.two_factor_failed", "user", user.id,
                   after={"remote_addr": remote_addr, "step": "log_in"})
            audit_limits(session, held, limits)
            return CodeOutcome(None, "two_factor.wrong_code")
        release(session, held, tries=2)
        id_token, pending.ended_at, pending.id_token = pending.id_token, now, None
        return CodeOutcome(start_session(session, user, remote_addr, second_factor=method,
                                         id_token=id_token, limits=sessions))


def reset(session: Session, username: str, actor: User | None = None) -> User:
    """An admin takes away ``username``'s second factor (a lost phone): secret and recovery
    codes are deleted and their sessions end; they enrol again at their next log-in if their
    role requires it."""
    user = get_user(session, username)
    row = session.get(TwoFactor, user.id)
    if row is None:
        raise AccountError("two_factor.not_enrolled", username=username)
    was_active = row.activated_at is not None
    session.delete(row)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    ended = end_sessions(session, user)
    record(session, actor, "user.two_factor_reset", "user", user.id,
           before={"active": was_active}, after={"sessions_ended": ended})
    return user
