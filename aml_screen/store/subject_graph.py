"""A subject's link chart: the subjects it dealt with, and theirs, up to three hops, with the
money between them aggregated per direction and currency.

Each subject expanded is one indexed read of its newest transaction sides (``RECENT``, in
the dates asked) with the subject on the other side, summed per counterparty; each keeps
its ``PER_NODE`` largest counterparties, a hop expands at most ``FRONTIER`` subjects and the
chart holds ``MAX_NODES``: a merchant dealing with thousands of customers stays readable,
and the chart's cost does not grow with the store. The chart says when it left some out.
Edges go from payer to payee, one per currency (amounts in two currencies are never
added). Nodes say whether the subject was alerted, hit on a list, or is under a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aml_screen.store.errors import NotFoundError
from aml_screen.store.models import (
    Alert,
    AlertSubject,
    CaseAlert,
    PartySubject,
    Subject,
    Transaction,
)
from aml_screen.store.party_sides import its_transaction, other_side
from aml_screen.store.subject_search import current_subject

MAX_HOPS = 3
PER_NODE = 25
"""Counterparties kept per node expanded (the largest by transactions, then amount)."""
MAX_NODES = 150
FRONTIER = 25
"""Subjects expanded per hop (those the previous hop reached first: the largest)."""
RECENT = 1000
"""Transaction sides read per subject expanded, the newest batches first."""


@dataclass(frozen=True)
class GraphFilter:
    date_from: date | None = None
    date_to: date | None = None
    min_amount: Decimal | None = None
    """Least total of an edge (in its currency) to be drawn."""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    currency: str | None
    total: Decimal
    count: int


@dataclass(frozen=True)
class Node:
    subject_id: str
    name: str | None
    records: int
    hop: int
    alerted: bool
    listed: bool
    under_case: bool


@dataclass(frozen=True)
class Graph:
    root: str
    nodes: list[Node]
    edges: list[Edge]
    capped: bool
    """Some counterparties were left out (``PER_NODE`` or ``MAX_NODES``)."""


def subject_graph(session: Session, subject_id: str, hops: int = 2,
                  flt: GraphFilter | None = None) -> Graph:
    root = current_subject(session, subject_id)
    if root is None:
        raise NotFoundError("subject.not_found", subject_id=subject_id)
    flt = flt or GraphFilter()
    hop_of = {root: 0}
    frontier = [root]
    edges: dict[tuple[str, str, str | None], Edge] = {}
    capped = False
    for hop in range(1, max(1, min(hops, MAX_HOPS)) + 1):
        found, cut = _neighbours(session, frontier, flt)
        capped |= cut
        new: list[str] = []
        for edge in found:
            for end in (edge.source, edge.target):
                if end not in hop_of:
                    if len(hop_of) >= MAX_NODES:
                        capped = True
                        break
                    hop_of[end] = hop
                    new.append(end)
            if edge.source in hop_of and edge.target in hop_of:
                edges[(edge.source, edge.target, edge.currency)] = edge
        frontier = new
        if not frontier:
            break
    return Graph(root=root, nodes=_nodes(session, hop_of), edges=list(edges.values()),
                 capped=capped)


def _neighbours(session: Session, frontier: list[str], flt: GraphFilter
                ) -> tuple[list[Edge], bool]:
    """The edges between each frontier subject (the ``FRONTIER`` busiest) and its largest
    counterparties, from its ``RECENT`` newest transaction sides in the dates asked."""
    other, theirs = other_side()
    cut = len(frontier) > FRONTIER
    kept: list[Edge] = []
    for own in frontier[:FRONTIER]:
        conditions: list[Any] = [PartySubject.subject_id == own]
        if flt.date_from:
            conditions.append(Transaction.booked_at >= datetime.combine(
                flt.date_from, time.min, tzinfo=UTC))
        if flt.date_to:
            conditions.append(Transaction.booked_at < datetime.combine(
                flt.date_to + timedelta(days=1), time.min, tzinfo=UTC))
        recent = (select(PartySubject.party_role.label("role"),
                         other.subject_id.label("other"), Transaction.currency.label("currency"),
                         Transaction.amount.label("amount"))
                  .select_from(PartySubject)
                  .join(Transaction, its_transaction())
                  .join(other, theirs)
                  .where(*conditions, other.subject_id != own)
                  .order_by(PartySubject.batch_id.desc()).limit(RECENT).subquery())
        grouped = session.execute(select(
            recent.c.role, recent.c.other, recent.c.currency,
            func.coalesce(func.sum(recent.c.amount), 0), func.count()).group_by(
            recent.c.role, recent.c.other, recent.c.currency)).all()
        cut |= sum(int(row[4]) for row in grouped) >= RECENT
        totals = {(role, theirs, currency): (Decimal(total), int(count))
                  for role, theirs, currency, total, count in grouped}
        edges = [Edge(source=own if role == "originator" else theirs,
                      target=theirs if role == "originator" else own, currency=currency,
                      total=total, count=count)
                 for (role, theirs, currency), (total, count) in totals.items()
                 if flt.min_amount is None or total >= flt.min_amount]
        edges.sort(key=lambda e: (-e.count, -e.total, e.source, e.target, e.currency or ""))
        partners: list[str] = []
        for edge in edges:
            partner = edge.target if edge.source == own else edge.source
            if partner not in partners:
                if len(partners) >= PER_NODE:
                    cut = True
                    continue
                partners.append(partner)
            kept.append(edge)
    return kept, cut


def _nodes(session: Session, hop_of: dict[str, int]) -> list[Node]:
    ids = list(hop_of)
    subjects = {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))}
    alerts = session.execute(select(AlertSubject.subject_id, Alert.list_ids).join(
        Alert, Alert.id == AlertSubject.alert_id).where(AlertSubject.subject_id.in_(ids))).all()
    alerted = {sid for sid, _ in alerts}
    listed = {sid for sid, lists in alerts if lists}
    under_case = set(session.scalars(select(AlertSubject.subject_id).distinct().join(
        CaseAlert, CaseAlert.alert_id == AlertSubject.alert_id).where(
        AlertSubject.subject_id.in_(ids))))
    return [Node(subject_id=sid, name=subjects[sid].name if sid in subjects else None,
                 records=subjects[sid].records if sid in subjects else 0, hop=hop,
                 alerted=sid in alerted, listed=sid in listed, under_case=sid in under_case)
            for sid, hop in hop_of.items()]
