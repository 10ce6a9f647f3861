"""Re-screening a stored batch against the current list versions: only new hits alert.

A hit is *known* when the batch already has one for the same transaction, party role,
list and entry — from its first run or from an earlier re-screen — whatever its list
version or score. The new hits are rolled up into alerts under a key derived from the
batch and the list versions used, so they never collide with the first run's alerts, and
re-screening again against the same versions finds nothing new and creates nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from aml_screen.alerts import roll_up
from aml_screen.errors import InputError
from aml_screen.pipeline import ScreeningRun
from aml_screen.schema import HIT_SCHEMA, RULE_HIT_SCHEMA
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.jobs import Claim, require_claim
from aml_screen.store.loading import get_batch, store_new_alerts
from aml_screen.store.models import Alert, Batch, Hit, Rescreen, User

HIT_IDENTITY = ("transaction_id", "party_role", "list_id", "entry_id")
RESCREEN_STATUSES = ("queued", "running", "done", "failed")


class RescreenError(InputError):
    """A batch that cannot be screened again (not screened yet, or its data purged)."""

    http_status = 400


def request_rescreen(session: Session, batch_id: int, actor: User | None) -> Rescreen:
    """A queued re-screen of a batch whose screening is done and whose data is kept."""
    batch = get_batch(session, batch_id)
    if batch.status != "done":
        raise RescreenError("rescreen.not_screened", batch_id=batch_id, status=batch.status)
    if batch.purged_at is not None:
        raise RescreenError("rescreen.purged", batch_id=batch_id)
    rescreen = Rescreen(batch_id=batch_id, requested_by_id=actor.id if actor else None,
                        status="queued", queued_at=utcnow())
    session.add(rescreen)
    session.flush()
    record(session, actor, "batch.rescreen_requested", "batch", batch_id,
           after={"rescreen_id": rescreen.id})
    return rescreen


def batches_since(session: Session, since: datetime) -> list[int]:
    """Ids of the batches uploaded at or after ``since`` that can be re-screened."""
    return list(session.scalars(select(Batch.id).where(
        Batch.uploaded_at >= since, Batch.status == "done", Batch.purged_at.is_(None),
    ).order_by(Batch.id)))


def known_hits(session: Session, batch_id: int) -> pl.DataFrame:
    """The identities (``HIT_IDENTITY``) of every hit stored for the batch."""
    rows = session.execute(
        select(Hit.transaction_id, Hit.party_role, Hit.list_id, Hit.entry_id)
        .join(Alert, Alert.id == Hit.alert_id).where(Alert.batch_id == batch_id)
        .distinct()).all()
    return pl.DataFrame([tuple(r) for r in rows], orient="row",
                        schema=dict.fromkeys(HIT_IDENTITY, pl.String()))


def new_hits(hits: pl.DataFrame, known: pl.DataFrame) -> pl.DataFrame:
    """The hits whose identity is not among ``known``."""
    return hits.join(known, on=list(HIT_IDENTITY), how="anti", maintain_order="left")


def rescreen_key(batch_key: str, list_versions: Sequence[dict[str, Any]]) -> str:
    """The alert key base of a re-screen: the batch's key and the list versions used."""
    versions = "\n".join(sorted(str(v.get("sha256")) for v in list_versions))
    return hashlib.sha256(f"rescreen|{batch_key}|{versions}".encode()).hexdigest()


def load_rescreen(session: Session, rescreen_id: int, run: ScreeningRun,
                  entries: pl.DataFrame | None, claim: Claim | None = None) -> int:
    """Store the new hits of ``run`` (a screening of the re-screen's batch) as alerts
    attached to the re-screen; returns how many alerts were created. With the attempt's
    ``claim``, it is checked after the inserts (a lost claim rolls them back) instead of
    locking the row first, so the heartbeat is not blocked meanwhile."""
    rescreen = session.get_one(Rescreen, rescreen_id, with_for_update=claim is None)
    if rescreen.status == "done":
        return 0
    batch = get_batch(session, rescreen.batch_id)
    fresh = new_hits(run.hits, known_hits(session, batch.id)).select(list(HIT_SCHEMA))
    versions = run.summary.get("list_versions", [])
    key = rescreen_key(batch.batch_key or batch.sha256, versions)
    alerts = roll_up(fresh, pl.DataFrame(schema=RULE_HIT_SCHEMA), key)
    created = store_new_alerts(session, batch, alerts, fresh, entries, run.transactions,
                               rescreen.id)
    if claim is not None:
        require_claim(session, claim)
    rescreen.status, rescreen.finished_at, rescreen.claim_token = "done", utcnow(), None
    rescreen.list_versions = versions
    rescreen.new_hits, rescreen.new_alerts = fresh.height, created
    record(session, None, "batch.rescreened", "batch", batch.id,
           after={"rescreen_id": rescreen.id, "new_hits": fresh.height,
                  "new_alerts": created, "exempt_hits": run.summary.get("exempt_hits", 0),
                  "list_versions": [v.get("sha256") for v in versions]})
    return created


def pending_rescreen(session: Session, batch_id: int) -> Rescreen | None:
    """The batch's newest re-screen still queued or running, if any."""
    return session.scalars(select(Rescreen).where(
        Rescreen.batch_id == batch_id, Rescreen.status.in_(("queued", "running")))
        .order_by(Rescreen.id.desc())).first()


def batch_rescreens(session: Session, batch_id: int) -> list[tuple[Rescreen, str | None]]:
    """The batch's re-screens, newest first, with who requested each."""
    rows = session.execute(select(Rescreen, User.username)
                           .outerjoin(User, User.id == Rescreen.requested_by_id)
                           .where(Rescreen.batch_id == batch_id)
                           .order_by(Rescreen.id.desc())).all()
    return [(r, name) for r, name in rows]
