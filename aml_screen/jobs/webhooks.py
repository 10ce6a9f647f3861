"""The webhook delivery job: one message per delivery, saying only "look at delivery N"
(its outbox row decides whether and what to send, ``store/webhook_deliveries.py``). An
attempt claims the row, signs the body with the endpoint's secret at the time of sending,
posts it and records how it went; it never raises, so a failing endpoint fails nothing but
its own delivery, which is tried again after its back-off."""

from __future__ import annotations

import logging

from aml_screen.jobs.webhook_post import post
from aml_screen.secret_key import secret_key
from aml_screen.settings import Settings
from aml_screen.store import Database
from aml_screen.store.base import utcnow
from aml_screen.store.secret_box import WEBHOOKS, SecretBox
from aml_screen.store.webhook_deliveries import (
    Outcome,
    Outgoing,
    RetryPolicy,
    claim_delivery,
    finish_attempt,
)
from aml_screen.webhook_signature import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    signature,
)

log = logging.getLogger(__name__)


def _attempt(settings: Settings, outgoing: Outgoing) -> Outcome:
    secret = SecretBox(secret_key(settings), WEBHOOKS).open(outgoing.sealed_secret)
    if secret is None:  # the secret key changed since the secret was sealed
        return Outcome(None, 0, "secret_unreadable")
    body = outgoing.body.encode("utf-8")
    return post(outgoing.url, body, {
        SIGNATURE_HEADER: signature(secret, int(utcnow().timestamp()), body),
        EVENT_ID_HEADER: outgoing.event_id, EVENT_TYPE_HEADER: outgoing.event_type,
    }, settings.webhook_timeout_seconds)


def deliver_webhook(settings: Settings, database: Database, delivery_id: int) -> None:
    """Attempt delivery ``delivery_id`` once, if it is pending and due."""
    with database.transaction() as session:
        outgoing = claim_delivery(session, delivery_id)
    if outgoing is None:
        log.info("webhook delivery %s is not due: nothing to send", delivery_id)
        return
    started = utcnow()
    outcome = _attempt(settings, outgoing)
    with database.transaction() as session:
        status = finish_attempt(session, outgoing, outcome, RetryPolicy.from_settings(settings),
                                started)
    log.info("webhook delivery %s, attempt %s: %s → %s", delivery_id, outgoing.attempt,
             outcome.status_code or outcome.error, status or "claim lost")
