"""The distinct party names of the stored transactions (``PartyName``): written with the
transactions, read back in chunks by a delta re-screen, and each matched name mapped back
to the stored transactions holding it through the indexed name columns.

Names are kept as written (normalisation rules can change between releases; the matcher
normalises what it reads). Retention removes a name once no stored transaction holds it.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from aml_screen.schema import PARTY_ROLES
from aml_screen.store.copy_out import IN_CHUNK, read_frame, read_where_in
from aml_screen.store.models import PartyName, Transaction
from aml_screen.store.upsert import dialect_insert

NAME_CHUNK = 100_000
"""Distinct names read (and screened) at a time: bounds a delta re-screen's memory."""
INSERT_CHUNK = 5_000


def distinct_names(transactions: pl.DataFrame) -> pl.Series:
    """The distinct non-blank party names of ``transactions``, sorted."""
    columns = [pl.col(f"{role}_name") for role in PARTY_ROLES
               if f"{role}_name" in transactions.columns]
    if not columns:
        return pl.Series("name", [], dtype=pl.String)
    names = transactions.select(pl.concat_list(columns).alias("name")).explode("name")
    return names.filter(pl.col("name").str.strip_chars() != "").get_column(
        "name").cast(pl.String).unique().sort()


def remember_names(session: Session, transactions: pl.DataFrame) -> None:
    """Add the party names of ``transactions`` not stored yet (sorted, so that writers of
    overlapping names take their locks in one order)."""
    names = distinct_names(transactions)
    for start in range(0, names.len(), INSERT_CHUNK):
        chunk = names.slice(start, INSERT_CHUNK).to_list()
        session.execute(dialect_insert(session, PartyName).values(
            [{"name": name} for name in chunk]).on_conflict_do_nothing(
            index_elements=["name"]))


def name_chunks(session: Session, size: int = NAME_CHUNK) -> Iterator[pl.Series]:
    """Every stored party name, ``size`` at a time, in the order they were stored."""
    last = 0
    while True:
        chunk = read_frame(session, select(PartyName.id, PartyName.name)
                           .where(PartyName.id > last).order_by(PartyName.id).limit(size),
                           {"id": pl.Int64(), "name": pl.String()})
        if chunk.is_empty():
            return
        last = int(chunk.item(-1, "id"))
        yield chunk.get_column("name")


def forget_unused_names(session: Session, names: pl.Series) -> None:
    """Remove those of ``names`` that no stored transaction holds any more."""
    held = or_(exists().where(Transaction.originator_name == PartyName.name),
               exists().where(Transaction.beneficiary_name == PartyName.name))
    wanted = names.drop_nulls().unique().sort()
    for start in range(0, wanted.len(), IN_CHUNK):
        session.execute(delete(PartyName).where(
            PartyName.name.in_(wanted.slice(start, IN_CHUNK).to_list()), ~held))


def batch_names(session: Session, batch_ids: list[int]) -> pl.Series:
    """The distinct party names of the stored transactions of ``batch_ids``."""
    schema = {"originator_name": pl.String(), "beneficiary_name": pl.String()}
    rows = [read_frame(session, select(Transaction.originator_name, Transaction.beneficiary_name)
                       .where(Transaction.batch_id == batch_id), schema)
            for batch_id in batch_ids]  # one read each: COPY takes no expanding IN (...)
    return distinct_names(pl.concat(rows) if rows else pl.DataFrame(schema=schema))


def transactions_named(session: Session, names: pl.Series,
                       schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The stored transactions (``batch_id`` and the columns of ``schema``) where a party
    bears one of ``names``, each once; read through the indexed name columns."""
    columns = [getattr(Transaction, column) for column in schema]
    full = {"batch_id": pl.Int64(), **schema}
    frames = [read_where_in(session, select(Transaction.batch_id, *columns),
                            getattr(Transaction, f"{role}_name"), names, full)
              for role in PARTY_ROLES]
    return pl.concat(frames).unique(subset=["batch_id", "transaction_id"],
                                    maintain_order=True)
