"""Read side of the alert queue: filtering, sorting, paging, counts per status, and
everything the alert detail page shows."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from aml_screen.store.models import (
    ALERT_STATUSES,
    Alert,
    AlertLabel,
    Batch,
    Comment,
    Hit,
    ListedEntry,
    RuleHit,
    Transaction,
    User,
)
from aml_screen.store.paging import Page, assigned_to, page_rows
from aml_screen.store.triage import get_alert

SORTS: dict[str, Any] = {
    "-risk": (Alert.risk_score.desc(), Alert.id),
    "risk": (Alert.risk_score.asc(), Alert.id),
    "-created": (Alert.created_at.desc(), Alert.id.desc()),
    "created": (Alert.created_at.asc(), Alert.id),
    "subject": (Alert.subject_name.asc(), Alert.id),
}
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
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


AlertPage = Page[tuple[Alert, str | None]]
"""Each alert with its assignee's user name."""


class json_items(FunctionElement[Any]):  # noqa: N801 (SQL function names are lower case)
    """The elements of a JSON array as rows of text (column ``value``): ``json_each`` on
    SQLite, ``json_array_elements_text`` on PostgreSQL."""

    name = "json_items"
    inherit_cache = True


@compiles(json_items)
def _json_each(element: json_items, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(json_items, "postgresql")
def _json_array_elements(element: json_items, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_array_elements_text({compiler.process(element.clauses, **kw)})"


def _alert_transactions() -> Select[*tuple[Any, ...]]:
    """Transactions of the alert in the enclosing query (correlated): its ids come from the
    JSON list, each looked up through the (batch, transaction id) index."""
    items = json_items(Alert.transaction_ids).table_valued("value")
    return select(Transaction.originator_country, Transaction.beneficiary_country).where(
        Transaction.batch_id == Alert.batch_id, Transaction.transaction_id == items.c.value)


def _country(value: str) -> Any:
    return _alert_transactions().where(or_(Transaction.originator_country == value,
                                           Transaction.beneficiary_country == value)).exists()


def _label(kind: str, value: str) -> Any:
    return select(AlertLabel.alert_id).where(AlertLabel.kind == kind,
                                             AlertLabel.value == value).exists().where(
        AlertLabel.alert_id == Alert.id)


def _filtered(query: Q, flt: AlertFilter, with_status: bool = True) -> Q:
    if with_status and flt.status == OPEN:
        query = query.where(Alert.status != "closed")
    elif with_status and flt.status in ALERT_STATUSES:
        query = query.where(Alert.status == flt.status)
    if flt.min_risk is not None:
        query = query.where(Alert.risk_score >= flt.min_risk)
    if flt.max_risk is not None:
        query = query.where(Alert.risk_score <= flt.max_risk)
    for kind, value in (("typology", flt.typology), ("list", flt.list_id),
                        ("rule", flt.rule_id)):
        if value:
            query = query.where(_label(kind, value))
    if flt.country:
        query = query.where(_country(flt.country))
    if flt.batch_id is not None:
        query = query.where(Alert.batch_id == flt.batch_id)
    if flt.created_from is not None:
        query = query.where(Alert.created_at >= datetime.combine(flt.created_from, time(),
                                                                 UTC))
    if flt.created_to is not None:
        end = datetime.combine(flt.created_to + timedelta(days=1), time(), UTC)
        query = query.where(Alert.created_at < end)
    assignee = assigned_to(Alert.assignee_id, flt.assignee, flt.viewer_id)
    if assignee is not None:
        query = query.where(assignee)
    return query


def list_alerts(session: Session, flt: AlertFilter) -> AlertPage:
    """One page of alerts matching ``flt``, sorted by ``flt.sort``."""
    query = (_filtered(select(Alert, User.username).outerjoin(User,
                                                              User.id == Alert.assignee_id),
                       flt)
             .order_by(*SORTS.get(flt.sort, SORTS["-risk"])))
    found: AlertPage = page_rows(session, query, flt.page, flt.per_page)
    return found


def status_counts(session: Session, flt: AlertFilter) -> dict[str, int]:
    """Alerts per status under every filter of ``flt`` except the status itself."""
    query = _filtered(select(Alert.status, func.count(Alert.id)), replace(flt, status=None),
                      with_status=False).group_by(Alert.status)
    counts = dict.fromkeys(ALERT_STATUSES, 0)
    counts.update({status: count for status, count in session.execute(query)})
    return counts


def filter_choices(session: Session) -> dict[str, list[str]]:
    """Values offered in the queue's filter menus: labels present, countries of alerted
    transactions, active user names."""
    rows = session.execute(select(AlertLabel.kind, AlertLabel.value).distinct()
                           .order_by(AlertLabel.kind, AlertLabel.value))
    choices: dict[str, list[str]] = {"list": [], "rule": [], "typology": []}
    for kind, value in rows:
        choices.setdefault(kind, []).append(value)
    pairs = _alert_transactions().add_columns(Alert.id).subquery()
    countries = union(select(pairs.c.originator_country), select(pairs.c.beneficiary_country))
    choices["country"] = sorted(c for c in session.scalars(countries) if c)
    choices["assignee"] = list(session.scalars(
        select(User.username).where(User.active.is_(True)).order_by(User.username)))
    return choices


@dataclass(frozen=True)
class HitView:
    hit: Hit
    entry: ListedEntry | None


@dataclass(frozen=True)
class AlertDetail:
    alert: Alert
    batch: Batch
    assignee: str | None
    transactions: list[Transaction]
    hits: list[HitView]
    rule_hits: list[RuleHit]
    comments: list[tuple[Comment, str]] = field(default_factory=list)


def alert_detail(session: Session, alert_id: int) -> AlertDetail:
    """The alert with its batch, transactions, hits beside their listed entries, rule hits
    and comments (oldest first)."""
    alert = get_alert(session, alert_id)
    batch = session.get_one(Batch, alert.batch_id)
    assignee = session.get(User, alert.assignee_id) if alert.assignee_id else None
    transactions = list(session.scalars(
        select(Transaction).where(Transaction.batch_id == alert.batch_id,
                                  Transaction.transaction_id.in_(alert.transaction_ids))
        .order_by(Transaction.booked_at, Transaction.transaction_id)))
    hits = list(session.scalars(select(Hit).where(Hit.alert_id == alert.id)
                                .order_by(Hit.score.desc(), Hit.id)))
    entry_keys = {(h.list_version, h.list_id, h.entry_id) for h in hits}
    entries = {(e.list_version, e.list_id, e.entry_id): e for e in session.scalars(
        select(ListedEntry).where(ListedEntry.list_version.in_({k[0] for k in entry_keys})))
        if (e.list_version, e.list_id, e.entry_id) in entry_keys}
    rule_hits = list(session.scalars(select(RuleHit).where(RuleHit.alert_id == alert.id)
                                     .order_by(RuleHit.severity_score.desc(), RuleHit.id)))
    comments = [(c, name) for c, name in session.execute(
        select(Comment, User.username).join(User, User.id == Comment.author_id)
        .where(Comment.alert_id == alert.id).order_by(Comment.created_at, Comment.id))]
    return AlertDetail(
        alert=alert, batch=batch, assignee=assignee.username if assignee else None,
        transactions=transactions,
        hits=[HitView(h, entries.get((h.list_version, h.list_id, h.entry_id))) for h in hits],
        rule_hits=rule_hits, comments=comments,
    )
