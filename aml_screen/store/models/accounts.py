"""Users, their links to a single sign-on provider, their server-side sessions and log-in
throttling counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aml_screen.roles import ROLES
from aml_screen.store.base import Base, UTCDateTime, utcnow

__all__ = ["ROLES", "LoginThrottle", "SsoIdentity", "User", "UserSession"]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SsoIdentity(Base):
    """The account at an OpenID Connect provider a user signs in with: the provider's
    ``iss`` and ``sub`` claims, which the provider never gives to anyone else (a user name
    or an e-mail address may be reused; these may not)."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserSession(Base):
    """A log-in. The cookie holds a random token; only its SHA-256 is stored, so a stolen
    database does not yield usable cookies. ``ended_at`` set = the cookie is refused."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    awaiting_code: Mapped[bool] = mapped_column(Boolean, default=False)
    """The password was right, the second factor not given yet: the session opens no page
    but the code page, and only for a few minutes."""
    id_token: Mapped[str | None] = mapped_column(Text)
    """The provider's ID token while a session single sign-on opened is open (sent back as
    ``id_token_hint`` when the user logs out; cleared when the session ends); None: a local
    log-in, or ended."""


class LoginThrottle(Base):
    """Failed log-ins per (user name, client address): each failure past a few lengthens the
    wait before the next try is checked. Keyed by address too, so that nobody elsewhere can
    keep an investigator out by failing on purpose."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
