"""The audit viewer's filters read from the query string (a malformed value is ignored
rather than refused); the trail itself is read by ``store.audit_trail``."""

from __future__ import annotations

from collections.abc import Mapping

from aml_screen.store.audit_trail import AuditFilter
from web.dates import parse_day
from web.ids import page_number

FILTER_FIELDS = ("actor", "action", "object_type", "object_id", "from", "to")


def _text(args: Mapping[str, str], name: str, limit: int) -> str | None:
    value = (args.get(name) or "").strip()[:limit]
    return value or None


def parse_filter(args: Mapping[str, str]) -> AuditFilter:
    """Filters from request arguments; a malformed value is ignored rather than refused."""
    page = args.get("page", "")
    return AuditFilter(
        actor=_text(args, "actor", 80), action=_text(args, "action", 60),
        object_type=_text(args, "object_type", 40), object_id=_text(args, "object_id", 120),
        date_from=parse_day(args.get("from")), date_to=parse_day(args.get("to")),
        page=page_number(page))
