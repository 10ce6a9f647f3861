"""Reading the audit trail for the viewer: filters from the query string, one page of events
(newest first), and each event's before/after as rows a person can read. Nothing here
writes: the trail is append-only and this page only looks at it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from aml_screen.store.models import AuditEvent
from aml_screen.store.paging import Page, page_rows
from web.ids import page_number

PAGE_SIZE = 50
FILTER_FIELDS = ("actor", "action", "object_type", "object_id", "from", "to")


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


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _text(args: Mapping[str, str], name: str, limit: int) -> str | None:
    value = (args.get(name) or "").strip()[:limit]
    return value or None


def parse_filter(args: Mapping[str, str]) -> AuditFilter:
    """Filters from request arguments; a malformed value is ignored rather than refused."""
    page = args.get("page", "")
    return AuditFilter(
        actor=_text(args, "actor", 80), action=_text(args, "action", 60),
        object_type=_text(args, "object_type", 40), object_id=_text(args, "object_id", 120),
        date_from=_date(args.get("from")), date_to=_date(args.get("to")),
        page=page_number(page))


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


def filter_choices(session: Session) -> dict[str, list[str]]:
    """Actors and object types found in the trail (for the filter menus)."""
    return {
        "actor": list(session.scalars(select(AuditEvent.actor_name).distinct()
                                      .order_by(AuditEvent.actor_name))),
        "object_type": list(session.scalars(select(AuditEvent.object_type).distinct()
                                            .order_by(AuditEvent.object_type))),
    }


def shown(value: Any) -> str:
    """A stored JSON value as text: strings as they are, the rest as compact JSON (Unicode
    kept readable: Arabic names and accents are not escaped)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None
    """None when the event had no state before (a creation) or lacked this field."""
    after: str | None
    changed: bool


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """One row per field found before or after, in name order, saying whether it changed."""
    old, new = before or {}, after or {}
    rows = []
    for name in sorted(old.keys() | new.keys()):
        was = shown(old[name]) if name in old else None
        now = shown(new[name]) if name in new else None
        rows.append(Change(name, was, now, was != now))
    return rows
