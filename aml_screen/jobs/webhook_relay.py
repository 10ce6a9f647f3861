"""The webhook relay: reads the outbox every ``webhook_poll_seconds`` and hands the
deliveries due to the job queue, one message each; it also puts back in the outbox the
deliveries a killed worker left ``sending``, sends again the ones whose message was lost
(handed out ``job_stale_seconds`` ago and still not claimed), and deletes the finished ones
older than ``webhook_history_days``. It runs where jobs run:
``aml-screen worker``, and the embedded queue of ``aml-screen serve``.

Deliveries go through a lane of the queue of their own (``JobQueue.webhooks``), with its own
worker thread: a screening job never waits behind a slow endpoint, nor a delivery behind a
long screening."""

from __future__ import annotations

import logging
from datetime import timedelta

from aml_screen.jobs.loop import BackgroundLoop
from aml_screen.jobs.queue import JobQueue
from aml_screen.store import Database
from aml_screen.store.base import utcnow
from aml_screen.store.webhook_deliveries import (
    RetryPolicy,
    hand_out_due,
    prune_finished,
    recover_lost,
)

log = logging.getLogger(__name__)
HAND_OUT = 500
"""Deliveries handed to the queue per pass at most (the next pass follows at once)."""
PRUNE = 1000
"""Finished deliveries deleted per pass at most."""


class WebhookRelay(BackgroundLoop):
    """Sweeps at start and then every ``webhook_poll_seconds``."""

    def __init__(self, queue: JobQueue, database: Database) -> None:
        settings = queue.settings
        super().__init__("aml-screen-webhook-relay", settings.webhook_poll_seconds)
        self._queue = queue
        self._database = database
        self._policy = RetryPolicy.from_settings(settings)
        self._resend_after = timedelta(seconds=settings.job_stale_seconds)
        self._lost_after = timedelta(seconds=settings.job_stale_seconds
                                     + settings.webhook_timeout_seconds)
        self._kept = timedelta(days=settings.webhook_history_days)

    def sweep(self) -> list[int]:
        """One pass: the lost attempts put back, then the deliveries due sent to the
        queue; returns the ids sent."""
        now = utcnow()
        with self._database.transaction() as session:
            lost = recover_lost(session, now - self._lost_after, self._policy, now)
        if lost:
            log.warning("webhook deliveries %s: worker lost while sending, put back", lost)
        with self._database.transaction() as session:
            due = hand_out_due(session, now - self._resend_after, HAND_OUT, now)
        for delivery_id in due:
            self._queue.enqueue_delivery(delivery_id)
        with self._database.transaction() as session:
            prune_finished(session, now - self._kept, PRUNE)
        return due

    def step(self) -> bool:
        try:
            return len(self.sweep()) == HAND_OUT
        except Exception:  # the database or Redis unreachable or busy: try again later
            log.exception("webhook relay sweep failed")
            return False
