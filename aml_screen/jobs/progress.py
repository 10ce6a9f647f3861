"""``Progress`` that writes a job's stage (its message key and parameters, told in each
reader's language by the page) and count onto its batch row, where the web page polls
it. Writes are throttled: a bar advancing per name must not cost a commit per name.

With the attempt's ``Claim``, each write also beats the job's heartbeat in the same
transaction and stops the attempt (``ClaimLostError``) once another attempt owns the job."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import update

from aml_screen.progress import Advance
from aml_screen.store import Database
from aml_screen.store.jobs import Claim, require_claim
from aml_screen.store.models import Batch

MIN_INTERVAL = 0.5
"""Seconds between two progress writes within a stage."""


class DatabaseProgress:
    def __init__(self, database: Database, batch_id: int,
                 min_interval: float = MIN_INTERVAL, claim: Claim | None = None) -> None:
        self._database = database
        self._batch_id = batch_id
        self._min_interval = min_interval
        self._claim = claim

    def _write(self, **values: object) -> None:
        with self._database.transaction() as session:
            if self._claim is not None:
                require_claim(session, self._claim)
            session.execute(update(Batch).where(Batch.id == self._batch_id).values(**values))

    def stage(self, key: str, total: int | None, **params: Any) -> Advance:
        self._write(progress_label=key[:200], progress_params=params or None,
                    progress_total=total, progress_done=0)
        done = 0
        last = time.monotonic()

        def advance(n: int) -> None:
            nonlocal done, last
            done += n
            now = time.monotonic()
            if now - last >= self._min_interval or (total is not None and done >= total):
                last = now
                self._write(progress_done=done)

        return advance
