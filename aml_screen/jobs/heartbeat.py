"""A claimed job's heartbeat, written from a daemon thread so that a long single step (a
rule evaluation, a big INSERT) still shows the worker alive; it stops as soon as the row
says another attempt owns the job (the attempt itself stops at its next guarded write:
a progress write or a store transaction, see ``store/jobs.py``)."""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from sqlalchemy.exc import SQLAlchemyError

from aml_screen.settings import Settings
from aml_screen.store import Database
from aml_screen.store.jobs import Claim, beat

log = logging.getLogger(__name__)


def beat_interval(settings: Settings) -> float:
    """Seconds between two heartbeats: a sixth of the time after which a job is taken for
    dead, so a few missed beats (a busy database) never make a live job look dead."""
    return settings.job_stale_seconds / 6


class Heartbeat:
    """Use as a context manager around an attempt's work."""

    def __init__(self, database: Database, claim: Claim, interval: float) -> None:
        self.claim = claim
        self._database = database
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"heartbeat-{claim.model.__tablename__}-"
                                             f"{claim.job_id}")

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                with self._database.transaction() as session:
                    held = beat(session, self.claim)
            except SQLAlchemyError as exc:  # e.g. SQLite busy with the job's own commit
                log.info("heartbeat of %s %s skipped: %s", self.claim.model.__tablename__,
                         self.claim.job_id, exc)
                continue
            if not held:  # finished meanwhile, or taken over by another attempt
                log.info("%s %s: no longer held by attempt %s, heartbeat stopped",
                         self.claim.model.__tablename__, self.claim.job_id,
                         self.claim.attempt)
                return
