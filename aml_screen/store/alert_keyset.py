"""The alert queue read page after page by key (the API's ``after`` cursor) instead of by
offset: each page starts where the previous one ended, read from the same index the queue's
sort walks (``alert_filter.SORTS``), so the millionth alert costs what the first does and
nothing is counted.

A key is the sort column's value and the alert id of a page's last row. Each sort is one
column then the id, in the same or opposite direction; "after the key" is that column
strictly past the value, or equal to it with the id past; the column's own bound is
repeated alone so the database seeks the index range instead of filtering it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from aml_screen.store.alert_filter import AlertFilter, filtered, ordered
from aml_screen.store.models import Alert, User


@dataclass(frozen=True)
class KeyOrder:
    column: InstrumentedAttribute[Any]
    descending: bool
    id_descending: bool


KEY_ORDERS: dict[str, KeyOrder] = {
    "-risk": KeyOrder(Alert.risk_score, descending=True, id_descending=False),
    "risk": KeyOrder(Alert.risk_score, descending=False, id_descending=True),
    "-created": KeyOrder(Alert.created_at, descending=True, id_descending=True),
    "created": KeyOrder(Alert.created_at, descending=False, id_descending=False),
    "subject": KeyOrder(Alert.subject_name, descending=False, id_descending=False),
}
"""``alert_filter.SORTS`` as (column, direction, id direction): the same orders, key by key."""

AlertKey = tuple[float | datetime | str, int]
"""The sort column's value and the id of the last alert of a page."""


def key_of(alert: Alert, sort: str) -> AlertKey:
    value: float | datetime | str = getattr(alert, KEY_ORDERS[sort].column.key)
    return value, alert.id


def _past(column: Any, value: Any, descending: bool, *, strict: bool) -> ColumnElement[bool]:
    found: ColumnElement[bool]
    if descending:
        found = column < value if strict else column <= value
    else:
        found = column > value if strict else column >= value
    return found


def after_key(order: KeyOrder, key: AlertKey) -> ColumnElement[bool]:
    value, alert_id = key
    return and_(_past(order.column, value, order.descending, strict=False),
                or_(_past(order.column, value, order.descending, strict=True),
                    and_(order.column == value,
                         _past(Alert.id, alert_id, order.id_descending, strict=True))))


@dataclass(frozen=True)
class KeysetPage:
    items: list[tuple[Alert, str | None]]
    """Each alert with its assignee's user name."""
    next_key: AlertKey | None
    """Where the next page starts; None on the last page."""


def alerts_after(session: Session, flt: AlertFilter, after: AlertKey | None,
                 limit: int) -> KeysetPage:
    """Up to ``limit`` alerts ``flt`` selects, in ``flt.sort`` order, after ``after``
    (from the start when None). One more row is read to know whether a next page exists."""
    sort = flt.sort if flt.sort in KEY_ORDERS else "-risk"
    query = ordered(filtered(select(Alert, User.username)
                             .outerjoin(User, User.id == Alert.assignee_id), flt), flt)
    if after is not None:
        query = query.where(after_key(KEY_ORDERS[sort], after))
    rows: list[tuple[Alert, str | None]] = [
        (alert, name) for alert, name in session.execute(query.limit(limit + 1))]
    more = len(rows) > limit
    items = rows[:limit]
    return KeysetPage(items, key_of(items[-1][0], sort) if more else None)
