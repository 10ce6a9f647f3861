"""Read side of the alert queue: filtering, sorting, paging, counts per status, and
everything the alert detail page shows."""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session

from aml_screen.store.accounts import active_usernames
from aml_screen.store.alert_filter import (
    ALERT_ROWS,
    FEW,
    OPEN,
    SORTS,
    AlertFilter,
    filtered,
    label_filters,
    labelled_rows,
    matching_ids,
    ordered,
    selects_status,
)
from aml_screen.store.alert_keyset import ids_in_window
from aml_screen.store.audit import record
from aml_screen.store.models import (
    ALERT_STATUSES,
    LABEL_KINDS,
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
from aml_screen.store.paging import Page, capped, capped_count, ids_in
from aml_screen.store.subject_activity import SubjectActivity, subject_activity
from aml_screen.store.subject_context import SubjectContext, subject_contexts
from aml_screen.store.triage import get_alert

__all__ = [
    "COUNT_CAP", "OPEN", "SORTS", "AlertDetail", "AlertFilter", "AlertPage", "AlertPageData",
    "HitView",
    "alert_detail", "filter_choices", "list_alerts", "read_alert", "status_counts",
]

COUNT_CAP = 1_000
"""Counts stop here ("1,000+"). An exact count of a million alerts reads whole index
ranges on every view, and a filter on two common labels (sanctions alerts in Mali: 390,000
of a million) intersects hundreds of thousands of index entries per status; counting up to
a cap reads at most this many matches, and keeps the pager's offset below it too (40 pages
of 25). At 1M alerts a 10,000 cap still cost 0.6-1.2 s per status for such a filter on the
2-core benchmark machine; 1,000 costs a tenth. Past the cap an investigator narrows the
filter (or reverses the sort), and every count under the cap is exact."""

AlertPage = Page[tuple[Alert, str | None]]
"""Each alert with its assignee's user name."""


def list_alerts(session: Session, flt: AlertFilter,
                counts: dict[str, int] | None = None) -> AlertPage:
    """One page of alerts matching ``flt``, sorted by ``flt.sort``. The total (and so the
    last page reachable) is capped at ``COUNT_CAP``, ``more`` set beyond; ``counts`` (from
    ``status_counts`` under the same filter) spare counting again."""
    if counts is None:
        counted = capped_count(session, matching_ids(flt), COUNT_CAP)
    else:
        shown = [n for status, n in counts.items() if selects_status(status, flt.status)]
        counted = COUNT_CAP + 1 if any(n > COUNT_CAP for n in shown) else sum(shown)
    return _page(session, flt, filtered(ALERT_ROWS, flt), counted, walked=True)


def _page(session: Session, flt: AlertFilter, query: Select[Alert, str | None],
          counted: int, *, walked: bool = False) -> AlertPage:
    """Page ``flt.page`` of ``query``'s alerts (``counted`` of them, capped). When
    ``query`` would walk the sort's index under label filters (``walked``), the page is
    sought among the first ``WINDOW`` alerts of the walk first (``ids_in_window``), as
    the API's pages are: the walk probes each alert's labels until the page is filled,
    which a rare label makes long."""
    total = min(counted, COUNT_CAP)
    pages = max(1, -(-total // flt.per_page))
    page = max(1, min(flt.page, pages))
    offset = (page - 1) * flt.per_page
    shown = flt.per_page if counted > COUNT_CAP else min(flt.per_page, total - offset)
    ids = (ids_in_window(session, flt, None, offset, shown)
           if walked and label_filters(flt) and shown > 0 else None)
    if ids is not None:
        query, offset = ALERT_ROWS.where(ids_in(session, Alert.id, ids)), 0
    rows = session.execute(ordered(query, flt).offset(offset).limit(flt.per_page))
    return Page(items=[(alert, name) for alert, name in rows], total=total, page=page,
                per_page=flt.per_page, more=counted > COUNT_CAP)


def queue_view(session: Session, flt: AlertFilter) -> tuple[dict[str, int], AlertPage]:
    """The queue as an investigator sees it: ``status_counts`` and ``list_alerts`` under
    ``flt``.

    A filter of labels alone selecting at most ``FEW`` alerts is read once from the label
    indexes (each alert's id and status): the counts come from those rows, and the page
    from sorting them. Walking the sort's index instead probes the labels of every alert
    until a page is found (142 ms for 0.3 % of a million alerts under two labels), and
    each count walks the labels again. Many matches fill a page early: for them the index
    walk and the capped counts stay, and the rows read (``FEW + 1`` at most) already tell
    that every tab must be counted on its own (one grouped count less)."""
    rows = labelled_rows(session, flt, FEW)
    if rows is None:
        counts = status_counts(session, flt)
        return counts, list_alerts(session, flt, counts)
    if len(rows) > FEW:
        # More than COUNT_CAP match whatever their status: straight to counting each tab.
        counts = (_each_status(session, flt) if len(rows) > COUNT_CAP
                  else status_counts(session, flt))
        return counts, list_alerts(session, flt, counts)
    counts = dict.fromkeys(ALERT_STATUSES, 0)
    for _, status in rows:
        counts[status] += 1
    ids = [alert_id for alert_id, status in rows if selects_status(status, flt.status)]
    page = _page(session, flt, ALERT_ROWS.where(ids_in(session, Alert.id, ids)), len(ids))
    return {status: min(n, COUNT_CAP + 1) for status, n in counts.items()}, page


def status_counts(session: Session, flt: AlertFilter) -> dict[str, int]:
    """Alerts per status under every filter of ``flt`` except the status itself, each
    exact up to ``COUNT_CAP`` (a value above the cap means "more").

    One grouped count over at most ``COUNT_CAP + 1`` matching alerts first: exact for
    every status whenever the filter selects no more than that (the usual case once a
    filter is chosen). Past it, each status is counted up to the cap on its own index, all
    in one statement."""
    anything = replace(flt, status=None)
    first = filtered(select(Alert.status), anything).limit(COUNT_CAP + 1).subquery()
    counts = dict.fromkeys(ALERT_STATUSES, 0)
    counts.update({status: n for status, n in session.execute(
        select(first.c.status, func.count()).group_by(first.c.status))})
    if sum(counts.values()) <= COUNT_CAP:
        return counts
    return _each_status(session, flt)


def _each_status(session: Session, flt: AlertFilter) -> dict[str, int]:
    """Alerts per status under ``flt`` but its status, each counted up to ``COUNT_CAP`` on
    its own index, in one statement."""
    each = [capped(matching_ids(replace(flt, status=status)), COUNT_CAP)
            .label(status) for status in ALERT_STATUSES]
    return dict(zip(ALERT_STATUSES, session.execute(select(*each)).one(), strict=True))


def _label_values(kind: str) -> Select[str | None]:
    """The distinct values of one kind of label, skipping along the ``(kind, value,
    alert_id)`` index from each value to the next (a recursive query, one index probe per
    value): a few hundred probes where a DISTINCT would read every label of every alert."""
    def after(previous: Any) -> Any:
        found = select(AlertLabel.value).where(AlertLabel.kind == kind)
        if previous is not None:
            found = found.where(AlertLabel.value > previous)
        return found.order_by(AlertLabel.value).limit(1).scalar_subquery()

    values = select(after(None).label("value")).cte(f"{kind}_values", recursive=True)
    values = values.union_all(select(after(values.c.value)).where(values.c.value.is_not(None)))
    return select(values.c.value).where(values.c.value.is_not(None))


CHOICES_SECONDS = 60.0
"""How long the label menus read for one store are reused while no alert is added."""
_choices: weakref.WeakKeyDictionary[Any, tuple[float, int | None, dict[str, list[str]]]] = (
    weakref.WeakKeyDictionary())


def filter_choices(session: Session) -> dict[str, list[str]]:
    """Values offered in the queue's filter menus: label values (lists, rules, typologies,
    countries) some alert carries, in order, and active user names.

    The label values change only when alerts are added (or purged), and every investigator's
    queue view shows them: they are read again when the newest alert id has changed or
    after ``CHOICES_SECONDS`` (a purged value may linger that long), one probe of the
    primary key in between instead of four index walks."""
    newest = session.scalar(select(func.max(Alert.id)))
    store, now = session.get_bind(), time.monotonic()
    kept = _choices.get(store)
    if kept is not None and kept[1] == newest and now - kept[0] < CHOICES_SECONDS:
        labels = kept[2]
    else:
        labels = {kind: [v for v in session.scalars(_label_values(kind)) if v]
                  for kind in LABEL_KINDS}
        _choices[store] = (now, newest, labels)
    return {**labels, "assignee": active_usernames(session)}


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
    subjects: list[SubjectContext] = field(default_factory=list)
    """The subjects the alert is about, across every batch."""


@dataclass(frozen=True)
class AlertPageData:
    detail: AlertDetail
    activity: SubjectActivity
    """The subject's other transactions (see ``subject_activity``)."""
    users: list[str]
    """Active user names (the assignee menu)."""


def view_alert(session: Session, alert_id: int, viewer: User) -> AlertPageData:
    """What the alert page shows, the view audited (who saw which subject, when).

    The audit event is written last: appending to the audit chain holds its lock until the
    transaction commits, and every investigator's views and decisions queue behind it (20
    investigators at once spent most of their waiting there while a view read the
    subject's activity after taking it)."""
    found = alert_detail(session, alert_id)
    page = AlertPageData(detail=found, activity=subject_activity(session, found.alert),
                         users=active_usernames(session))
    record(session, viewer, "alert.view", "alert", alert_id,
           after={"subject_id": found.alert.subject_id})
    return page


def read_alert(session: Session, alert_id: int, viewer: User) -> AlertDetail:
    """The alert with its evidence but not its subject's activity (what the API returns),
    the view audited as the page's is."""
    found = alert_detail(session, alert_id)
    record(session, viewer, "alert.view", "alert", alert_id,
           after={"subject_id": found.alert.subject_id})
    return found


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
    entry_keys = sorted({(h.list_version, h.list_id, h.entry_id) for h in hits})
    entries = {(e.list_version, e.list_id, e.entry_id): e for e in session.scalars(
        select(ListedEntry).where(tuple_(ListedEntry.list_version, ListedEntry.list_id,
                                         ListedEntry.entry_id).in_(entry_keys)))
    } if entry_keys else {}
    rule_hits = list(session.scalars(select(RuleHit).where(RuleHit.alert_id == alert.id)
                                     .order_by(RuleHit.severity_score.desc(), RuleHit.id)))
    comments = [(c, name) for c, name in session.execute(
        select(Comment, User.username).join(User, User.id == Comment.author_id)
        .where(Comment.alert_id == alert.id).order_by(Comment.created_at, Comment.id))]
    return AlertDetail(
        alert=alert, batch=batch, assignee=assignee.username if assignee else None,
        transactions=transactions,
        hits=[HitView(h, entries.get((h.list_version, h.list_id, h.entry_id))) for h in hits],
        rule_hits=rule_hits, comments=comments, subjects=subject_contexts(session, alert.id),
    )
