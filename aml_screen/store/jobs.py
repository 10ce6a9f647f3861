"""The life of a background job on its own row — a batch's screening (``Batch``), a
re-screen (``Rescreen``) or a list source's delta re-screen (``ListDelta``): queued,
claimed by one worker, beating while it runs, finished; or found dead (its heartbeat too
old: the worker was killed) and queued again a bounded number of times, then failed with
``job.abandoned``.

The database, not the queue, is the source of truth for what must run: a queue message lost
with a killed worker is replaced from the rows (``overdue_queued``). Every change of state
is one conditional UPDATE checked by its row count, so two workers — or a worker and the
reaper — can never both win: only the holder of the current ``claim_token`` may beat,
store results or fail the job, and a worker that lost its claim writes nothing more.
The audit event of a change is recorded in the same transaction, after the UPDATE that
took the row (on SQLite, the database's write lock), and so is the ``batch.screened``
webhook event of a screening that ends failed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from aml_screen.errors import AmlScreenError
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.models import Batch, ListDelta, Rescreen, User
from aml_screen.store.webhook_outbox import batch_screened

JobModel = type[Batch] | type[Rescreen] | type[ListDelta]
Job = Batch | Rescreen | ListDelta
_NO_PROGRESS = {"progress_label": None, "progress_params": None, "progress_done": 0,
                "progress_total": None}
"""A batch queued again shows no stage until its next attempt writes one."""


class ClaimLostError(AmlScreenError):
    """The running attempt's claim was taken back (the job was found dead and queued again,
    or someone re-queued it): the attempt must stop without writing anything more."""


@dataclass(frozen=True)
class Claim:
    """One attempt at a job, held by the worker running it."""

    model: JobModel
    job_id: int
    token: str
    attempt: int


@dataclass(frozen=True)
class Recovery:
    """What the reaper did with a dead job: queued it again, or gave up (failed)."""

    model: JobModel
    job_id: int
    requeued: bool
    attempts: int


def _audit_target(model: JobModel, job_id: int, session: Session) -> tuple[str, object,
                                                                          dict[str, Any]]:
    """Re-screens are audited on their batch (as ``batch.rescreen_requested`` is), delta
    re-screens on their list source."""
    if model is Batch:
        return "batch", job_id, {}
    if model is ListDelta:
        source = session.scalar(select(ListDelta.source).where(ListDelta.id == job_id))
        return "watchlist", source, {"delta_id": job_id}
    batch_id = session.scalar(select(Rescreen.batch_id).where(Rescreen.id == job_id))
    return "batch", int(batch_id or 0), {"rescreen_id": job_id}


def _action(model: JobModel, verb: str) -> str:
    """``batch.failed`` / ``batch.rescreen_failed`` / ``lists.delta_failed``, as the other
    events of each job."""
    if model is ListDelta:
        return f"lists.delta_{verb}"
    return f"batch.{verb}" if model is Batch else f"batch.rescreen_{verb}"


def last_sign_of_life(model: JobModel) -> ColumnElement[datetime]:
    """The heartbeat, else when the job was queued, else when the row was created."""
    created = (Batch.uploaded_at if model is Batch else
               ListDelta.requested_at if model is ListDelta else Rescreen.requested_at)
    return func.coalesce(model.heartbeat_at, model.queued_at, created)


def is_stale(job: Job, now: datetime, stale_after: timedelta) -> bool:
    """A queued or running job without a sign of life for ``stale_after``."""
    if job.status not in ("queued", "running"):
        return False
    created = job.uploaded_at if isinstance(job, Batch) else job.requested_at
    last = job.heartbeat_at or job.queued_at or created
    return last < now - stale_after


def claim_job(session: Session, model: JobModel, job_id: int) -> Claim | None:
    """Start an attempt at a queued job; None when it is not queued (another worker has
    it, or it is done or failed) — the message that brought us here was a duplicate."""
    token = uuid.uuid4().hex
    now = utcnow()
    claimed = session.execute(
        update(model).where(model.id == job_id, model.status == "queued")
        .values(status="running", claim_token=token, heartbeat_at=now,
                attempts=model.attempts + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    attempt = session.scalar(select(model.attempts).where(model.id == job_id))
    return Claim(model, job_id, token, int(attempt or 1))


def _held(claim: Claim) -> ColumnElement[bool]:
    model = claim.model
    return and_(model.id == claim.job_id, model.status == "running",
                model.claim_token == claim.token)


def beat(session: Session, claim: Claim) -> bool:
    """Record a heartbeat; False when the claim is no longer held."""
    result = session.execute(update(claim.model).where(_held(claim))
                             .values(heartbeat_at=utcnow())
                             .execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def require_claim(session: Session, claim: Claim) -> None:
    """Beat, or raise ``ClaimLostError`` (rolling back the caller's transaction)."""
    if not beat(session, claim):
        raise ClaimLostError("job.claim_lost", job_id=claim.job_id)


def fail_job(session: Session, claim: Claim, key: str, params: dict[str, object]) -> bool:
    """End the attempt (and the job) failed with a message key; False when the claim was
    lost meanwhile (the job belongs to another attempt now: nothing is written)."""
    error_params = {k: str(v) for k, v in params.items()}
    failed = session.execute(
        update(claim.model).where(_held(claim))
        .values(status="failed", error_key=key, error_params=error_params,
                finished_at=utcnow(), claim_token=None)
        .execution_options(synchronize_session=False))
    if failed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    object_type, object_id, extra = _audit_target(claim.model, claim.job_id, session)
    record(session, None, _action(claim.model, "failed"), object_type, object_id,
           before={"status": "running", **extra},
           after={"status": "failed", "error_key": key, "error_params": error_params})
    if claim.model is Batch:
        batch_screened(session, claim.job_id)
    return True


def dead_jobs(session: Session, model: JobModel, cutoff: datetime) -> list[tuple[int, str | None]]:
    """(id, claim token) of the running jobs without a sign of life since ``cutoff``."""
    rows = session.execute(select(model.id, model.claim_token).where(
        model.status == "running", last_sign_of_life(model) < cutoff).order_by(model.id))
    return [(int(job_id), token) for job_id, token in rows]


def recover_job(session: Session, model: JobModel, job_id: int, token: str | None,
                cutoff: datetime, max_attempts: int) -> Recovery | None:
    """Queue a dead job again, or fail it with ``job.abandoned`` once it has been started
    ``max_attempts`` times. None when it is not dead any more (it beat, finished, or was
    recovered by someone else) — checked by the UPDATE itself."""
    attempts = int(session.scalar(select(model.attempts).where(model.id == job_id)) or 0)
    same = model.claim_token.is_(None) if token is None else model.claim_token == token
    dead = and_(model.id == job_id, model.status == "running", same,
                last_sign_of_life(model) < cutoff)
    now = utcnow()
    give_up = attempts >= max_attempts
    values: dict[str, Any] = (
        {"status": "failed", "error_key": "job.abandoned",
         "error_params": {"attempts": str(attempts)}, "finished_at": now, "claim_token": None}
        if give_up else
        {"status": "queued", "queued_at": now, "claim_token": None, "heartbeat_at": None})
    if model is Batch:
        values |= _NO_PROGRESS
    changed = session.execute(update(model).where(dead).values(**values)
                              .execution_options(synchronize_session=False))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    object_type, object_id, extra = _audit_target(model, job_id, session)
    before = {"status": "running", "attempts": attempts, **extra}
    if give_up:
        record(session, None, _action(model, "failed"), object_type, object_id,
               before=before, after={"status": "failed", "error_key": "job.abandoned",
                                     "error_params": values["error_params"]})
        if model is Batch:
            batch_screened(session, job_id)
    else:
        record(session, None, _action(model, "requeue"), object_type, object_id,
               before=before, after={"status": "queued", "reason": "job.worker_lost"})
    return Recovery(model, job_id, not give_up, attempts)


def overdue_queued(session: Session, model: JobModel, cutoff: datetime) -> list[int]:
    """Queued jobs nobody claimed since ``cutoff``: their queue message may be lost (a
    worker took it and died before claiming, or Redis was emptied). Their ``queued_at``
    is moved to now, so each is sent again at most once per period; a duplicate message
    is harmless (``claim_job`` lets only one through)."""
    ids = [int(i) for i in session.scalars(select(model.id).where(
        model.status == "queued", last_sign_of_life(model) < cutoff).order_by(model.id))]
    if ids:
        session.execute(update(model).where(model.id.in_(ids), model.status == "queued")
                        .values(queued_at=utcnow())
                        .execution_options(synchronize_session=False))
    return ids


def requeue(session: Session, job: Job, actor: User | None, action: str,
            stale_after: timedelta) -> bool:
    """Queue ``job`` again on a person's request (a retry button, a re-upload): allowed
    when it failed or shows no sign of life for ``stale_after``. Its attempts start
    again from zero. False (nothing changed) otherwise."""
    model: JobModel = type(job)
    if not (job.status == "failed" or is_stale(job, utcnow(), stale_after)):
        return False
    before = {"status": job.status, "attempts": job.attempts,
              **({"error_key": job.error_key} if job.error_key else {})}
    if isinstance(job, Batch):
        before |= {"progress_label": job.progress_label, "progress_done": job.progress_done}
    cutoff = utcnow() - stale_after
    eligible = or_(model.status == "failed",
                   and_(model.status.in_(("queued", "running")),
                        last_sign_of_life(model) < cutoff))
    values: dict[str, Any] = {"status": "queued", "queued_at": utcnow(), "attempts": 0,
                              "claim_token": None, "heartbeat_at": None, "error_key": None,
                              "error_params": None}
    if model is Batch:
        values |= _NO_PROGRESS
    changed = session.execute(update(model).where(model.id == job.id, eligible)
                              .values(**values)
                              .execution_options(synchronize_session="fetch"))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    object_type, object_id, extra = _audit_target(model, job.id, session)
    record(session, actor, action, object_type, object_id, before={**before, **extra},
           after={"status": "queued"})
    return True
