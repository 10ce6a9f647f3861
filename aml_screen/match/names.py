"""Screening a set of names against a ``ListIndex``: name-level hits with explanations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from aml_screen.match.explain import explain
from aml_screen.match.index import ListIndex
from aml_screen.match.scoring import score_keys
from aml_screen.names.normalise import normalise_names, sorted_tokens

NAME_HIT_COLUMNS = (
    "party_name", "party_name_normalised", "list_id", "list_version", "entry_id",
    "matched_name", "matched_name_normalised", "name_kind", "entity_type", "programmes",
    "score", "explanation",
)


@dataclass(frozen=True)
class Queries:
    """Distinct names to screen (``party_name``, ``party_name_normalised``, ``query_id``) and
    the distinct order-free keys they reduce to (``query_id`` indexes ``keys``)."""

    names: pl.DataFrame
    keys: list[str]

    @property
    def size(self) -> int:
        return len(self.keys)


def prepare_queries(names: pl.Series) -> Queries:
    """Deduplicate and normalise ``names`` (duplicates and nulls allowed)."""
    distinct = names.drop_nulls().unique(maintain_order=True).alias("party_name")
    normalised = normalise_names(distinct).alias("party_name_normalised")
    frame = pl.DataFrame([distinct, normalised]).with_columns(
        _key=sorted_tokens(normalised)
    ).filter(pl.col("_key") != "")
    keys = frame.select(pl.col("_key").unique(maintain_order=True)).to_series()
    ids = pl.DataFrame({"_key": keys,
                        "query_id": pl.int_range(keys.len(), dtype=pl.UInt32, eager=True)})
    return Queries(names=frame.join(ids, on="_key").drop("_key"), keys=keys.to_list())


def match_queries(
    queries: Queries,
    index: ListIndex,
    threshold: float,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """Every (name, list name) pair scoring at least ``threshold``, one row per list name.

    ``on_progress`` receives counts of query keys scored (their total is ``queries.size``).
    """
    pairs = score_keys(queries.keys, index.keys, threshold, on_progress=on_progress)
    hits = (
        pairs.join(queries.names, on="query_id")
        .join(index.names, on="key_id")
        .rename({"name": "matched_name", "name_normalised": "matched_name_normalised"})
    )
    pair_cols = ["party_name_normalised", "matched_name_normalised", "score"]
    distinct_pairs = hits.select(pair_cols).unique()
    explained = distinct_pairs.with_columns(
        explanation=pl.Series(
            [explain(q, c, s) for q, c, s in distinct_pairs.iter_rows()], dtype=pl.String
        )
    )
    return hits.join(explained, on=pair_cols).select(NAME_HIT_COLUMNS)


def match_names(names: pl.Series, index: ListIndex, threshold: float) -> pl.DataFrame:
    """``match_queries(prepare_queries(names), ...)`` for callers without progress reporting."""
    return match_queries(prepare_queries(names), index, threshold)
