"""Reading the audit trail for a person: one page of events (newest first) under filters,
the values the filter menus offer, each event's before/after as rows of fields, and the
names of the users those refer to by id (the web viewer puts the rows into words).
Nothing here writes: the trail is append-only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from aml_screen.store.models import AuditEvent, User
from aml_screen.store.paging import Page, page_rows

PAGE_SIZE = 50
USER_FIELDS = frozenset({"assignee_id", "actor_id", "user_id", "uploaded_by_id",
                         "proposed_by_id", "decided_by_id", "author_id", "prepared_by_id",
                         "approved_by_id", "requested_by_id", "created_by_id", "added_by_id"})
"""Fields of an event's before/after that hold a user's id: shown with the user's name."""


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    """A prefix: ``user.`` finds every account event, ``alert.status`` one kind."""
    object_type: str | None = None
    object_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    """Inclusive: the whole day (UTC)."""
    page: int = 1


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _filtered(query: Select[Any], flt: AuditFilter) -> Select[Any]:
    if flt.actor:
        query = query.where(AuditEvent.actor_name == flt.actor)
    if flt.action:
        query = query.where(AuditEvent.action.like(_escape_like(flt.action) + "%",
                                                   escape="\\"))
    if flt.object_type:
        query = query.where(AuditEvent.object_type == flt.object_type)
    if flt.object_id:
        query = query.where(AuditEvent.object_id == flt.object_id)
    if flt.date_from:
        query = query.where(AuditEvent.at >= _midnight(flt.date_from))
    if flt.date_to:
        query = query.where(AuditEvent.at < _midnight(flt.date_to + timedelta(days=1)))
    return query


def list_events(session: Session, flt: AuditFilter,
                size: int = PAGE_SIZE) -> Page[AuditEvent]:
    rows = page_rows(session, _filtered(select(AuditEvent), flt)
                     .order_by(AuditEvent.seq.desc()), flt.page, size)
    return Page([event for (event,) in rows.items], rows.total, rows.page, rows.per_page)


def event_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def event_with_users(session: Session, event_id: int) -> tuple[AuditEvent, dict[int, str]] | None:
    """One event and the names of the users it refers to; None when there is no such event."""
    event = session.get(AuditEvent, event_id)
    return None if event is None else (event, user_names(session, [event]))


def filter_choices(session: Session) -> dict[str, list[str]]:
    """Actors and object types found in the trail (for the filter menus)."""
    return {
        "actor": list(session.scalars(select(AuditEvent.actor_name).distinct()
                                      .order_by(AuditEvent.actor_name))),
        "object_type": list(session.scalars(select(AuditEvent.object_type).distinct()
                                            .order_by(AuditEvent.object_type))),
    }


class Absent(Enum):
    """A field an event's before or after does not hold: not the same as a null value."""

    ABSENT = "absent"


ABSENT = Absent.ABSENT


@dataclass(frozen=True)
class Change:
    """One field of an event, its stored JSON values as they are (the viewer words them)."""

    field: str
    before: Any
    """``ABSENT`` when the event had no state before (a creation) or lacked this field."""
    after: Any
    changed: bool


def user_names(session: Session, events: Sequence[AuditEvent]) -> dict[int, str]:
    """The names of the users the events' before/after refer to by id (one query)."""
    ids = {value for event in events for payload in (event.before, event.after)
           for name, value in (payload or {}).items()
           if name in USER_FIELDS and isinstance(value, int)}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def changes(before: dict[str, Any] | None,
            after: dict[str, Any] | None) -> list[Change]:
    """One row per field found before or after, in name order, saying whether it changed."""
    old, new = before or {}, after or {}
    rows = []
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name, ABSENT), new.get(name, ABSENT)
        rows.append(Change(name, was, now, was != now))
    return rows
