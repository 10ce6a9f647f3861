"""Webhooks: the endpoints an admin registers, the outbox of deliveries owed to them and
each attempt at one (``store/webhook_endpoints.py``, ``store/webhook_outbox.py``,
``store/webhook_deliveries.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
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

WEBHOOK_EVENTS = ("batch.screened", "alert.created", "alert.decided", "evidence.approved")
"""What an endpoint may subscribe to."""
TEST_EVENT = "webhook.test"
"""Sent to one endpoint on an admin's request, whatever it subscribed to."""
DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed")
ATTEMPT_ERRORS = ("timeout", "connection", "bad_answer", "secret_unreadable", "worker_lost")
"""Why an attempt got no status code: no answer in time, no connection (refused, unknown
host, TLS), something that is not HTTP, the endpoint's secret sealed under another key,
the worker killed while sending."""


class WebhookEndpoint(Base):
    """A URL that receives the events it subscribed to, signed with its own secret (sealed
    by ``store/secret_box.py``: the worker must read it back to sign). ``min_risk`` bounds
    the ``alert.created`` events it receives. Disabled (``active`` False): no event is
    recorded for it and nothing owed to it is sent, until enabled again."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSON)
    min_risk: Mapped[float] = mapped_column(Float, default=0.0)
    secret: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                ondelete="SET NULL"))
    secret_set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    """When the secret was made (at creation, then at each rotation)."""


class WebhookDelivery(Base):
    """One event owed to one endpoint: the outbox row, written in the transaction of the
    change that caused it. ``body`` is the exact JSON sent (and signed) at every attempt.
    ``pending`` rows are due at ``next_attempt_at``; ``queued_at`` says when one was handed
    to the job queue (None: not yet, or back in the outbox); ``sending`` rows are held by
    the attempt with ``claim_token``."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_status_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id",
                                                        ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Delivered, or given up after ``webhook_attempts`` tries."""


class WebhookAttempt(Base):
    """One try at a delivery: the endpoint's status code, or why there was none
    (``ATTEMPT_ERRORS``, with the error's text in ``detail``), and how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id",
                                                        ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    """None when the worker was lost mid-attempt."""
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(String(300))
