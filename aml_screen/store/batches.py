"""State changes of a batch's screening job asked for by a person: the retry button of the
batch page and the re-upload of the same file. Each is one store operation with its audit
event (``batch.requeue`` / ``batch.retry``); the job's own life is in ``store/jobs.py``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from aml_screen.store.base import utcnow
from aml_screen.store.jobs import is_stale, requeue
from aml_screen.store.loading import get_batch
from aml_screen.store.models import Batch, User


def can_requeue(batch: Batch, stale_after: timedelta) -> bool:
    """Failed, or queued or running without a sign of life for ``stale_after`` (its worker
    most likely died and the reaper has not got to it yet)."""
    return batch.status == "failed" or is_stale(batch, utcnow(), stale_after)


def requeue_batch(session: Session, batch_id: int, actor: User | None,
                  stale_after: timedelta) -> bool:
    """Queue the batch's screening again (the page's retry button); False when it may not
    be (it is done, or its job is alive)."""
    return requeue(session, get_batch(session, batch_id), actor, "batch.requeue", stale_after)


def retry_on_upload(session: Session, batch: Batch, uploader: User | None,
                    stale_after: timedelta) -> bool:
    """The same file uploaded again: a failed or stuck screening is queued once more."""
    return requeue(session, batch, uploader, "batch.retry", stale_after)
