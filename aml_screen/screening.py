"""Transactions × watchlists → hits. Pure: frames in, frames out (no files, no settings).

When a batch carries a party's birth date or nationality (``originator_birth_date``,
``beneficiary_nationality``...: batch columns outside the canonical schema are kept by
ingest), each hit's score is adjusted by what they say about the listed entry, per
transaction, and the adjustment is added to the hit's explanation.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from aml_screen.countries import normalise_country
from aml_screen.match import adjust
from aml_screen.match.explain import with_adjustments
from aml_screen.match.index import ListIndex
from aml_screen.match.names import Queries, match_queries, prepare_queries
from aml_screen.schema import HIT_SCHEMA, conform

PARTY_ROLES = ("originator", "beneficiary")
PARTY_ATTRIBUTES = ("birth_date", "nationality")
"""Optional per-party batch columns (``<role>_<attribute>``) used as secondary evidence."""


def parties(transactions: pl.DataFrame) -> pl.DataFrame:
    """One row per (transaction, party role) with a name: the names a batch asks to screen,
    with ``party_birth_date`` / ``party_nationality`` when the batch has those columns."""
    present = [a for a in PARTY_ATTRIBUTES
               if any(f"{role}_{a}" in transactions.columns for role in PARTY_ROLES)]
    frames = [
        transactions.select(
            "transaction_id",
            pl.lit(role).alias("party_role"),
            pl.col(f"{role}_name").alias("party_name"),
            *[(pl.col(f"{role}_{a}") if f"{role}_{a}" in transactions.columns
               else pl.lit(None)).cast(pl.String).alias(f"party_{a}") for a in present],
        )
        for role in PARTY_ROLES
    ]
    return pl.concat(frames).filter(
        pl.col("party_name").is_not_null() & (pl.col("party_name").str.strip_chars() != "")
    )


def _nationality_codes(values: pl.Series) -> pl.Series:
    """ISO alpha-2 codes for nationality text (Mali, malien, ML); unknown text stays."""
    table = {v: normalise_country(v) for v in values.drop_nulls().unique().to_list()}
    return values.replace_strict(table, default=None, return_dtype=pl.String)


def attribute_adjustments(hits: pl.DataFrame) -> pl.DataFrame:
    """``hits`` (party rows joined with name hits and entry details) with ``birth_year``
    and ``nationality`` points, the adjusted ``score`` and the explanation updated."""
    birth = (adjust.birth_year(pl.col("party_birth_date"), pl.col("birth_dates"))
             if "party_birth_date" in hits.columns else pl.lit(0.0))
    listed = pl.concat_list(pl.col("nationalities").fill_null([]),
                            pl.col("countries").fill_null([]))
    nationality = (adjust.nationality(pl.col("_nationality"), listed)
                   if "party_nationality" in hits.columns else pl.lit(0.0))
    if "party_nationality" in hits.columns:
        hits = hits.with_columns(_nationality=_nationality_codes(hits["party_nationality"]))
    hits = hits.with_columns(birth_year=birth, nationality_points=nationality).with_columns(
        score=(pl.col("score") + pl.col("birth_year") + pl.col("nationality_points"))
        .clip(0, 100).round(1))
    changed = (pl.col("birth_year") != 0) | (pl.col("nationality_points") != 0)
    updated = [
        with_adjustments(e, s, {"birth_year": b, "nationality": n}) if b or n else e
        for e, s, b, n in hits.select("explanation", "score", "birth_year",
                                      "nationality_points").iter_rows()
    ] if hits.select(changed.any()).item() else hits["explanation"].to_list()
    return hits.with_columns(explanation=pl.Series(updated, dtype=pl.String)).drop(
        "birth_year", "nationality_points", "_nationality", strict=False)


def screen_parties(
    party_rows: pl.DataFrame,
    queries: Queries,
    index: ListIndex,
    threshold: float,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """Hits (``HIT_SCHEMA``) for ``party_rows``, whose distinct names are ``queries``.

    With party attributes (see ``parties``), names are matched ``adjust.MAX_BONUS`` under
    the threshold, so that a matching birth year can lift a near miss into a hit."""
    has_attributes = any(f"party_{a}" in party_rows.columns for a in PARTY_ATTRIBUTES)
    floor = max(0.0, threshold - adjust.MAX_BONUS) if has_attributes else threshold
    name_hits = match_queries(queries, index, floor, on_progress=on_progress)
    hits = party_rows.join(name_hits, on="party_name", how="inner")
    if has_attributes:
        hits = attribute_adjustments(hits).filter(pl.col("score") >= threshold)
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
