"""The reaper: finds jobs whose worker died and has them run again.

It runs where jobs run — in ``aml-screen worker`` and in the embedded server (``serve``) —
once at start-up and then every ``beat_interval`` seconds, so a job killed with its worker
is queued again within ``job_stale_seconds`` plus one interval (about 105 s by default),
or failed with ``job.abandoned`` once it has been started ``job_max_attempts`` times.
It also sends again the queued jobs nobody claimed for that long: the database says what
must run, whatever the queue holds (a worker killed between taking a Redis message and
claiming its job loses that message with it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from aml_screen.jobs.heartbeat import beat_interval
from aml_screen.jobs.loop import BackgroundLoop
from aml_screen.jobs.queue import InProcessWorker, JobQueue
from aml_screen.jobs.webhook_relay import WebhookRelay
from aml_screen.store import Database
from aml_screen.store.base import utcnow
from aml_screen.store.jobs import JobModel, Recovery, dead_jobs, overdue_queued, recover_job
from aml_screen.store.models import Batch, ListDelta, Rescreen

log = logging.getLogger(__name__)
JOB_MODELS: tuple[JobModel, ...] = (Batch, Rescreen, ListDelta)


@dataclass
class Sweep:
    """What one pass did."""

    recovered: list[Recovery] = field(default_factory=list)
    resent: list[tuple[JobModel, int]] = field(default_factory=list)


class Reaper(BackgroundLoop):
    """Sweeps once at start and then every ``beat_interval`` seconds."""

    def __init__(self, queue: JobQueue, database: Database) -> None:
        super().__init__("aml-screen-reaper", beat_interval(queue.settings))
        self._queue = queue
        self._database = database
        settings = queue.settings
        self._stale_after = timedelta(seconds=settings.job_stale_seconds)
        self._max_attempts = settings.job_max_attempts

    def sweep(self) -> Sweep:
        """One pass over both kinds of job: recover the dead, send the forgotten again."""
        found = Sweep()
        cutoff = utcnow() - self._stale_after
        for model in JOB_MODELS:
            with self._database.transaction() as session:
                dead = dead_jobs(session, model, cutoff)
            for job_id, token in dead:
                with self._database.transaction() as session:
                    recovery = recover_job(session, model, job_id, token, cutoff,
                                           self._max_attempts)
                if recovery is None:
                    continue
                found.recovered.append(recovery)
                log.warning("%s %s: worker lost after attempt %s, %s", model.__tablename__,
                            job_id, recovery.attempts,
                            "queued again" if recovery.requeued else "failed")
                if recovery.requeued:
                    self._send(model, job_id)
            with self._database.transaction() as session:
                overdue = overdue_queued(session, model, cutoff)
            for job_id in overdue:
                found.resent.append((model, job_id))
                self._send(model, job_id)
        return found

    def _send(self, model: JobModel, job_id: int) -> None:
        if model is Batch:
            self._queue.enqueue_screening(job_id)
        elif model is ListDelta:
            self._queue.enqueue_delta(job_id)
        else:
            self._queue.enqueue_rescreen(job_id)

    def step(self) -> bool:
        try:
            self.sweep()
        except Exception:  # the database or Redis unreachable or busy: try again later
            log.exception("reaper sweep failed")
        return False


@contextmanager
def embedded_jobs(queue: JobQueue, database: Database) -> Iterator[bool]:
    """While the block runs, execute an embedded queue's jobs and webhook deliveries, the
    reaper and the webhook relay on threads of this process; yields False, doing nothing,
    when a separate worker owns the queue."""
    if not queue.embedded:
        yield False
        return
    worker = InProcessWorker(queue).start()
    deliveries = InProcessWorker(queue, lane=queue.webhooks).start()
    reaper = Reaper(queue, database).start()
    relay = WebhookRelay(queue, database).start()
    try:
        yield True
    finally:
        relay.stop()
        reaper.stop()
        deliveries.stop()
        worker.stop()
