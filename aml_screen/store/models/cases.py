"""Cases (alerts grouped about one subject), their notes and the seizure evidence packages
prepared from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aml_screen.store.base import Base, UTCDateTime, utcnow

CASE_STATUSES = ("open", "closed")
CASE_DISPOSITIONS = ("not_suspicious", "suspicious_reported")
PACKAGE_STATUSES = ("prepared", "approved", "void")


class Case(Base):
    """An investigation about one subject. ``version`` guards concurrent saves, and an
    evidence package records the version it was prepared from: any later change voids it."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(255))
    subject_name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    disposition: Mapped[str | None] = mapped_column(String(30))
    narrative: Mapped[str | None] = mapped_column(Text)
    """The investigator's account of the suspicion (goes into an STR)."""
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Set when retention removed the case's personal data."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's own API)


class CaseAlert(Base):
    __tablename__ = "case_alerts"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseNote(Base):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvidencePackage(Base):
    """A seizure evidence ZIP as prepared (kept in the store, so what was approved is exactly
    what is downloaded). Approval is by a *different* supervisor and binds ``sha256``
    (``approved_sha256``); a package whose case changed after preparation is void."""

    __tablename__ = "evidence_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         index=True)
    status: Mapped[str] = mapped_column(String(16), default="prepared")
    language: Mapped[str] = mapped_column(String(2), default="en")
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    case_version: Mapped[int] = mapped_column(Integer)
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_sha256: Mapped[str | None] = mapped_column(String(64))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(String(120))
