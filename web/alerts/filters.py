"""The queue's query string read into an ``AlertFilter``: unknown or malformed values are
ignored rather than failing the page (a hand-edited URL still shows the queue), except an
identifier (``batch``), refused as everywhere (``web.ids``)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from aml_screen.errors import InputError
from aml_screen.store.alert_queue import OPEN, SORTS, AlertFilter
from aml_screen.store.ids import MAX_ID, parse_id
from aml_screen.store.models import ALERT_STATUSES
from web.dates import parse_day
from web.ids import page_number, query_id

FILTER_FIELDS = ("status", "min_risk", "max_risk", "typology", "list", "rule", "country",
                 "batch", "from", "to", "assignee", "sort")


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def parse_filter(args: MultiDict[str, str], viewer_id: int) -> AlertFilter:
    status = args.get("status", OPEN)
    sort = args.get("sort", "-risk")
    return AlertFilter(
        status=status if status in (OPEN, *ALERT_STATUSES) else None,
        min_risk=_number(args.get("min_risk")),
        max_risk=_number(args.get("max_risk")),
        typology=args.get("typology") or None,
        list_id=args.get("list") or None,
        rule_id=args.get("rule") or None,
        country=(args.get("country") or "").strip()[:80] or None,
        batch_id=query_id(args, "batch"),
        created_from=parse_day(args.get("from")),
        created_to=parse_day(args.get("to")),
        assignee=args.get("assignee") or None,
        viewer_id=viewer_id,
        sort=sort if sort in SORTS else "-risk",
        page=page_number(args.get("page")),
    )


def parse_versions(values: list[str]) -> dict[int, int]:
    """The bulk-close form's ``id:version`` pairs (blank ones skipped)."""
    pairs: dict[int, int] = {}
    for value in (text.strip() for text in values):
        if not value:
            continue
        alert_id, _, version = value.partition(":")
        found, seen = parse_id(alert_id), parse_id(version)
        if found is None or seen is None:
            raise InputError("web.bad_id", field="alert", value=value[:40], maximum=MAX_ID)
        pairs[found] = seen
    return pairs
