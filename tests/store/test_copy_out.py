"""Rows read into a frame by COPY on PostgreSQL come back as the driver gives them: text
with commas, quotes, line breaks and Arabic, empty strings apart from nulls, amounts to the
last decimal, instants in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
from sqlalchemy import Boolean, DateTime, Integer, Numeric, String, literal, select, union_all

from aml_screen.store import Database
from aml_screen.store.bulk import bulk_insert
from aml_screen.store.copy_out import read_frame, read_in_lists, read_where_in
from aml_screen.store.models import Subject

SCHEMA: dict[str, pl.DataType] = {
    "name": pl.String(), "amount": pl.Decimal(38, 4), "at": pl.Datetime("us", "UTC"),
    "count": pl.Int64(), "flag": pl.Boolean()}
ROWS = [
    ('Traoré, "Moussa"\nBamako', Decimal("1250000.5000"),
     datetime(2026, 3, 1, 23, 59, 59, 250000, tzinfo=UTC), 3, True),
    ("محمد ولد أحمد", Decimal("-0.0001"), datetime(2025, 12, 31, 0, 0, tzinfo=UTC), 0, False),
    ("", None, None, None, None),
    (None, Decimal("99999999999999.9999"), datetime(2026, 1, 1, 12, tzinfo=UTC), -7, True),
    (r"\N", Decimal(0), datetime(2026, 6, 30, 8, 15, tzinfo=UTC), 1, False),
]


def _select_rows() -> object:
    types = (String(), Numeric(38, 4), DateTime(timezone=True), Integer(), Boolean())
    return union_all(*(
        select(*(literal(value, type_).label(name)
                 for value, type_, name in zip(row, types, SCHEMA, strict=True)))
        for row in ROWS))


def test_a_frame_reads_back_every_value(database: Database) -> None:
    statement = select(_select_rows().subquery())  # type: ignore[attr-defined]
    with database.transaction() as session:
        frame = read_frame(session, statement.order_by("count"), SCHEMA)
        driver_rows = session.execute(statement.order_by("count")).all()
    assert frame.schema == pl.Schema(SCHEMA)
    expected = pl.DataFrame([tuple(r) for r in driver_rows], schema=SCHEMA, orient="row")
    assert frame.sort("count", nulls_last=True).equals(expected.sort("count", nulls_last=True))
    assert set(frame.get_column("name").to_list()) == {row[0] for row in ROWS}


def test_no_rows_give_an_empty_frame_of_the_schema(database: Database) -> None:
    statement = select(_select_rows().subquery()).where(False)  # type: ignore[attr-defined]
    with database.transaction() as session:
        frame = read_frame(session, statement, SCHEMA)
    assert frame.is_empty()
    assert frame.schema == pl.Schema(SCHEMA)


def test_rows_of_many_values_come_back_once_each(database: Database) -> None:
    """More values than one ``IN (…)`` holds (SQLite, and ``read_in_lists`` on both) or a
    temporary table (PostgreSQL): every stored row asked for, once, whatever the repeats,
    nulls and unknown values."""
    stored = pl.DataFrame({"id": [f"S{i:06d}" for i in range(12_000)],
                           "name": [f"Aïcha Mint Ahmed {i}" for i in range(12_000)],
                           "records": list(range(12_000))})
    asked = pl.Series([f"S{i:06d}" for i in range(0, 12_000, 2)]
                      + ["S000000", "S000002", None, "S999999"])
    schema = {"id": pl.String(), "name": pl.String(), "records": pl.Int64()}
    with database.transaction() as session:
        bulk_insert(session, Subject, stored.with_columns(
            updated_at=pl.lit(datetime(2026, 1, 1, tzinfo=UTC))))
        found = read_where_in(session, select(Subject.id, Subject.name, Subject.records),
                              Subject.id, asked, schema)
        again = read_where_in(session, select(Subject.id, Subject.name, Subject.records)
                              .where(Subject.records < 10), Subject.id, asked, schema)
        listed = read_in_lists(session, select(Subject.id, Subject.name, Subject.records),
                               Subject.id, asked, schema)
    assert found.sort("id").equals(stored.filter(pl.col("records") % 2 == 0))
    assert listed.sort("id").equals(found.sort("id"))
    assert again.sort("id").get_column("records").to_list() == [0, 2, 4, 6, 8]
