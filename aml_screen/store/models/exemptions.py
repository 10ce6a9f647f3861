"""Remembered decisions: a (party, listed entry) pair closed as a false positive, which later
batches do not alert on again while it is active, unexpired and neither side changed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aml_screen.store.base import Base, UTCDateTime, utcnow

EXEMPTION_STATUSES = ("proposed", "active", "rejected", "revoked")


class Exemption(Base):
    """``party_key`` identifies the party (digest of its normalised name and the details the
    batch gave: account, country, birth date); ``entry_digest`` is the digest of the listed
    entry's content in the list version it was decided on. If either changes, the pair is
    no longer the one that was judged, and it alerts again."""

    __tablename__ = "exemptions"
    __table_args__ = (Index("ix_exemptions_pair", "list_id", "entry_id", "party_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[str] = mapped_column(String(80))
    entry_id: Mapped[str] = mapped_column(String(120))
    entry_digest: Mapped[str] = mapped_column(String(64))
    party_key: Mapped[str] = mapped_column(String(64))
    party_name: Mapped[str] = mapped_column(Text)
    party_details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    expires_on: Mapped[date] = mapped_column(Date)
    source_alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="SET NULL"))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's own API)
