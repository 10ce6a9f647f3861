"""Transactions × watchlists → hits. Pure: frames in, frames out (no files, no settings)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from aml_screen.match.index import ListIndex
from aml_screen.match.names import Queries, match_queries, prepare_queries
from aml_screen.schema import HIT_SCHEMA, conform

PARTY_ROLES = ("originator", "beneficiary")


def parties(transactions: pl.DataFrame) -> pl.DataFrame:
    """One row per (transaction, party role) with a name: the names a batch asks to screen."""
    frames = [
        transactions.select(
            "transaction_id",
            pl.lit(role).alias("party_role"),
            pl.col(f"{role}_name").alias("party_name"),
        )
        for role in PARTY_ROLES
    ]
    return pl.concat(frames).filter(
        pl.col("party_name").is_not_null() & (pl.col("party_name").str.strip_chars() != "")
    )


def screen_parties(
    party_rows: pl.DataFrame,
    queries: Queries,
    index: ListIndex,
    threshold: float,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """Hits (``HIT_SCHEMA``) for ``party_rows``, whose distinct names are ``queries``."""
    name_hits = match_queries(queries, index, threshold, on_progress=on_progress)
    hits = party_rows.join(name_hits, on="party_name", how="inner")
    return conform(hits, HIT_SCHEMA).select(list(HIT_SCHEMA)).sort(
        ["transaction_id", "party_role", "score", "list_id", "entry_id", "matched_name"],
        descending=[False, False, True, False, False, False],
    )


def screen_transactions(
    transactions: pl.DataFrame, index: ListIndex, threshold: float
) -> pl.DataFrame:
    """Every party of every transaction screened against ``index``; one hit per list name
    scoring at least ``threshold``."""
    party_rows = parties(transactions)
    queries = prepare_queries(party_rows.get_column("party_name"))
    return screen_parties(party_rows, queries, index, threshold)
