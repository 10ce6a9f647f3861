"""The life of a webhook delivery on its outbox row, as the job that sends it and the relay
that hands it to the queue see it — the pattern of ``store/jobs.py``: the row, not the
queue, says what must be sent, and every change of state is one conditional UPDATE.

``pending`` and due (``next_attempt_at`` past): the relay hands it to the queue, stamping
``queued_at`` (a message lost on the way is sent again once that stamp is old); a worker
claims it (``sending``, with a claim token), posts it, and records the attempt: delivered on
a 2xx answer, else ``pending`` again after a back-off that doubles with each attempt, or
``failed`` once ``webhook_attempts`` tries are spent. A worker killed while sending leaves
the row ``sending``: the relay finds it silent past the time an attempt may take and puts it
back (the attempt is recorded as ``worker_lost``). Only active endpoints' deliveries are
claimed or handed out: disabling an endpoint holds what is owed to it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from aml_screen.settings import Settings
from aml_screen.store.base import utcnow
from aml_screen.store.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from aml_screen.store.paging import Page, page_rows

MAX_DETAIL = 300


@dataclass(frozen=True)
class Outgoing:
    """A claimed delivery: what one attempt needs to post it."""

    delivery_id: int
    token: str
    attempt: int
    url: str
    sealed_secret: str
    event_id: str
    event_type: str
    body: str


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: the endpoint's status code, or an error (``ATTEMPT_ERRORS``)
    with its text, and how long it took."""

    status_code: int | None
    duration_ms: int | None
    error: str | None = None
    detail: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery as an endpoint's history shows it, with its attempts, first first."""

    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def _active_endpoint() -> ColumnElement[bool]:
    return WebhookDelivery.endpoint_id.in_(
        select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True)))


def backoff(attempt: int, retry_seconds: float) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1, 2, …): ``retry_seconds``
    doubled for each attempt before it."""
    return timedelta(seconds=retry_seconds * 2 ** (attempt - 1))


def claim_delivery(session: Session, delivery_id: int,
                   now: datetime | None = None) -> Outgoing | None:
    """Start an attempt at a pending, due delivery of an active endpoint; None otherwise
    (a duplicate message, a delivery sent meanwhile or waiting its back-off, an endpoint
    disabled or removed)."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    claimed = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
               WebhookDelivery.next_attempt_at <= now, _active_endpoint())
        .values(status="sending", claim_token=token, claimed_at=now,
                attempts=WebhookDelivery.attempts + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = session.execute(
        select(WebhookDelivery.attempts, WebhookDelivery.event_id, WebhookDelivery.event_type,
               WebhookDelivery.body, WebhookEndpoint.url, WebhookEndpoint.secret)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id == delivery_id)).one()
    return Outgoing(delivery_id, token, int(row.attempts), row.url, row.secret, row.event_id,
                    row.event_type, row.body)


def _attempt_row(delivery_id: int, number: int, at: datetime,
                 outcome: Outcome) -> dict[str, Any]:
    return {"delivery_id": delivery_id, "number": number, "at": at,
            "duration_ms": outcome.duration_ms, "status_code": outcome.status_code,
            "error": outcome.error,
            "detail": outcome.detail[:MAX_DETAIL] if outcome.detail else None}


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a delivery is tried (``webhook_*`` settings)."""

    attempts: int
    retry_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(settings.webhook_attempts, settings.webhook_retry_seconds)

    def after_failure(self, attempt: int, now: datetime) -> dict[str, Any]:
        """The row's new state after failed attempt number ``attempt``."""
        if attempt >= self.attempts:
            return {"status": "failed", "finished_at": now}
        return {"status": "pending", "next_attempt_at": now + backoff(attempt,
                                                                      self.retry_seconds)}


def _settle(session: Session, delivery_id: int, token: str | None, attempt: int,
            started_at: datetime, outcome: Outcome, policy: RetryPolicy,
            now: datetime) -> str | None:
    session.execute(insert(WebhookAttempt),
                    [_attempt_row(delivery_id, attempt, started_at, outcome)])
    values = ({"status": "delivered", "finished_at": now} if outcome.delivered
              else policy.after_failure(attempt, now))
    held = (WebhookDelivery.claim_token.is_(None) if token is None
            else WebhookDelivery.claim_token == token)
    changed = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "sending", held)
        .values(claim_token=None, queued_at=None, **values)
        .execution_options(synchronize_session=False))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return str(values["status"])


def finish_attempt(session: Session, outgoing: Outgoing, outcome: Outcome,
                   policy: RetryPolicy, started_at: datetime,
                   now: datetime | None = None) -> str | None:
    """Record the attempt and move the delivery on: ``delivered``, ``pending`` (tried
    again after its back-off) or ``failed``. The attempt is recorded even when the claim
    was lost meanwhile (it was made); the row is then left to the attempt that holds it,
    and None is returned."""
    return _settle(session, outgoing.delivery_id, outgoing.token, outgoing.attempt,
                   started_at, outcome, policy, now or utcnow())


def recover_lost(session: Session, cutoff: datetime, policy: RetryPolicy,
                 now: datetime | None = None) -> list[int]:
    """Deliveries ``sending`` since before ``cutoff``: their worker died mid-attempt. Each
    such attempt is recorded (``worker_lost``) and the delivery goes back to the outbox
    (or fails, its attempts spent), as ``finish_attempt`` would have left it."""
    now = now or utcnow()
    lost = session.execute(select(WebhookDelivery.id, WebhookDelivery.claim_token,
                                  WebhookDelivery.attempts, WebhookDelivery.claimed_at)
                           .where(WebhookDelivery.status == "sending",
                                  WebhookDelivery.claimed_at < cutoff)
                           .order_by(WebhookDelivery.id)).all()
    outcome = Outcome(status_code=None, duration_ms=None, error="worker_lost")
    return [delivery_id for delivery_id, token, attempts, claimed_at in lost
            if _settle(session, delivery_id, token, attempts, claimed_at or now, outcome, policy,
                       now)]


def hand_out_due(session: Session, resend_before: datetime, limit: int,
                 now: datetime | None = None) -> list[int]:
    """Up to ``limit`` pending deliveries due now (oldest first) of active endpoints,
    never handed to the queue or handed before ``resend_before`` (their message may be
    lost); their ``queued_at`` is moved to now. A duplicate message is harmless:
    ``claim_delivery`` lets one through."""
    now = now or utcnow()
    ids = [int(i) for i in session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
               or_(WebhookDelivery.queued_at.is_(None),
                   WebhookDelivery.queued_at < resend_before), _active_endpoint())
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit))]
    if ids:
        session.execute(update(WebhookDelivery)
                        .where(WebhookDelivery.id.in_(ids),
                               WebhookDelivery.status == "pending")
                        .values(queued_at=now)
                        .execution_options(synchronize_session=False))
    return ids


def prune_finished(session: Session, before: datetime, limit: int) -> int:
    """Delete up to ``limit`` deliveries finished (delivered or given up) before
    ``before``, oldest first, with their attempts; returns how many. Pending and sending
    deliveries are never touched, however old."""
    ids = list(session.scalars(select(WebhookDelivery.id)
                               .where(WebhookDelivery.finished_at < before)
                               .order_by(WebhookDelivery.finished_at).limit(limit)))
    if ids:
        session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids)))
    return len(ids)


def delivery_history(session: Session, endpoint_id: int, page: int,
                     per_page: int = 25) -> Page[DeliveryRow]:
    """The endpoint's deliveries, newest first, one page, each with its attempts."""
    found = page_rows(session, select(WebhookDelivery)
                      .where(WebhookDelivery.endpoint_id == endpoint_id)
                      .order_by(WebhookDelivery.id.desc()), page, per_page)
    deliveries = [row[0] for row in found.items]
    attempts: dict[int, list[WebhookAttempt]] = {d.id: [] for d in deliveries}
    if deliveries:
        for attempt in session.scalars(select(WebhookAttempt)
                                       .where(WebhookAttempt.delivery_id.in_(list(attempts)))
                                       .order_by(WebhookAttempt.delivery_id,
                                                 WebhookAttempt.number, WebhookAttempt.id)):
            attempts[attempt.delivery_id].append(attempt)
    return Page([DeliveryRow(d, attempts[d.id]) for d in deliveries], found.total, found.page,
                found.per_page)
