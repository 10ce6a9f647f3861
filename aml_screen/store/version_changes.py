"""List and rule changes in the audit trail.

Each completed batch records which list versions (``Batch.list_versions``) and which rule set
(``Batch.rule_digest``) screened it. ``record_version_changes`` compares them with those of
the batch completed before it and records ``lists.changed`` and ``rules.changed`` as system
events when they differ, so an auditor sees in the trail from which batch on a new list
version or a changed rule set was in force. The first batch records the initial versions
(compared with nothing).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aml_screen.store.audit import record
from aml_screen.store.models import AuditEvent, Batch

ListState = dict[str, dict[str, Any]]
"""list id -> {"sha256": ..., "version_date": ...}."""


def list_state(list_versions: list[dict[str, Any]] | None) -> ListState:
    """The parts of a batch's ``list_versions`` that identify a version, by list id."""
    return {str(entry["list_id"]): {"sha256": entry.get("sha256"),
                                    "version_date": entry.get("version_date")}
            for entry in list_versions or ()}


def previous_batch(session: Session, batch: Batch) -> Batch | None:
    """The batch completed most recently before ``batch`` (None for the first one)."""
    query = (select(Batch)
             .where(Batch.status == "done", Batch.id != batch.id,
                    Batch.finished_at.is_not(None))
             .order_by(Batch.finished_at.desc(), Batch.id.desc()).limit(1))
    if batch.finished_at is not None:
        query = query.where(Batch.finished_at <= batch.finished_at)
    return session.scalar(query)


def record_version_changes(session: Session, batch: Batch) -> list[AuditEvent]:
    """Record ``lists.changed`` / ``rules.changed`` for ``batch`` when its list versions or
    rule digest differ from the previous completed batch's; returns the events recorded."""
    previous = previous_batch(session, batch)
    events = []
    before_lists = list_state(previous.list_versions) if previous else {}
    after_lists = list_state(batch.list_versions)
    if before_lists != after_lists:
        events.append(record(session, None, "lists.changed", "batch", batch.id,
                             before=before_lists or None, after=after_lists))
    before_digest = previous.rule_digest if previous else None
    if before_digest != batch.rule_digest:
        events.append(record(session, None, "rules.changed", "batch", batch.id,
                             before={"rule_digest": before_digest} if previous else None,
                             after={"rule_digest": batch.rule_digest}))
    return events
