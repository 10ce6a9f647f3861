"""A young store: an account seen under a few names looks like a family's and joins them;
once later batches show it under many names it is a hub, and the subjects it joined are
resolved again. On a small labelled set (three batches of a 4,000-record Sahel population)
that is what keeps namesakes and strangers apart."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
import pytest
from sqlalchemy import select

from aml_screen.store import Database
from aml_screen.store.audit import verify_chain
from aml_screen.store.bulk import bulk_insert
from aml_screen.store.loading import register_batch
from aml_screen.store.models import AuditEvent, PartySubject, Transaction
from aml_screen.store.subject_review import review_subjects
from aml_screen.store.subjects import batch_records, resolve_batch
from benchmarks import subject_data
from benchmarks.bench_subjects import pairwise


def _as_transactions(records: pl.DataFrame, month: int) -> pl.DataFrame:
    """Each labelled record as the payer of a transaction to its counterparty account."""
    return records.select(
        "transaction_id", booked_at=pl.lit(datetime(2026, month, 5, tzinfo=UTC)),
        amount=pl.lit(Decimal("25000")).cast(pl.Decimal(38, 6)), currency=pl.lit("XOF"),
        originator_name="name", originator_account="account", originator_country="country",
        originator_phone="phone", originator_id_number="id_number",
        originator_birth_date="birth_date", originator_nationality="nationality",
        beneficiary_account="counterparty")


def _resolve(database: Database, review: bool) -> dict[str, float]:
    labelled = subject_data.batches(seed=11, records=4_000, count=3)
    for month, records in enumerate(labelled, start=1):
        transactions = _as_transactions(records, month)
        with database.transaction() as session:
            batch, _ = register_batch(session, f"month-{month}-{review}", hashlib.sha256(
                f"{month}{review}".encode()).hexdigest(), 1, None)
            bulk_insert(session, Transaction, transactions.with_columns(batch_id=pl.lit(batch.id)))
        stored = resolve_batch(database, batch.id, batch_records(transactions, batch.id))
        assert stored is not None
        if review and stored.review:
            with database.transaction() as session:
                review_subjects(session, list(stored.review))
    with database.transaction() as session:
        rows = session.execute(select(PartySubject.transaction_id, PartySubject.subject_id)
                               .where(PartySubject.party_role == "originator")).all()
    subjects = pl.DataFrame(rows, schema=["transaction_id", "subject_id"], orient="row")
    return pairwise(pl.concat(labelled).select("transaction_id", "person").join(
        subjects, on="transaction_id"))


@pytest.mark.slow
def test_subjects_joined_through_a_later_hub_are_resolved_again(database: Database) -> None:
    figures = _resolve(database, review=True)
    assert figures["precision"] >= 0.98
    assert figures["recall"] >= 0.93
    with database.transaction() as session:
        reviewed = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "subject.review")).all()
        assert verify_chain(session).broken is None
    assert reviewed
    assert all(event.after and event.after["split_into"] for event in reviewed)


@pytest.mark.slow
def test_without_review_the_young_store_joins_strangers(database: Database) -> None:
    """The same batches without it: what the review is for (precision well under 0.9)."""
    assert _resolve(database, review=False)["precision"] < 0.9
