"""API tokens: how a program (a bank's system, the FIU's own tools) acts as one user through
``/api/v1``, within a subset of that user's rights (its scopes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from aml_screen.store.base import Base, UTCDateTime, utcnow

API_SCOPES = ("read", "triage", "submit", "admin")


class ApiToken(Base):
    """A bearer token. Only the SHA-256 of its secret is kept (the secret is shown once,
    when it is created), with its first characters (``prefix``) so that people can tell
    their tokens apart. ``revoked_at`` set, ``expires_at`` past or the user disabled: the
    token is refused."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """Who created it (None: an operator at the server, ``aml-screen tokens create``)."""
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
