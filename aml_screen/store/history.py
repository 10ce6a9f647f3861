"""The stored transactions a batch's history-wide rules look back at (``rules.history``):
those of other screened batches that involve an account of the batch, booked within
``days`` before its first transaction (or after its last: a late report is history too).
Reads are chunked on the accounts and bounded by the window."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from aml_screen.schema import TRANSACTION_SCHEMA
from aml_screen.store.models import Batch, Transaction

ACCOUNT_CHUNK = 2_000
EARLIER: dict[str, pl.DataType] = {"batch_id": pl.Int64(), **{
    name: dtype for name, dtype in TRANSACTION_SCHEMA.items() if name != "source_file"}}


def earlier_transactions(session: Session, batch_id: int, transactions: pl.DataFrame,
                         days: int) -> pl.DataFrame:
    """``EARLIER`` rows: stored transactions of other done batches sharing an account with
    ``transactions`` (batch ``batch_id``) within ``days`` of its dates."""
    dated = transactions.get_column("booked_at").drop_nulls()
    accounts = pl.concat([transactions.get_column("originator_account"),
                          transactions.get_column("beneficiary_account")]).drop_nulls()
    if dated.is_empty() or accounts.is_empty() or days <= 0:
        return pl.DataFrame(schema=EARLIER)
    first, last = dated.min(), dated.max()
    start = first - timedelta(days=days)  # type: ignore[operator]
    end = last + timedelta(days=days)  # type: ignore[operator]
    columns = [Transaction.batch_id, *(getattr(Transaction, name) for name in list(EARLIER)[1:])]
    done = select(Batch.id).where(Batch.status == "done", Batch.purged_at.is_(None))
    values = accounts.unique().sort().to_list()
    frames = []
    for offset in range(0, len(values), ACCOUNT_CHUNK):
        chunk = values[offset:offset + ACCOUNT_CHUNK]
        rows = session.execute(select(*columns).where(
            Transaction.batch_id != batch_id, Transaction.batch_id.in_(done),
            Transaction.booked_at >= start, Transaction.booked_at <= end,
            or_(Transaction.originator_account.in_(chunk),
                Transaction.beneficiary_account.in_(chunk)))).all()
        frames.append(pl.DataFrame([tuple(r) for r in rows], schema=EARLIER, orient="row"))
    return pl.concat(frames).unique(subset=["batch_id", "transaction_id"]).sort(
        "batch_id", "transaction_id")
