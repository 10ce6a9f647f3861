"""Two-factor log-in: each user's TOTP secret (RFC 6238) and single-use recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from aml_screen.store.base import Base, UTCDateTime, utcnow


class TwoFactor(Base):
    """A user's authenticator. ``secret`` is the base32 TOTP secret encrypted with a key
    derived from the web's secret key (``store/secret_box.py``), never kept in clear.
    ``activated_at`` None: enrolment begun, no code typed yet (2FA not in force).
    ``last_step`` is the 30-second step of the last code accepted: a code of that step or an
    earlier one is refused, so a code seen over a shoulder cannot be used again."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    secret: Mapped[str] = mapped_column(String(255))
    recovery_salt: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None] = mapped_column(Integer)


class RecoveryCode(Base):
    """One recovery code, stored as a salted SHA-256 digest (see ``store/two_factor.py``);
    ``used_at`` set: spent."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    code_sha256: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
