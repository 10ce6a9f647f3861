"""Triage of alerts: status changes, closing with a disposition, assignment, "take next" and
comments. Each change checks the version the user saw (optimistic locking) and writes an
audit event with the state before and after, in the caller's transaction; closing an alert
also owes the ``alert.decided`` webhook event (``webhook_outbox``), in that transaction."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from aml_screen.store.alert_filter import AlertFilter, filtered, ordered
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.errors import ConflictError, NotFoundError, TriageError
from aml_screen.store.models import DISPOSITIONS, Alert, Comment, User
from aml_screen.store.webhook_outbox import alerts_decided

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("in_review", "closed"),
    "in_review": ("escalated", "closed"),
    "escalated": ("in_review", "closed"),
    "closed": ("in_review",),
}
"""Allowed moves; reopening a closed alert puts it back in review (and is audited)."""
MAX_COMMENT = 10_000
TAKE_BATCH = 20
TAKE_ROUNDS = 5
"""Candidates "take next" reads at a time, and how many batches it tries at most."""
MAX_BULK = 200
"""Alerts closed by one bulk action at most (one page of the queue is 25)."""


def get_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFoundError("alert.not_found", alert_id=alert_id)
    return alert


def _state(alert: Alert) -> dict[str, Any]:
    return {"status": alert.status, "disposition": alert.disposition,
            "close_reason": alert.close_reason, "assignee_id": alert.assignee_id,
            "version": alert.version}


def _locked(session: Session, alert_id: int, expected_version: int) -> Alert:
    """The alert, provided nobody saved it since the user read ``expected_version``."""
    alert = get_alert(session, alert_id)
    if alert.version != expected_version:
        raise ConflictError("alert.conflict", alert_id=alert_id)
    return alert


def _save(session: Session, alert: Alert, actor: User, action: str,
          before: dict[str, Any]) -> Alert:
    """Flush the change; the version check in the UPDATE catches a save that raced ours."""
    alert.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError("alert.conflict", alert_id=alert.id) from None
    record(session, actor, action, "alert", alert.id, before=before, after=_state(alert))
    return alert


def change_status(session: Session, alert_id: int, actor: User, status: str,
                  expected_version: int, disposition: str | None = None,
                  reason: str | None = None) -> Alert:
    """Move an alert along ``TRANSITIONS``; closing needs a disposition and a reason."""
    alert = _locked(session, alert_id, expected_version)
    if status not in TRANSITIONS.get(alert.status, ()):
        raise TriageError("alert.bad_transition", current=alert.status, wanted=status)
    before = _state(alert)
    if status == "closed":
        reason = (reason or "").strip()
        if disposition not in DISPOSITIONS:
            raise TriageError("alert.disposition_required")
        if not reason:
            raise TriageError("alert.reason_required")
        alert.disposition, alert.close_reason = disposition, reason[:MAX_COMMENT]
        alert.closed_at = utcnow()
    else:
        alert.disposition, alert.close_reason, alert.closed_at = None, None, None
    if alert.assignee_id is None and status in ("in_review", "escalated"):
        alert.assignee_id = actor.id
    alert.status = status
    saved = _save(session, alert, actor, f"alert.{status}", before)
    if status == "closed":
        alerts_decided(session, [saved])
    return saved


def assign(session: Session, alert_id: int, actor: User, assignee: User | None,
           expected_version: int) -> Alert:
    """Give the alert to ``assignee`` (None: back to the unassigned pool)."""
    if assignee is not None and not assignee.active:
        raise TriageError("alert.assignee_inactive", username=assignee.username)
    alert = _locked(session, alert_id, expected_version)
    before = _state(alert)
    alert.assignee_id = assignee.id if assignee else None
    return _save(session, alert, actor, "alert.assign", before)


def take_next(session: Session, actor: User, flt: AlertFilter | None = None) -> Alert | None:
    """Lock the highest-risk new, unassigned alert to ``actor`` and put it in review; with
    ``flt`` (the queue the investigator is looking at), one that filter selects, whatever
    status and assignee it names.

    The UPDATE only succeeds while the alert is still unassigned at the version read, so two
    investigators pressing "next" together never get the same alert: the loser moves on to
    the next candidate, and to the next ``TAKE_BATCH`` if every one was taken meanwhile
    (20 investigators pressing together on one store lost whole batches)."""
    wanted = replace(flt or AlertFilter(), status="new", assignee="none", sort="-risk")
    tried: list[int] = []
    for _round in range(TAKE_ROUNDS):
        candidates = ordered(filtered(select(Alert.id, Alert.version), wanted), wanted)
        if tried:
            candidates = candidates.where(Alert.id.not_in(tried))
        # On PostgreSQL the candidates are locked as they are read and the ones another
        # investigator's "next" holds are skipped, instead of queueing behind their claim
        # (other databases ignore the clause: the versioned UPDATE settles who wins)
        found = session.execute(candidates.limit(TAKE_BATCH)
                                .with_for_update(skip_locked=True, of=Alert)).all()
        for alert_id, version in found:
            alert = _claim(session, actor, alert_id, version)
            if alert is not None:
                return alert
        if len(found) < TAKE_BATCH:
            return None
        tried += [alert_id for alert_id, _version in found]
    return None


def _claim(session: Session, actor: User, alert_id: int, version: int) -> Alert | None:
    claimed = session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.version == version, Alert.assignee_id.is_(None))
        .values(assignee_id=actor.id, status="in_review", version=version + 1,
                updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    alert = get_alert(session, alert_id)
    session.refresh(alert)
    record(session, actor, "alert.take_next", "alert", alert_id,
           before={"status": "new", "assignee_id": None, "version": version},
           after=_state(alert))
    return alert


def add_comment(session: Session, alert_id: int, actor: User, body: str) -> Comment:
    text = body.strip()
    if not text:
        raise TriageError("alert.comment_empty")
    get_alert(session, alert_id)
    comment = Comment(alert_id=alert_id, author_id=actor.id, body=text[:MAX_COMMENT])
    session.add(comment)
    session.flush()
    record(session, actor, "alert.comment", "alert", alert_id,
           after={"comment_id": comment.id, "body": comment.body})
    return comment


@dataclass(frozen=True)
class BulkClose:
    closed: list[int] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)
    """Changed by someone else since the queue was shown: left as they are."""
    refused: list[int] = field(default_factory=list)
    """Already closed, or no longer exist."""


def close_many(session: Session, actor: User, versions: dict[int, int], disposition: str,
               reason: str) -> BulkClose:
    """Close the alerts ``versions`` names (alert id → version the user saw) with one
    disposition and one shared reason, in the caller's transaction, one audit event each.

    Not all-or-nothing, on purpose: an alert someone else changed since the queue was
    shown (escalated, commented, reassigned) is left untouched and reported as a conflict,
    and the others are closed — the user re-checks only the few that moved instead of
    redoing the whole selection. Should a concurrent save slip in between the version check
    and the UPDATE, the version counter makes the whole transaction fail with a conflict
    (nothing closed), never an overwrite."""
    text = (reason or "").strip()
    if disposition not in DISPOSITIONS:
        raise TriageError("alert.disposition_required")
    if not text:
        raise TriageError("alert.reason_required")
    if not versions:
        raise TriageError("alert.bulk_empty")
    if len(versions) > MAX_BULK:
        raise TriageError("alert.bulk_too_many", limit=MAX_BULK)
    found = {a.id: a for a in session.scalars(select(Alert).where(Alert.id.in_(versions)))}
    result = BulkClose()
    changed: list[tuple[Alert, dict[str, Any]]] = []
    now = utcnow()
    for alert_id in sorted(versions):
        alert = found.get(alert_id)
        if alert is None or "closed" not in TRANSITIONS.get(alert.status, ()):
            result.refused.append(alert_id)
        elif alert.version != versions[alert_id]:
            result.conflicts.append(alert_id)
        else:
            changed.append((alert, _state(alert)))
            alert.status, alert.disposition = "closed", disposition
            alert.close_reason, alert.closed_at, alert.updated_at = text[:MAX_COMMENT], now, now
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError("alert.bulk_conflict") from None
    for alert, before in changed:
        record(session, actor, "alert.closed", "alert", alert.id, before=before,
               after={**_state(alert), "bulk": True})
        result.closed.append(alert.id)
    alerts_decided(session, [alert for alert, _before in changed])
    return result
