"""Delta re-screens: when a list source gets a new version, every stored party name is
screened against only the entries the version added or changed, and the hits of the
entries it removed are retired (``Hit.retired_on``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from aml_screen.store.base import Base, UTCDateTime, utcnow


class ListDelta(Base):
    """One delta re-screen of a list source, from version ``old_sha256`` to
    ``new_sha256``: a background job (same life as a batch's screening, ``store/jobs.py``)
    and, once done, what it found. The alerts it created hang on one ``Rescreen`` per
    batch (``Rescreen.delta_id``)."""

    __tablename__ = "list_deltas"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(80), index=True)
    old_sha256: Mapped[str] = mapped_column(String(64))
    new_sha256: Mapped[str] = mapped_column(String(64))
    new_version_date: Mapped[str | None] = mapped_column(String(40))
    """The new version's date (else the day it was retrieved): when removed entries left the
    list."""
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    entries_added: Mapped[int | None] = mapped_column(Integer)
    entries_changed: Mapped[int | None] = mapped_column(Integer)
    entries_removed: Mapped[int | None] = mapped_column(Integer)
    index_names: Mapped[int | None] = mapped_column(Integer)
    """List names screened against (the added and changed entries' names that can hit)."""
    names_read: Mapped[int | None] = mapped_column(Integer)
    """Distinct stored party names screened."""
    new_hits: Mapped[int | None] = mapped_column(Integer)
    new_alerts: Mapped[int | None] = mapped_column(Integer)
    retired_hits: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[float | None] = mapped_column(Float)
    """Wall time of the run."""
    error_key: Mapped[str | None] = mapped_column(String(120))
    error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claim_token: Mapped[str | None] = mapped_column(String(32))
