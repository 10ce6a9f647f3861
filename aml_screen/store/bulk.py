"""Writing a polars frame into a table in one go: PostgreSQL's ``COPY`` (the frame sent as
CSV, no per-row statement), SQLite's ``executemany`` (one prepared statement, in-process).

A million-row batch resolves to millions of subject rows; ``INSERT … VALUES`` batches of a
thousand rows kept PostgreSQL busy parsing statements for minutes where ``COPY`` streams.
Both run in the caller's transaction.

JSON columns are written as JSON text on both: nested columns (lists, structs) are encoded
by polars, text columns are taken as JSON already. On SQLite the insert binds them as text,
not through SQLAlchemy's JSON type, which would encode the text once more (a JSON string).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import polars as pl
from sqlalchemy import JSON, Column, MetaData, Table, Text, insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

COPY_CHUNK = 200_000
"""Rows turned into CSV at a time (bounds the text held in memory)."""


def bulk_insert(session: Session, table: Table | Any, frame: pl.DataFrame) -> None:
    """Insert ``frame``'s rows into ``table`` (a model or a table); its columns are named
    as the table's, and a JSON column's values are nested (lists, structs) or JSON text."""
    if frame.is_empty():
        return
    target: Table = getattr(table, "__table__", table)
    frame = frame.with_columns(_json_text(name) for name, dtype in frame.schema.items()
                               if dtype.is_nested())
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        session.execute(insert(_json_as_text(target)), frame.to_dicts())
        return
    quote = bind.dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in frame.columns)
    statement = f"COPY {quote(target.name)} ({columns}) FROM STDIN WITH (FORMAT csv)"
    driver = session.connection().connection.driver_connection
    dbapi = bind.dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for chunk in frame.iter_slices(COPY_CHUNK):
                copy.write(chunk.write_csv(include_header=False))
    except dbapi.Error as exc:
        # As SQLAlchemy reports a failed INSERT (IntegrityError for a constraint, ...).
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from None


def _json_text(name: str) -> pl.Expr:
    """Column ``name`` (nested) as compact JSON text, null kept null."""
    wrapped = pl.struct(pl.col(name).alias("v")).struct.json_encode()
    return (pl.when(pl.col(name).is_not_null())
            .then(wrapped.str.strip_prefix('{"v":').str.strip_suffix("}")).alias(name))


@cache
def _json_as_text(target: Table) -> Table:
    """``target`` with its JSON columns typed as text: what ``bulk_insert`` writes JSON text
    through as it is."""
    return Table(target.name, MetaData(), *(
        Column(column.name, Text() if isinstance(column.type, JSON) else column.type)
        for column in target.columns))


def temporary_table(name: str, *columns: Column[Any]) -> Table:
    """A PostgreSQL temporary table dropped when the transaction ends (``filled``)."""
    return Table(name, MetaData(), *columns, prefixes=["TEMPORARY"],
                 postgresql_on_commit="DROP")


def filled(session: Session, table: Table, frame: pl.DataFrame) -> Table:
    """``table`` (``temporary_table``) created if this transaction has not yet, holding
    exactly ``frame``'s rows, analysed: what one joined statement reads instead of a long
    ``IN (…)`` list or a statement per row. PostgreSQL only."""
    session.execute(CreateTable(table, if_not_exists=True))
    session.execute(text(f"TRUNCATE {table.name}"))  # filled again in one transaction
    bulk_insert(session, table, frame)
    session.execute(text(f"ANALYZE {table.name}"))
    return table
