"""Webhook endpoints as an admin manages them (the web's admin area, ``aml-screen
webhooks``): registered with the events they want, disabled and enabled, removed, their
secret rotated, a test event sent. Each change is audited in the caller's transaction.

The signing secret is made here, shown once (returned at creation and at rotation) and
kept sealed (``secret_box``, the ``WEBHOOKS`` key): the worker must read it back to sign,
so it cannot be stored as a digest like an API token."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.errors import NotFoundError, WebhookError
from aml_screen.store.models import (
    WEBHOOK_EVENTS,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from aml_screen.store.secret_box import SecretBox
from aml_screen.store.webhook_outbox import owe_test_event

SECRET_MARK = "whsec_"  # noqa: S105 (a public marker, not a secret)
"""Every secret starts with this, so a leaked one is easy to recognise."""
MAX_URL = 2000
MAX_DESCRIPTION = 200
SCHEMES = ("http", "https")


@dataclass(frozen=True)
class EndpointSecret:
    """An endpoint with its secret in clear: shown once, never stored so."""

    endpoint: WebhookEndpoint
    secret: str


@dataclass(frozen=True)
class EndpointRow:
    """An endpoint as the list shows it, with how its deliveries stand."""

    endpoint: WebhookEndpoint
    waiting: int
    """Pending or being sent."""
    failed: int
    """Given up."""
    last_event_at: datetime | None


def check_url(url: str) -> str:
    """``url`` stripped, when it is an http or https address with a host (and no user
    name or password: they would be kept and shown in clear); else ``WebhookError``."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise WebhookError("webhook.bad_url", url=text[:200]) from None
    if (not text or len(text) > MAX_URL or any(c.isspace() for c in text)
            or parts.scheme.lower() not in SCHEMES or not parts.hostname
            or parts.username is not None or port == 0):
        raise WebhookError("webhook.bad_url", url=text[:200])
    return text


def _events(events: Iterable[str]) -> list[str]:
    chosen = {event.strip() for event in events if event.strip()}
    unknown = sorted(chosen - set(WEBHOOK_EVENTS))
    if not chosen or unknown:
        raise WebhookError("webhook.bad_events", events=", ".join(WEBHOOK_EVENTS))
    return [event for event in WEBHOOK_EVENTS if event in chosen]


def _min_risk(value: float) -> float:
    if not 0 <= value <= 100:
        raise WebhookError("webhook.bad_min_risk", value=value)
    return float(value)


def _new_secret() -> str:
    return SECRET_MARK + secrets.token_urlsafe(32)


def _described(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {"url": endpoint.url, "description": endpoint.description,
            "events": list(endpoint.events), "min_risk": endpoint.min_risk}


def create_endpoint(session: Session, url: str, events: Iterable[str], box: SecretBox, *,
                    description: str = "", min_risk: float = 0.0,
                    actor: User | None = None) -> EndpointSecret:
    """A new active endpoint with a new secret (``actor`` None: the command line)."""
    label = description.strip()
    if len(label) > MAX_DESCRIPTION:
        raise WebhookError("webhook.bad_description", maximum=MAX_DESCRIPTION)
    secret = _new_secret()
    now = utcnow()
    endpoint = WebhookEndpoint(url=check_url(url), description=label, events=_events(events),
                               min_risk=_min_risk(min_risk), secret=box.seal(secret),
                               active=True, created_at=now, secret_set_at=now,
                               created_by_id=actor.id if actor else None)
    session.add(endpoint)
    session.flush()
    record(session, actor, "webhook.create", "webhook_endpoint", endpoint.id,
           after=_described(endpoint))
    return EndpointSecret(endpoint, secret)


def get_endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFoundError("webhook.not_found", endpoint_id=endpoint_id)
    return endpoint


def list_endpoints(session: Session) -> list[EndpointRow]:
    """Every endpoint, oldest first, with the count of its deliveries waiting and given up
    and when its last event was recorded."""
    waiting = func.sum(case((WebhookDelivery.status.in_(("pending", "sending")), 1),
                            else_=0))
    failed = func.sum(case((WebhookDelivery.status == "failed", 1), else_=0))
    counts = {endpoint_id: (int(w or 0), int(f or 0), last)
              for endpoint_id, w, f, last in session.execute(
                  select(WebhookDelivery.endpoint_id, waiting, failed,
                         func.max(WebhookDelivery.created_at))
                  .group_by(WebhookDelivery.endpoint_id))}
    endpoints = session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id))
    return [EndpointRow(endpoint, *counts.get(endpoint.id, (0, 0, None)))
            for endpoint in endpoints]


def set_active(session: Session, endpoint_id: int, active: bool,
               actor: User | None = None) -> WebhookEndpoint:
    """Disable (nothing more is recorded for it nor sent to it) or enable it again (what
    was owed to it is sent). Asking for the state it is in changes and records nothing."""
    endpoint = get_endpoint(session, endpoint_id)
    if endpoint.active != active:
        endpoint.active = active
        record(session, actor, "webhook.enable" if active else "webhook.disable",
               "webhook_endpoint", endpoint.id, before={"active": not active},
               after={"active": active, "url": endpoint.url})
    return endpoint


def remove_endpoint(session: Session, endpoint_id: int,
                    actor: User | None = None) -> WebhookEndpoint:
    """Delete the endpoint with its deliveries (what was owed to it is never sent)."""
    endpoint = get_endpoint(session, endpoint_id)
    before = _described(endpoint)
    session.delete(endpoint)
    session.flush()
    record(session, actor, "webhook.remove", "webhook_endpoint", endpoint_id, before=before)
    return endpoint


def rotate_secret(session: Session, endpoint_id: int, box: SecretBox,
                  actor: User | None = None) -> EndpointSecret:
    """A new secret for the endpoint, the old one refused from now on: every attempt from
    now signs with the new one, deliveries owed before included."""
    endpoint = get_endpoint(session, endpoint_id)
    secret = _new_secret()
    endpoint.secret, endpoint.secret_set_at = box.seal(secret), utcnow()
    record(session, actor, "webhook.rotate", "webhook_endpoint", endpoint.id,
           after={"url": endpoint.url, "secret_set_at": endpoint.secret_set_at.isoformat()})
    return EndpointSecret(endpoint, secret)


def send_test(session: Session, endpoint_id: int, actor: User | None = None) -> WebhookDelivery:
    """Owe the endpoint a ``webhook.test`` event; refused while it is disabled."""
    endpoint = get_endpoint(session, endpoint_id)
    if not endpoint.active:
        raise WebhookError("webhook.test_disabled")
    delivery = owe_test_event(session, endpoint.id)
    record(session, actor, "webhook.test", "webhook_endpoint", endpoint.id,
           after={"url": endpoint.url, "event_id": delivery.event_id})
    return delivery
