"""A subject's profile across every stored batch: its transactions, totals in and out per
currency and per month, counterparties ranked by amount, every spelling and identifier with
the batch it came from, the links that made it one subject, its alerts and cases.

The subject's transactions are read once (at most ``MAX_TRANSACTIONS``, the newest first;
the profile says when it was capped; by ``COPY`` on PostgreSQL), with the subject on the
other side of each, and every figure is computed from that frame with polars: one bounded
query, whatever the page shows.
Viewing a profile is audited (``view_subject``), like opening an alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from aml_screen.schema import AMOUNT_SCALE
from aml_screen.store.audit import record
from aml_screen.store.copy_out import read_frame
from aml_screen.store.errors import NotFoundError
from aml_screen.store.models import (
    Alert,
    AlertSubject,
    Batch,
    Case,
    CaseAlert,
    PartySubject,
    Subject,
    SubjectIdentifier,
    SubjectLink,
    SubjectProfile,
    Transaction,
    User,
)
from aml_screen.store.party_sides import its_transaction, on_side, other_side, party_name
from aml_screen.store.subject_search import current_subject

MAX_TRANSACTIONS = 200_000
PAGE_SIZE = 50
COUNTERPARTIES = 25
LINKS_SHOWN = 200
ALERTS_SHOWN = 100

DIRECTIONS = ("in", "out")
ACTIVITY: dict[str, pl.DataType] = {
    "batch_id": pl.Int64(), "transaction_id": pl.String(), "party_role": pl.String(),
    "booked_at": pl.Datetime("us", "UTC"), "amount": pl.Decimal(38, AMOUNT_SCALE),
    "currency": pl.String(), "name": pl.String(), "account": pl.String(),
    "other_name": pl.String(), "other_account": pl.String(), "other_country": pl.String(),
    "other_subject": pl.String(), "channel": pl.String(), "purpose": pl.String(),
}


@dataclass(frozen=True)
class ActivityFilter:
    """What the transaction list shows: a date range, a direction (``in``: the subject
    received; ``out``: it paid) and a currency."""

    date_from: date | None = None
    date_to: date | None = None
    direction: str | None = None
    currency: str | None = None

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        day = pl.col("booked_at").dt.date()
        if self.date_from:
            frame = frame.filter(day >= self.date_from)
        if self.date_to:
            frame = frame.filter(day <= self.date_to)
        if self.direction in DIRECTIONS:
            frame = frame.filter(pl.col("direction") == self.direction)
        if self.currency:
            frame = frame.filter(pl.col("currency") == self.currency)
        return frame


@dataclass(frozen=True)
class Profile:
    subject: Subject
    activity: pl.DataFrame
    """The subject's transactions (``ACTIVITY`` plus ``direction``), newest first."""
    capped: bool
    page: pl.DataFrame
    """The filtered transactions of the page asked for."""
    page_number: int
    pages: int
    matching: int
    """Transactions meeting the filter."""
    totals: pl.DataFrame
    """``currency``, ``received``, ``sent``, ``count``."""
    months: pl.DataFrame
    """``month`` (YYYY-MM), ``currency``, ``received``, ``sent``."""
    counterparties: pl.DataFrame
    """``other_subject``, ``name``, ``account``, ``currency``, ``received``, ``sent``,
    ``total``, ``count``: within each currency (the subject's most used first) the largest
    totals first (amounts in two currencies are never added)."""
    spellings: pl.DataFrame
    """``name``, ``batch_id``, ``count``."""
    identifiers: list[tuple[str, str, int]]
    """(kind, value, batch id)."""
    details: list[tuple[str | None, str | None, str | None, int]]
    """(birth date, nationality, ID number, batch id) the records showed."""
    links: list[SubjectLink]
    alerts: list[Alert]
    cases: list[Case]
    batches: dict[int, Batch]


def view_subject(session: Session, subject_id: str, viewer: User,
                 flt: ActivityFilter | None = None, page: int = 1) -> Profile:
    """The profile, the view audited (who looked at which subject, when)."""
    found = subject_profile(session, subject_id, flt, page)
    record(session, viewer, "subject.view", "subject", found.subject.id)
    return found


def subject_profile(session: Session, subject_id: str, flt: ActivityFilter | None = None,
                    page: int = 1) -> Profile:
    current = current_subject(session, subject_id)
    if current is None:
        raise NotFoundError("subject.not_found", subject_id=subject_id)
    subject = session.get_one(Subject, current)
    activity = _activity(session, current)
    capped = activity.height >= MAX_TRANSACTIONS
    flt = flt or ActivityFilter()
    shown = flt.apply(activity)
    pages = max(1, -(-shown.height // PAGE_SIZE))
    page = min(max(1, page), pages)
    batch_ids = sorted(set(activity.get_column("batch_id").to_list()))
    alert_ids = select(AlertSubject.alert_id).where(AlertSubject.subject_id == current)
    return Profile(
        subject=subject, activity=activity, capped=capped,
        page=shown.slice((page - 1) * PAGE_SIZE, PAGE_SIZE), page_number=page, pages=pages,
        matching=shown.height, totals=_totals(activity), months=_months(activity),
        counterparties=_counterparties(activity),
        spellings=activity.filter(pl.col("name").is_not_null()).group_by(
            "name", "batch_id").agg(count=pl.len()).sort(
            ["count", "name", "batch_id"], descending=[True, False, False]),
        identifiers=[(kind, value, batch) for kind, value, batch in session.execute(
            select(SubjectIdentifier.kind, SubjectIdentifier.value, SubjectIdentifier.batch_id)
            .distinct().where(SubjectIdentifier.subject_id == current)
            .order_by(SubjectIdentifier.kind, SubjectIdentifier.value,
                      SubjectIdentifier.batch_id).limit(LINKS_SHOWN))],
        details=[tuple(row) for row in session.execute(  # type: ignore[misc]
            select(SubjectProfile.birth_date, SubjectProfile.nationality,
                   SubjectProfile.id_number, SubjectProfile.batch_id).distinct()
            .where(SubjectProfile.subject_id == current,
                   (SubjectProfile.birth_date.is_not(None))
                   | (SubjectProfile.nationality.is_not(None))
                   | (SubjectProfile.id_number.is_not(None)))
            .order_by(SubjectProfile.batch_id).limit(LINKS_SHOWN))],
        links=list(session.scalars(select(SubjectLink).where(
            SubjectLink.subject_id == current).order_by(SubjectLink.id).limit(LINKS_SHOWN))),
        alerts=list(session.scalars(select(Alert).where(Alert.id.in_(alert_ids))
                                    .order_by(Alert.id.desc()).limit(ALERTS_SHOWN))),
        cases=list(session.scalars(select(Case).where(Case.id.in_(
            select(CaseAlert.case_id).where(CaseAlert.alert_id.in_(alert_ids))))
            .order_by(Case.id.desc()).limit(ALERTS_SHOWN))),
        batches={b.id: b for b in session.scalars(select(Batch).where(Batch.id.in_(batch_ids)))},
    )


def _activity(session: Session, subject_id: str) -> pl.DataFrame:
    other, theirs = other_side()
    statement = (
        select(PartySubject.batch_id, PartySubject.transaction_id, PartySubject.party_role,
               Transaction.booked_at, Transaction.amount, Transaction.currency,
               party_name(),
               on_side(Transaction.originator_account, Transaction.beneficiary_account),
               on_side(Transaction.beneficiary_name, Transaction.originator_name),
               on_side(Transaction.beneficiary_account, Transaction.originator_account),
               on_side(Transaction.beneficiary_country, Transaction.originator_country),
               other.subject_id, Transaction.channel, Transaction.purpose)
        .select_from(PartySubject)
        .join(Transaction, its_transaction())
        .outerjoin(other, theirs)
        .where(PartySubject.subject_id == subject_id)
        .order_by(Transaction.booked_at.desc().nulls_last(), PartySubject.batch_id.desc(),
                  PartySubject.transaction_id)
        .limit(MAX_TRANSACTIONS))
    return read_frame(session, statement, ACTIVITY).with_columns(
        direction=pl.when(pl.col("party_role") == "originator").then(pl.lit("out"))
        .otherwise(pl.lit("in")))


def _flows(frame: pl.DataFrame) -> list[pl.Expr]:
    zero = pl.lit(Decimal(0)).cast(pl.Decimal(38, AMOUNT_SCALE))
    return [pl.when(pl.col("direction") == "in").then("amount").otherwise(zero).sum()
            .alias("received"),
            pl.when(pl.col("direction") == "out").then("amount").otherwise(zero).sum()
            .alias("sent")]


def _totals(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("currency").is_not_null()).group_by("currency").agg(
        *_flows(frame), count=pl.len()).sort("count", "currency", descending=[True, False])


def _months(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("currency").is_not_null() & pl.col("booked_at").is_not_null()
                        ).with_columns(month=pl.col("booked_at").dt.strftime("%Y-%m")).group_by(
        "month", "currency").agg(*_flows(frame)).sort("currency", "month")


def _counterparties(frame: pl.DataFrame) -> pl.DataFrame:
    known = frame.filter(pl.col("currency").is_not_null()).with_columns(
        other=pl.coalesce("other_subject", "other_account", "other_name"))
    grouped = known.filter(pl.col("other").is_not_null()).group_by(
        "other", "currency").agg(
        *_flows(known), count=pl.len(), name=pl.col("other_name").drop_nulls().mode().first(),
        other_subject=pl.col("other_subject").first(),
        account=pl.col("other_account").drop_nulls().first())
    ranks = _totals(frame).with_row_index("rank").select("currency", "rank")
    return grouped.with_columns(total=pl.col("received") + pl.col("sent")).join(
        ranks, on="currency").sort(["rank", "total", "count"], descending=[False, True, True]
                                   ).drop("rank").head(COUNTERPARTIES)
