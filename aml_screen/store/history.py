"""The stored transactions a batch's history-wide rules look back at (``rules.history``):
those of other screened batches that involve an account of the batch, booked within
``days`` before its first transaction (or after its last: a late report is history too).
Reads are chunked on the accounts and bounded by the window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

import polars as pl
from sqlalchemy import Column, Text, or_, select
from sqlalchemy.orm import Session

from aml_screen.schema import TRANSACTION_SCHEMA
from aml_screen.store.bulk import filled, temporary_table
from aml_screen.store.copy_out import MARK, copy_frame
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
    values = accounts.unique().sort()
    if session.get_bind().dialect.name == "postgresql":
        return _copied(session, batch_id, values, cast(datetime, start), cast(datetime, end))
    columns = [Transaction.batch_id, *(getattr(Transaction, name) for name in list(EARLIER)[1:])]
    done = select(Batch.id).where(Batch.status == "done", Batch.purged_at.is_(None))
    frames = []
    for offset in range(0, values.len(), ACCOUNT_CHUNK):
        chunk = values.slice(offset, ACCOUNT_CHUNK).to_list()
        rows = session.execute(select(*columns).where(
            Transaction.batch_id != batch_id, Transaction.batch_id.in_(done),
            Transaction.booked_at >= start, Transaction.booked_at <= end,
            or_(Transaction.originator_account.in_(chunk),
                Transaction.beneficiary_account.in_(chunk)))).all()
        frames.append(pl.DataFrame([tuple(r) for r in rows], schema=EARLIER, orient="row"))
    return pl.concat(frames).unique(subset=["batch_id", "transaction_id"]).sort(
        "batch_id", "transaction_id")


_ACCOUNTS = temporary_table("history_accounts", Column("account", Text, primary_key=True))
"""The batch's accounts, for one join on PostgreSQL."""


def _copied(session: Session, batch_id: int, accounts: pl.Series, start: datetime,
            end: datetime) -> pl.DataFrame:
    """``earlier_transactions`` on PostgreSQL: the accounts sent by ``COPY`` into a
    temporary table and the rows read back by ``copy_out.copy_frame``. A busy account
    touches most of the window: 1.8M rows came back as Python objects in 94 s, by ``COPY``
    in about ten."""
    filled(session, _ACCOUNTS, accounts.to_frame("account"))
    names = [name for name in EARLIER if name not in ("booked_at", "amount")]
    columns = ", ".join(["t.booked_at", "t.amount", *(
        f"'{MARK}' || t.\"{name}\"" if isinstance(EARLIER[name], pl.String) else f't."{name}"'
        for name in names)])
    window = ("b.status = 'done' AND b.purged_at IS NULL AND t.batch_id <> %(batch)s"
              " AND t.booked_at >= %(start)s AND t.booked_at <= %(end)s")
    # Rows sent by an account of the batch, then rows received by one and sent by none:
    # two hash joins (an OR of the two sides made PostgreSQL probe row by row).
    # Column names are ours and the values bound, so the text is safe to build.
    query = (
        f"SELECT {columns} FROM transactions t JOIN batches b ON b.id = t.batch_id"  # noqa: S608
        f" JOIN history_accounts a ON a.account = t.originator_account WHERE {window}"
        f" UNION ALL SELECT {columns} FROM transactions t JOIN batches b ON b.id = t.batch_id"
        " JOIN history_accounts a ON a.account = t.beneficiary_account"
        " LEFT JOIN history_accounts o ON o.account = t.originator_account"
        f" WHERE o.account IS NULL AND {window}")
    schema = {name: EARLIER[name] for name in ["booked_at", "amount", *names]}
    return copy_frame(session, query, {"batch": batch_id, "start": start, "end": end},
                      schema).select(list(EARLIER)).sort("batch_id", "transaction_id")
