"""Delta re-screens in the store: requested for a list source and two of its versions,
their new hits stored as alerts of the batches holding them, the hits of removed entries
retired, and what each run found.

New hits follow re-screening's rule (``store.rescreen``): a hit is known by (transaction,
party role, list, entry), so running a delta again, or re-screening a batch whole after
it, stores nothing twice. The alerts of one batch hang on a ``Rescreen`` of that batch
(``delta_id`` naming the run), under a key derived from the batch and both versions.
A retired hit is kept, marked with the date of the version that removed its entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aml_screen.alerts import roll_up
from aml_screen.schema import HIT_SCHEMA, RULE_HIT_SCHEMA
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.copy_out import IN_CHUNK
from aml_screen.store.loading import get_batch, store_new_alerts
from aml_screen.store.models import Batch, Hit, ListDelta, Rescreen, User
from aml_screen.store.rescreen import known_hits, new_hits
from aml_screen.watchlists.loader import Watchlist
from aml_screen.watchlists.registry import Version


def request_delta(session: Session, old: Version, new: Version,
                  actor: User | None) -> ListDelta:
    """A queued delta re-screen of ``new``'s source from version ``old`` to ``new``."""
    delta = ListDelta(source=new.source, old_sha256=old.sha256, new_sha256=new.sha256,
                      new_version_date=new.version_date or new.retrieved_at[:10],
                      requested_by_id=actor.id if actor else None, status="queued",
                      queued_at=utcnow())
    session.add(delta)
    session.flush()
    record(session, actor, "lists.delta_requested", "watchlist", new.source,
           after={"delta_id": delta.id, "old_sha256": old.sha256, "new_sha256": new.sha256})
    return delta


def delta_key(batch_key: str, old_sha256: str, new_sha256: str) -> str:
    """The alert key base of a delta re-screen's alerts in one batch."""
    return hashlib.sha256(f"delta|{batch_key}|{old_sha256}|{new_sha256}".encode()).hexdigest()


def screenable_batches(session: Session, batch_ids: list[int]) -> list[int]:
    """Those of ``batch_ids`` whose screening is done and whose data is kept."""
    return list(session.scalars(select(Batch.id).where(
        Batch.id.in_(batch_ids), Batch.status == "done", Batch.purged_at.is_(None))
        .order_by(Batch.id)))


@dataclass(frozen=True)
class BatchFindings:
    """What a delta run found in one batch."""

    batch_id: int
    hits: pl.DataFrame
    """``HIT_SCHEMA`` hits of the batch's stored transactions, exemptions applied."""
    entries: pl.DataFrame
    """The listed entries hit (``loading.hit_entries``)."""
    transactions: pl.DataFrame
    """The batch's stored transactions holding a hit name."""


def store_findings(session: Session, delta: ListDelta, new: Watchlist,
                   found: BatchFindings) -> tuple[int, int]:
    """Store the hits of ``found`` its batch did not have as alerts of a re-screen of the
    batch made by ``delta``; returns (new hits, new alerts)."""
    batch = get_batch(session, found.batch_id)
    fresh = new_hits(found.hits, known_hits(session, batch.id)).select(list(HIT_SCHEMA))
    if fresh.is_empty():
        return 0, 0
    now = utcnow()
    rescreen = Rescreen(batch_id=batch.id, delta_id=delta.id, status="done", queued_at=now,
                        list_versions=[new.version()])
    session.add(rescreen)
    session.flush()
    key = delta_key(batch.batch_key or batch.sha256, delta.old_sha256, delta.new_sha256)
    alerts = roll_up(fresh, pl.DataFrame(schema=RULE_HIT_SCHEMA), key)
    created = store_new_alerts(session, batch, alerts, fresh, found.entries,
                               found.transactions, rescreen.id)
    rescreen.new_hits, rescreen.new_alerts, rescreen.finished_at = fresh.height, created, now
    record(session, None, "batch.rescreened", "batch", batch.id,
           after={"rescreen_id": rescreen.id, "delta_id": delta.id, "new_hits": fresh.height,
                  "new_alerts": created, "list_versions": [new.sha256]})
    return fresh.height, created


def retire_hits(session: Session, delta: ListDelta, entry_ids: list[str]) -> int:
    """Mark the live hits of the source's ``entry_ids`` (entries the new version removed)
    retired on the new version's date; returns how many were."""
    retired = 0
    for start in range(0, len(entry_ids), IN_CHUNK):
        result = session.execute(
            update(Hit).where(Hit.list_id == delta.source, Hit.retired_on.is_(None),
                              Hit.entry_id.in_(entry_ids[start:start + IN_CHUNK]))
            .values(retired_on=delta.new_version_date, retired_delta_id=delta.id)
            .execution_options(synchronize_session=False))
        retired += int(result.rowcount)  # type: ignore[attr-defined]
    return retired


def finish_delta(session: Session, delta: ListDelta, seconds: float) -> None:
    """``delta`` done with its figures (set by the caller), and ``lists.delta_rescreened``."""
    delta.status, delta.finished_at, delta.claim_token = "done", utcnow(), None
    delta.seconds = round(seconds, 3)
    record(session, None, "lists.delta_rescreened", "watchlist", delta.source, after={
        "delta_id": delta.id, "old_sha256": delta.old_sha256, "new_sha256": delta.new_sha256,
        "entries_added": delta.entries_added, "entries_changed": delta.entries_changed,
        "entries_removed": delta.entries_removed, "index_names": delta.index_names,
        "names_read": delta.names_read, "new_hits": delta.new_hits,
        "new_alerts": delta.new_alerts, "retired_hits": delta.retired_hits})


def recent_deltas(session: Session, limit: int = 20) -> list[ListDelta]:
    """The newest delta re-screens, newest first."""
    return list(session.scalars(select(ListDelta).order_by(ListDelta.id.desc()).limit(limit)))
