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

from aml_screen.store.alert_filter import (
    ALERT_ROWS,
    FEW,
    AlertFilter,
    filtered,
    label_filters,
    labelled_ids,
    labelled_rows,
    ordered,
    selects_status,
    without_labels,
)
from aml_screen.store.models import Alert
from aml_screen.store.paging import ids_in


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


def key_sort(flt: AlertFilter) -> str:
    """``flt``'s sort, or the queue's default (``-risk``) for one it does not know."""
    return flt.sort if flt.sort in KEY_ORDERS else "-risk"


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


WINDOW = 5_000
"""Alerts in sort order, past the cursor, among which a page under label filters is sought
before anything else."""
LABELLED_IDS = 100_000
"""Alerts a filter of labels alone may select for their ids to be read and paged by id on
PostgreSQL (one array parameter); elsewhere ``FEW``, which an ``IN`` list holds."""


def alerts_after(session: Session, flt: AlertFilter, after: AlertKey | None,
                 limit: int) -> KeysetPage:
    """Up to ``limit`` alerts ``flt`` selects, in ``flt.sort`` order, after ``after``
    (from the start when None). One more row is read to know whether a next page exists.

    Under label filters, walking the sort's index probes each alert's labels until the
    page is filled: cheap when many alerts carry them, unbounded when few do (a typology
    and a rare country, 0.1 % of a million alerts: seconds). So the page is sought among
    the next ``WINDOW`` alerts of the walk first; failing that, the ids a filter of labels
    alone selects are read from the label indexes and paged; only a filter mixing labels
    with other conditions, past both, walks on."""
    sort = key_sort(flt)
    order = KEY_ORDERS[sort]
    ids = _labelled_page(session, flt, order, after, limit) if label_filters(flt) else None
    query = ordered(filtered(ALERT_ROWS, flt) if ids is None
                    else ALERT_ROWS.where(ids_in(session, Alert.id, ids)), flt)
    if after is not None:
        query = query.where(after_key(order, after))
    rows: list[tuple[Alert, str | None]] = [
        (alert, name) for alert, name in session.execute(query.limit(limit + 1))]
    more = len(rows) > limit
    items = rows[:limit]
    return KeysetPage(items, key_of(items[-1][0], sort) if more else None)


def _labelled_page(session: Session, flt: AlertFilter, order: KeyOrder,
                   after: AlertKey | None, limit: int) -> list[int] | None:
    """The ids of the page and the row after it when the next ``WINDOW`` alerts of the
    walk hold them; else every id a filter of labels alone selects (``_labelled``); None
    when neither tells."""
    found = ids_in_window(session, flt, after, 0, limit + 1)
    return found if found is not None else _labelled(session, flt)


def ids_in_window(session: Session, flt: AlertFilter, after: AlertKey | None, offset: int,
                  count: int) -> list[int] | None:
    """The ids of the ``count`` alerts ``flt`` selects from position ``offset`` on, in its
    sort order (after ``after`` when given), when they are among the next ``WINDOW``
    alerts its conditions other than labels select; None when the window holds fewer.
    This bounds what a walk of the sort's index under label filters reads."""
    order = KEY_ORDERS[key_sort(flt)]
    walk = filtered(select(Alert.id, order.column), without_labels(flt))
    if after is not None:
        walk = walk.where(after_key(order, after))
    window = ordered(walk, flt).limit(WINDOW).subquery()
    column, ids = window.c[order.column.key], window.c.id
    found = session.scalars(
        select(ids).where(*(ids.in_(labelled_ids(kind, value, flt.status))
                            for kind, value in label_filters(flt)))
        .order_by(column.desc() if order.descending else column.asc(),
                  ids.desc() if order.id_descending else ids.asc())
        .offset(offset).limit(count)).all()
    return list(found) if len(found) == count else None


def _labelled(session: Session, flt: AlertFilter) -> list[int] | None:
    """The ids of the alerts a filter of labels alone selects in its status, read once
    from the label indexes, when there are at most ``LABELLED_IDS`` (``FEW`` but on
    PostgreSQL) whatever their status; None otherwise."""
    cap = LABELLED_IDS if session.get_bind().dialect.name == "postgresql" else FEW
    rows = labelled_rows(session, flt, cap)
    if rows is None or len(rows) > cap:
        return None
    return [alert_id for alert_id, status in rows if selects_status(status, flt.status)]
