"""Quarantined rows kept compactly: a file that is mostly one row repeated (30M copies of a
line with a repeated transaction id) quarantines one row with its count, not gigabytes of
copies of the same text."""

from __future__ import annotations

import polars as pl

from aml_screen.schema import QUARANTINE_SCHEMA

_SAME = [c for c in QUARANTINE_SCHEMA if c not in ("line_number", "repeats")]


def compact(quarantine: pl.DataFrame) -> pl.DataFrame:
    """Rows identical but for their line (same file, id, reason and text) as one row: the
    first line and the sum of their ``repeats``; in line order."""
    if quarantine.height < 2:
        return quarantine
    return (quarantine.group_by(_SAME, maintain_order=True)
            .agg(pl.col("line_number").min(), pl.col("repeats").sum())
            .select(list(QUARANTINE_SCHEMA))
            .sort("line_number", maintain_order=True, nulls_last=True))


def quarantined_rows(quarantine: pl.DataFrame) -> int:
    """How many rows of the file ``quarantine`` stands for."""
    return int(quarantine.get_column("repeats").sum())
