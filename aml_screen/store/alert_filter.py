"""The queue's filter and sort orders as SQL, shared by the queue's reads and by "take the
next alert" (which honours the filter the investigator is looking at).

Every condition is a column of ``alerts`` or an indexed label look-up; no filter reads the
transactions table. Each sort matches one index of ``QUEUE_ORDERS`` (read forwards or
backwards), so a page is read from the index and stops after ``per_page`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, aliased

from aml_screen.store.models import ALERT_STATUSES, Alert, AlertLabel, User
from aml_screen.store.paging import assigned_to

SORTS: dict[str, Any] = {
    "-risk": (Alert.risk_score.desc(), Alert.id),
    "risk": (Alert.risk_score.asc(), Alert.id.desc()),
    "-created": (Alert.created_at.desc(), Alert.id.desc()),
    "created": (Alert.created_at.asc(), Alert.id),
    "subject": (Alert.subject_name.asc(), Alert.id),
}
"""Each the exact order of an index or its reverse (ties broken by id the same way)."""
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
ALERT_ROWS = select(Alert, User.username).outerjoin(User, User.id == Alert.assignee_id)
"""What a queue page reads: each alert with its assignee's user name."""
OPEN = "open"
"""Status filter value meaning every status but closed."""


@dataclass(frozen=True)
class AlertFilter:
    status: str | None = OPEN
    min_risk: float | None = None
    max_risk: float | None = None
    typology: str | None = None
    list_id: str | None = None
    rule_id: str | None = None
    batch_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    country: str | None = None
    """Originator or beneficiary country of one of the alert's transactions."""
    assignee: str | None = None
    """A user name, ``me`` (with ``viewer_id``) or ``none`` for unassigned alerts."""
    viewer_id: int | None = None
    sort: str = "-risk"
    page: int = 1
    per_page: int = 25


LABEL_FIELDS = (("typology", "typology"), ("list", "list_id"), ("rule", "rule_id"),
                ("country", "country"))
"""Label kind and the filter field holding its chosen value."""


def label_filters(flt: AlertFilter) -> list[tuple[str, str]]:
    """The (kind, value) labels ``flt`` asks for."""
    return [(kind, value) for kind, name in LABEL_FIELDS if (value := getattr(flt, name))]


def _labels_only(flt: AlertFilter) -> bool:
    others = (flt.min_risk, flt.max_risk, flt.assignee, flt.batch_id, flt.created_from,
              flt.created_to)
    return bool(label_filters(flt)) and all(value is None for value in others)


def _intersection(columns: Any, labels: list[tuple[str, str]], status: str | None) -> Any:
    """``columns`` of the first label's rows whose alert carries every other label, read
    from the label indexes alone (``status``: one status's entries only)."""
    (kind, value), *rest = labels
    query = select(*columns).where(AlertLabel.kind == kind, AlertLabel.value == value)
    if status is not None:
        query = query.where(AlertLabel.status == status)
    for kind, value in rest:
        other = aliased(AlertLabel)
        inner = select(other.alert_id).where(other.kind == kind, other.value == value)
        if status is not None:
            inner = inner.where(other.status == status)
        query = query.where(AlertLabel.alert_id.in_(inner))
    return query


FEW = 5_000
"""Alerts a filter of labels alone selects that are read by id and sorted in Python or
by id, at most, rather than found by walking the sort's index (``labelled_alerts``)."""


def selects_status(status: str, chosen: str | None) -> bool:
    """Whether an alert in ``status`` is one a filter on ``chosen`` (a status, ``OPEN`` or
    None for all) selects."""
    return chosen is None or status == chosen or (chosen == OPEN and status != "closed")


def labelled_alerts(flt: AlertFilter) -> Select[int, str] | None:
    """(alert id, status) of every alert a filter of labels alone selects, whatever its
    status, from the label indexes (labels carry their alert's status); None when the
    filter asks for more than labels."""
    if not _labels_only(flt):
        return None
    found: Select[int, str] = _intersection((AlertLabel.alert_id, AlertLabel.status),
                                            label_filters(flt), None)
    return found


def labelled_rows(session: Session, flt: AlertFilter, cap: int
                   ) -> list[tuple[int, str]] | None:
    """(alert id, status) of the alerts a filter of labels alone selects, whatever their
    status (``labelled_alerts``), ``cap + 1`` rows at most, so that a caller tells "more
    than ``cap``" from the length; None when the filter asks for more than labels."""
    found = labelled_alerts(flt)
    if found is None:
        return None
    return [(alert_id, status) for alert_id, status in session.execute(found.limit(cap + 1))]


def matching_ids(flt: AlertFilter) -> Select[int]:
    """The ids of the alerts ``flt`` selects, for counting. When all it asks is one status
    and labels, from the ``(kind, value, status, alert_id)`` label index alone (labels carry
    their alert's status): one merge of sorted index ranges, no probe of ``alerts`` per
    match."""
    if not _labels_only(flt) or flt.status not in ALERT_STATUSES:
        return filtered(select(Alert.id), flt)
    found: Select[int] = _intersection((AlertLabel.alert_id,), label_filters(flt), flt.status)
    return found


def labelled_ids(kind: str, value: str, status: str | None) -> Select[int]:
    """The ids of the alerts carrying the label, read from a label index alone: ``(kind,
    value, status, alert_id)`` when one status is chosen (only that status's entries),
    else ``(kind, value, alert_id)``."""
    labels = select(AlertLabel.alert_id).where(AlertLabel.kind == kind,
                                               AlertLabel.value == value)
    if status in ALERT_STATUSES:
        labels = labels.where(AlertLabel.status == status)
    return labels


def _labelled(kind: str, value: str, status: str | None) -> ColumnElement[bool]:
    return Alert.id.in_(labelled_ids(kind, value, status))


def _status(status: str | None) -> ColumnElement[bool] | None:
    if status == OPEN:
        return Alert.status != "closed"
    if status in ALERT_STATUSES:
        return Alert.status == status
    return None


def without_labels(flt: AlertFilter) -> AlertFilter:
    """``flt`` with its label filters (list, rule, typology, country) left out."""
    return replace(flt, typology=None, list_id=None, rule_id=None, country=None)


def filtered(query: Q, flt: AlertFilter) -> Q:
    """``query`` restricted to the alerts ``flt`` selects (its sort and page aside)."""
    conditions = [_status(flt.status),
                  assigned_to(Alert.assignee_id, flt.assignee, flt.viewer_id)]
    if flt.min_risk is not None:
        conditions.append(Alert.risk_score >= flt.min_risk)
    if flt.max_risk is not None:
        conditions.append(Alert.risk_score <= flt.max_risk)
    conditions += [_labelled(kind, value, flt.status) for kind, value in label_filters(flt)]
    if flt.batch_id is not None:
        conditions.append(Alert.batch_id == flt.batch_id)
    if flt.created_from is not None:
        conditions.append(Alert.created_at >= datetime.combine(flt.created_from, time(), UTC))
    if flt.created_to is not None:
        end = datetime.combine(flt.created_to + timedelta(days=1), time(), UTC)
        conditions.append(Alert.created_at < end)
    return query.where(*(c for c in conditions if c is not None))


def ordered(query: Q, flt: AlertFilter) -> Q:
    return query.order_by(*SORTS.get(flt.sort, SORTS["-risk"]))
