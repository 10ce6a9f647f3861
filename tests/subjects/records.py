"""Records for the subject tests: one row per party, only the columns a case needs."""

from __future__ import annotations

from typing import Any

import polars as pl

from aml_screen.schema import conform
from aml_screen.subjects.records import RECORD_SCHEMA


def records(*rows: dict[str, Any], batch: str = "b1") -> pl.DataFrame:
    """``rows`` (``name``, ``account``, ``phone``, ``id_number``, ``birth_date``,
    ``nationality``) as records ``{batch}|t{i}|originator``."""
    frame = pl.DataFrame(
        [{"record_id": f"{batch}|t{i}|originator", "batch_id": batch,
          "transaction_id": f"t{i}", "party_role": "originator", **row}
         for i, row in enumerate(rows)],
        schema_overrides={c: pl.String for c in RECORD_SCHEMA}, infer_schema_length=None)
    return conform(frame, RECORD_SCHEMA)


def subject_sets(assignments: pl.DataFrame) -> set[frozenset[str]]:
    """The partition of record ids that ``assignments`` make."""
    grouped = assignments.group_by("subject_id").agg(pl.col("record_id"))
    return {frozenset(ids) for ids in grouped.get_column("record_id").to_list()}


def together(assignments: pl.DataFrame, *record_ids: str) -> bool:
    chosen = assignments.filter(pl.col("record_id").is_in(list(record_ids)))
    return chosen.height == len(record_ids) and chosen.get_column("subject_id").n_unique() == 1
