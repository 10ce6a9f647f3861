"""Investigators' decisions: two records or subjects that are, or are not, one subject.

``DECISIONS`` rows name each side by a ``record_id`` of the batch being resolved or a
known ``subject_id`` (a store translates a decision about an earlier record into that
record's current subject). ``same`` adds an ``investigator_merge`` link; ``different``
keeps the two sides apart (``components.kept_apart``), whatever evidence joins them. A
store passes its decisions with every batch, so later batches respect them. ``reason`` is
the investigator's reason code; it travels with the link.
"""

from __future__ import annotations

import polars as pl

from aml_screen.errors import InputError
from aml_screen.subjects.links import EDGES, params_json

DECISIONS: dict[str, pl.DataType] = {
    "left": pl.String(), "right": pl.String(), "decision": pl.String(), "reason": pl.String()}
KINDS = ("same", "different")


def _nodes(decisions: pl.DataFrame, refs: pl.DataFrame) -> pl.DataFrame:
    """Decisions with both sides as nodes (``a``, ``b``); those naming an unknown side
    are left out."""
    unknown = decisions.filter(~pl.col("decision").is_in(KINDS))
    if not unknown.is_empty():
        raise InputError("subjects.decision_unknown", decision=unknown.item(0, "decision"))
    return (decisions.join(refs.rename({"ref": "left", "node": "a"}), on="left")
            .join(refs.rename({"ref": "right", "node": "b"}), on="right"))


def merge_edges(decisions: pl.DataFrame, refs: pl.DataFrame) -> pl.DataFrame:
    """An ``investigator_merge`` link for each ``same`` decision."""
    return _nodes(decisions, refs).filter(pl.col("decision") == "same").select(
        "a", "b", code=pl.lit("investigator_merge"), params=params_json(reason=pl.col("reason"))
    ).cast(EDGES)  # type: ignore[arg-type]


def apart_pairs(decisions: pl.DataFrame, refs: pl.DataFrame) -> pl.DataFrame:
    """(``a``, ``b``) nodes of each ``different`` decision."""
    return _nodes(decisions, refs).filter(pl.col("decision") == "different").select("a", "b")
