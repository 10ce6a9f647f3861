"""Batches as the batch pages read and change them: the list, one batch with its uploader,
its quarantined rows (an audited download), and the state changes a person asks for — the
retry button and the re-upload of the same file — each one store operation with its audit
event (``batch.requeue`` / ``batch.retry``). The job's own life is in ``store/jobs.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from aml_screen.ingest.reasons import quarantine_reason
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.jobs import is_stale, requeue
from aml_screen.store.loading import get_batch
from aml_screen.store.models import Batch, QuarantineRow, User

QUARANTINE_SCHEMA = {"line_number": pl.Int64, "transaction_id": pl.String,
                     "reason_code": pl.String, "reason": pl.String, "raw": pl.String,
                     "repeats": pl.Int64}


def recent_batches(session: Session, limit: int = 100) -> list[tuple[Batch, str | None]]:
    """The newest batches with their uploader's name (None: uploaded by the system)."""
    rows = session.execute(select(Batch, User.username)
                           .outerjoin(User, User.id == Batch.uploaded_by_id)
                           .order_by(Batch.uploaded_at.desc(), Batch.id.desc()).limit(limit))
    return [(batch, name) for batch, name in rows]


def batch_with_uploader(session: Session, batch_id: int) -> tuple[Batch, str | None] | None:
    row = session.execute(select(Batch, User.username)
                          .outerjoin(User, User.id == Batch.uploaded_by_id)
                          .where(Batch.id == batch_id)).first()
    return None if row is None else (row[0], row[1])


def download_quarantine(session: Session, batch_id: int, actor: User | None,
                        lang: str) -> pl.DataFrame:
    """The batch's quarantined rows in file order, each reason told in ``lang`` (whatever
    the language of the upload), the download audited."""
    rows = session.execute(select(QuarantineRow.line_number, QuarantineRow.transaction_id,
                                  QuarantineRow.reason_code, QuarantineRow.reason,
                                  QuarantineRow.raw, QuarantineRow.reason_params,
                                  QuarantineRow.repeats)
                           .where(QuarantineRow.batch_id == batch_id)
                           .order_by(QuarantineRow.line_number)).all()
    record(session, actor, "batch.quarantine_download", "batch", batch_id,
           after={"rows": len(rows)})
    told: dict[tuple[str, str | None, str], str] = {}
    shown = [(line, txn, code,
              told.setdefault((code, params, reason),
                              quarantine_reason(code, params, lang, reason)), raw, repeats)
             for line, txn, code, reason, raw, params, repeats in rows]
    return pl.DataFrame(shown, orient="row", schema=QUARANTINE_SCHEMA)


@dataclass(frozen=True)
class QuarantinePage:
    rows: list[dict[str, Any]]
    """``QUARANTINE_SCHEMA``'s fields and the row's ``id``, each reason told in the
    reader's language."""
    next_id: int | None
    """The id the next page starts after; None on the last page."""


def quarantine_page(session: Session, batch_id: int, after_id: int | None, limit: int,
                    actor: User | None, lang: str) -> QuarantinePage:
    """Up to ``limit`` quarantined rows of the batch after row ``after_id``, in the order
    they were stored (file order), the read audited as the download is."""
    get_batch(session, batch_id)
    query = (select(QuarantineRow).where(QuarantineRow.batch_id == batch_id)
             .order_by(QuarantineRow.id).limit(limit + 1))
    if after_id is not None:
        query = query.where(QuarantineRow.id > after_id)
    found = list(session.scalars(query))
    page = found[:limit]
    record(session, actor, "batch.quarantine_read", "batch", batch_id,
           after={"rows": len(page), "after": after_id})
    rows = [{"id": row.id, "line_number": row.line_number,
             "transaction_id": row.transaction_id, "reason_code": row.reason_code,
             "reason": quarantine_reason(row.reason_code, row.reason_params, lang, row.reason),
             "raw": row.raw, "repeats": row.repeats} for row in page]
    return QuarantinePage(rows, page[-1].id if len(found) > limit else None)


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


def job_states(session: Session, batch_ids: list[int]) -> list[Batch]:
    """The batches' rows as their jobs leave them (status, progress, error), for a command
    that follows its jobs; detached from the session."""
    found = list(session.scalars(select(Batch).where(Batch.id.in_(batch_ids))))
    session.expunge_all()
    return found


def batch_choices(session: Session, limit: int = 200) -> list[tuple[int, str]]:
    """(id, file name) of the newest batches, for a batch filter menu."""
    rows = session.execute(select(Batch.id, Batch.file_name).order_by(Batch.id.desc())
                           .limit(limit))
    return [(batch_id, name) for batch_id, name in rows]


def latest_screened_batch(session: Session) -> Batch | None:
    """The batch screened last (what the list and rule versions in use were)."""
    return session.scalar(select(Batch).where(Batch.status == "done")
                          .order_by(Batch.finished_at.desc(), Batch.id.desc()).limit(1))
