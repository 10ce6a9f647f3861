"""Alerts with the evidence behind them: watchlist hits (and the listed entries they hit),
rule hits, labels used by the queue filters, and investigators' comments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from aml_screen.store.base import Base, UTCDateTime, utcnow

ALERT_STATUSES = ("new", "in_review", "escalated", "closed")
DISPOSITIONS = ("false_positive", "not_suspicious", "suspicious_reported")
LABEL_KINDS = ("list", "rule", "typology", "country")


class Alert(Base):
    """One alert per subject per batch (``ALERT_SCHEMA``) plus its triage state.

    ``version`` is SQLAlchemy's version counter: an UPDATE whose version no longer matches
    (someone else saved first) changes no row and raises instead of overwriting."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_key: Mapped[str] = mapped_column(String(40), unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"),
                                          index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(255), index=True)
    subject_name: Mapped[str] = mapped_column(Text)
    risk_score: Mapped[float] = mapped_column(Float)
    max_match_score: Mapped[float | None] = mapped_column(Float)
    hit_count: Mapped[int] = mapped_column(Integer, default=0)
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    list_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    typologies: Mapped[list[str]] = mapped_column(JSON, default=list)
    transaction_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="new")
    disposition: Mapped[str | None] = mapped_column(String(30))
    close_reason: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    rescreen_id: Mapped[int | None] = mapped_column(
        ForeignKey("rescreens.id", ondelete="CASCADE"), index=True)
    """Set on alerts raised by screening a stored batch again against newer lists."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's own API)


QUEUE_ORDERS: dict[str, tuple[Any, ...]] = {
    "risk": (Alert.risk_score.desc(), Alert.id),
    "created": (Alert.created_at, Alert.id),
    "subject": (Alert.subject_name, Alert.id),
}
"""The queue's sort orders (each also read backwards) as index column lists: every sort,
alone or after a status, walks one of these indexes and stops after a page."""
for _order, _columns in QUEUE_ORDERS.items():
    Index(f"ix_alerts_{_order}_order", *_columns)
    Index(f"ix_alerts_status_{_order}_order", Alert.status, *_columns)
Index("ix_alerts_status_id", Alert.status, Alert.id)
"""The alerts of one status in id order, from the index alone: a status count under a label
filter merges it with the labels' ``(kind, value, alert_id)`` index instead of reading every
labelled alert's row to learn its status (15 ms -> 2 ms per count at 100,000 alerts)."""


class AlertLabel(Base):
    """One row per list, rule, typology and transaction country of an alert, so the queue
    filters with an indexed lookup on any database instead of searching inside JSON or
    joining the alert's transactions. ``(kind, value, alert_id)`` is indexed whole, so
    a filter reads the alerts of a label from the index alone.

    ``status`` repeats the alert's, kept equal by a trigger on ``alerts`` (migration 0019,
    on every database): ``(kind, value, status, alert_id)`` gives the alerts of one label
    in one status, so a queue tab's count under a label filter walks only that status's
    entries. At 1M alerts the counts of a filter on two labels walked both labels' whole
    ranges once per status (most of the database's work with 20 investigators at once).
    ``(kind, value, alert_id, status)`` (migration 0021) gives every alert of a label in id
    order with its status, so two labels merge and stop early."""

    __tablename__ = "alert_labels"
    __table_args__ = (
        Index("ix_alert_labels_kind_value", "kind", "value", "alert_id", "status"),
        Index("ix_alert_labels_kind_value_status", "kind", "value", "status", "alert_id"),
    )

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"),
                                          primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), server_default="new")
    """Labels are written with their new alerts; a status change reaches them by trigger."""


class Hit(Base):
    """A watchlist hit (``HIT_SCHEMA``) with its explanation, attached to its alert.
    ``(list_id, entry_id)`` is indexed: a list version removing entries retires their hits."""

    __tablename__ = "hits"
    __table_args__ = (Index("ix_hits_list_entry", "list_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"),
                                          index=True)
    transaction_id: Mapped[str] = mapped_column(String(120))
    party_role: Mapped[str] = mapped_column(String(20))
    party_name: Mapped[str] = mapped_column(Text, index=True)
    party_name_normalised: Mapped[str] = mapped_column(Text)
    list_id: Mapped[str] = mapped_column(String(80))
    list_version: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[str] = mapped_column(String(120))
    matched_name: Mapped[str] = mapped_column(Text)
    matched_name_normalised: Mapped[str] = mapped_column(Text)
    name_kind: Mapped[str] = mapped_column(String(20))
    entity_type: Mapped[str | None] = mapped_column(String(20))
    programmes: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    """The listed entry's topics (FollowTheMoney lists): ``role.pep``, ``sanction``..."""
    relation: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Empty, or JSON: the entries the listed entry depends on (``watchlists.topics``)."""
    retired_on: Mapped[str | None] = mapped_column(String(40))
    """The date of the list version that removed the entry hit (else the day it was
    retrieved): the hit is kept as evidence, shown as retired (set by a delta re-screen)."""
    retired_delta_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_deltas.id", ondelete="SET NULL"))


class RuleHit(Base):
    """A rule firing (``RULE_HIT_SCHEMA``) with its evidence, attached to its alert."""

    __tablename__ = "rule_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"),
                                          index=True)
    rule_id: Mapped[str] = mapped_column(String(120))
    typology: Mapped[str] = mapped_column(String(80))
    severity_score: Mapped[float] = mapped_column(Float)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(255))
    subject_name: Mapped[str | None] = mapped_column(Text)
    transaction_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)


class ListedEntry(Base):
    """A watchlist entry that was hit, as it stood in the list version screened against:
    shown beside the hit (all names, birth dates, nationalities, programmes, remarks)."""

    __tablename__ = "listed_entries"
    __table_args__ = (UniqueConstraint("list_version", "list_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[str] = mapped_column(String(80))
    list_version: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[str] = mapped_column(String(120))
    entity_type: Mapped[str | None] = mapped_column(String(20))
    names: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    birth_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    nationalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    programmes: Mapped[list[str]] = mapped_column(JSON, default=list)
    listed_on: Mapped[date | None] = mapped_column(Date)
    remarks: Mapped[str | None] = mapped_column(Text)


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"),
                                          index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
