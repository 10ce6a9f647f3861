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
    ordered = by_key_then_time(rows.lazy(), "key", "at")
    assert ordered.height == rows.height
    assert ordered.select("key", "at").equals(rows.sort("key", "at").select("key", "at"))
    assert sorted(ordered.get_column("row")) == list(range(rows.height))


def test_rows_of_equal_key_and_time_keep_their_order() -> None:
    rows = frame()
    ordered = by_key_then_time(rows.lazy(), "key", "at")
    assert ordered.equals(rows.sort("key", "at", maintain_order=True))


def test_the_key_is_flagged_sorted_so_grouping_it_reads_runs_of_rows() -> None:
    rows = pl.concat([frame(), frame()], rechunk=False)  # two chunks, gathered as one
    ordered = by_key_then_time(rows.lazy(), "key", "at")
    assert ordered.get_column("key").flags["SORTED_ASC"]
    counted = ordered.group_by("key").len().sort("key")
    assert counted.equals(rows.group_by("key").len().sort("key"))
