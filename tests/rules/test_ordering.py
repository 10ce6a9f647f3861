"""Sorting rows by key, then time, in two single-column sorts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from aml_screen.rules.ordering import by_key_then_time

START = datetime(2025, 3, 1, tzinfo=UTC)


def frame(count: int = 2_000) -> pl.DataFrame:
    """Keys and times in a scrambled order, with equal times within a key."""
    return pl.DataFrame({
        "key": [(k * 7919) % 97 for k in range(count)],
        "at": [START + timedelta(hours=(k * 104_729) % 50) for k in range(count)],
        "row": range(count),
    })


def test_rows_come_by_key_then_time() -> None:
    rows = frame()
    ordered = by_key_then_time(rows, "key", "at")
    assert ordered.height == rows.height
    assert ordered.select("key", "at").equals(rows.sort("key", "at").select("key", "at"))
    assert sorted(ordered.get_column("row")) == list(range(rows.height))


def test_only_the_rows_where_the_filter_holds_are_kept_in_order() -> None:
    rows = frame()
    where = rows.select(pl.col("row") % 3 == 0).to_series()
    ordered = by_key_then_time(rows, "key", "at", where)
    expected = rows.filter(where).sort("key", "at")
    assert ordered.select("key", "at").equals(expected.select("key", "at"))
    assert set(ordered.get_column("row")) == set(expected.get_column("row"))
