"""Reading many rows into a polars frame: ``COPY … TO STDOUT`` on PostgreSQL.

Rows fetched as Python objects cost about 50 µs each (a tuple, a ``Decimal``, a
``datetime`` per row): 1.8M earlier transactions took 94 s, a subject's 50,000
transactions most of a profile's time. ``COPY (query) TO STDOUT`` streams the same rows as
CSV, which polars parses in one pass. Other databases (SQLite) fetch rows as usual.

``read_where_in`` reads the rows whose column holds one of many values: on PostgreSQL the
values go by ``COPY`` into a temporary table the query joins (a list of 5,000 values per
``IN (…)`` cost more to convert and parse than to run, chunk after chunk), elsewhere in
chunks of ``IN_CHUNK``. ``read_in_lists`` takes the chunks on PostgreSQL too: for up to a
few thousand values, filling the table (created anew in each transaction) costs more.

CSV cannot tell a null from an empty string once parsed (and any null marker may be
someone's data), so text columns are sent with a ``MARK`` in front (``marked``): a null
stays an empty field, an empty string arrives as the mark alone, and the parse drops it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import Column, Select, String, Text, literal, text
from sqlalchemy.orm import Session

from aml_screen.store.bulk import filled, temporary_table

MARK = "."
IN_CHUNK = 5_000
"""Values per ``IN (…)`` where there is no ``COPY``."""
_WANTED = temporary_table("wanted_values", Column("value", Text, primary_key=True))
"""The values ``read_where_in`` joins on PostgreSQL."""


def read_frame(session: Session, statement: Select[*tuple[Any, ...]],
               schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """The rows of ``statement`` as a frame of ``schema`` (one column per selected column,
    in order)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return _fetched(session, statement, schema)
    columns = [marked(column) if isinstance(dtype, pl.String) else column
               for column, dtype in zip(statement.selected_columns, schema.values(),
                                        strict=True)]
    compiled = statement.with_only_columns(*columns, maintain_column_froms=True).compile(
        dialect=bind.dialect)
    return copy_frame(session, compiled.string, dict(compiled.params), schema)


def _fetched(session: Session, statement: Select[*tuple[Any, ...]],
             schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    rows = session.execute(statement).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=dict(schema), orient="row")


def marked(column: Any) -> Any:
    """A text column as ``copy_frame`` reads it: ``MARK`` in front, null kept null."""
    return literal(MARK, String()).concat(column)


def copy_frame(session: Session, query: str, params: Mapping[str, Any],
               schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """``query`` (PostgreSQL, ``%(name)s`` parameters; text columns ``marked``) run
    through ``COPY … TO STDOUT`` and parsed as ``schema``. Timestamps are written in UTC
    for the parse."""
    session.execute(text("SET LOCAL TimeZone = 'UTC'"))
    driver = session.connection().connection.driver_connection
    received = io.BytesIO()
    copy = f"COPY ({query}) TO STDOUT WITH (FORMAT csv)"
    with driver.cursor() as cursor, cursor.copy(copy, params) as stream:  # type: ignore[union-attr]
        for block in stream:
            received.write(block)
    if not received.getbuffer().nbytes:
        return pl.DataFrame(schema=dict(schema))
    received.seek(0)
    names = list(schema)
    frame = pl.read_csv(received, has_header=False, new_columns=names,
                        schema=dict.fromkeys(names, pl.String()))
    return frame.select(_parsed(name, dtype) for name, dtype in schema.items())


def _parsed(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if isinstance(dtype, pl.String):
        return column.str.slice(len(MARK))
    if isinstance(dtype, pl.Datetime):
        return column.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%#z", time_zone="UTC",
                                      time_unit=dtype.time_unit or "us")
    if isinstance(dtype, pl.Date):
        return column.str.to_date("%Y-%m-%d")
    if isinstance(dtype, pl.Decimal):
        return column.str.to_decimal(scale=dtype.scale).cast(dtype)
    if isinstance(dtype, pl.Boolean):
        return column.replace_strict({"t": True, "f": False}, return_dtype=pl.Boolean)
    return column.cast(dtype)


def read_where_in(session: Session, statement: Select[*tuple[Any, ...]], column: Any,
                  values: pl.Series, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """The rows of ``statement`` whose ``column`` is one of ``values`` (text), as
    ``read_frame`` gives them."""
    if session.get_bind().dialect.name != "postgresql":
        return read_in_lists(session, statement, column, values, schema)
    wanted = _wanted(values)
    if wanted.is_empty():
        return pl.DataFrame(schema=dict(schema))
    table = filled(session, _WANTED, wanted.to_frame("value"))
    return read_frame(session, statement.join(table, table.c.value == column), schema)


def read_in_lists(session: Session, statement: Select[*tuple[Any, ...]], column: Any,
                  values: pl.Series, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """``read_where_in`` through ``IN (…)`` lists of ``IN_CHUNK`` values on any database
    (10-30 ms less than the temporary table for a few values)."""
    wanted = _wanted(values)
    return pl.concat([pl.DataFrame(schema=dict(schema)), *(
        _fetched(session, statement.where(column.in_(
            wanted.slice(start, IN_CHUNK).to_list())), schema)
        for start in range(0, wanted.len(), IN_CHUNK))])


def _wanted(values: pl.Series) -> pl.Series:
    return values.drop_nulls().unique().sort().cast(pl.String)
