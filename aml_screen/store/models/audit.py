"""The audit trail: who did or saw what, when, with the state before and after.

Append-only and hash-chained: event ``seq`` stores the SHA-256 of event ``seq - 1``
(``prev_hash``) and of its own canonical content (``hash``), so editing, deleting, inserting
or reordering any event breaks the chain (see ``aml_screen.store.audit``). ``seq`` is unique:
two writers can never both extend the same event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from aml_screen.store.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(120))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    chain_version: Mapped[int] = mapped_column(default=1, server_default="1")
    """How ``hash`` was computed: 1 = over before/after themselves; 2 = over
    ``payload_sha256``, so retention can erase before/after and the chain still verifies."""
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Set when retention erased before/after (personal data); the payload digest remains."""
    redacted_by: Mapped[int | None] = mapped_column()
    """``seq`` of the ``retention.purged`` event that redacted this one; that event holds the
    count and a digest of every event it redacted (``audit.redaction_digest``)."""
