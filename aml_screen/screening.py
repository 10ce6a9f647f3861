"""Transactions × watchlists → hits. Pure: frames in, frames out (no files, no settings).

When a batch carries a party's birth date, nationality, ID document number or phone
(``originator_birth_date``, ``beneficiary_phone``...: ``schema.PARTY_SCHEMA``, read by
ingest), each hit's score is adjusted by what they say about the listed entry, per
transaction, and the adjustment is added to the hit's explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from aml_screen import schema
from aml_screen.countries import country_codes
from aml_screen.match import adjust
from aml_screen.match.explain import with_adjustments
from aml_screen.match.index import ListIndex
from aml_screen.match.names import (
    MEMORY_MIB,
    MatchStats,
    match_queries,
    prepare_queries,
    reach_budget,
)
from aml_screen.match_cache import MatchCache
from aml_screen.progress import NoProgress, Progress
from aml_screen.schema import HIT_SCHEMA, conform, empty
from aml_screen.watchlists.topics import relation_texts

PARTY_ROLES = schema.PARTY_ROLES
PARTY_ATTRIBUTES = schema.PARTY_ATTRIBUTES
"""Optional per-party batch columns (``<role>_<attribute>``, ``schema.PARTY_SCHEMA``) used
as secondary evidence."""


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


def attribute_adjustments(hits: pl.DataFrame) -> pl.DataFrame:
    """``hits`` (party rows joined with name hits and entry details) with ``birth_year``,
    ``nationality``, ``id_document`` and ``phone`` points, the adjusted ``score`` and the
    explanation updated. An attribute the batch does not carry (or an entry detail the
    lists do not give) adds nothing."""
    has = set(hits.columns)
    if "party_nationality" in has:
        hits = hits.with_columns(_nationality=country_codes(hits["party_nationality"]))
    else:
        hits = hits.with_columns(_nationality=pl.lit(None, dtype=pl.String))
    listed = pl.concat_list(pl.col("nationalities").fill_null([]),
                            pl.col("countries").fill_null([]))
    points = {
        "birth_year": adjust.birth_year(pl.col("party_birth_date"), pl.col("birth_dates"))
        if "party_birth_date" in has else None,
        "nationality": adjust.nationality(pl.col("_nationality"), listed)
        if "party_nationality" in has else None,
        "id_document": adjust.id_document(pl.col("party_id_number"), pl.col("_nationality"),
                                          pl.col("documents"))
        if {"party_id_number", "documents"} <= has else None,
        "phone": adjust.phone(pl.col("party_phone"), pl.col("phones"))
        if {"party_phone", "phones"} <= has else None,
    }
    used = {name: expr for name, expr in points.items() if expr is not None}
    if not used:
        return hits.drop("_nationality")
    hits = hits.with_columns(**{f"_{name}": expr for name, expr in used.items()})
    hits = hits.with_columns(score=(pl.col("score") + pl.sum_horizontal(
        pl.col(f"_{name}") for name in used)).clip(0, 100).round(1))
    columns = ["explanation", "score", *(f"_{name}" for name in used)]
    changed = pl.any_horizontal(pl.col(f"_{name}") != 0 for name in used)
    updated = [
        with_adjustments(row[0], row[1], dict(zip(used, row[2:], strict=True)))
        if any(row[2:]) else row[0]
        for row in hits.select(columns).iter_rows()
    ] if hits.select(changed.any()).item() else hits["explanation"].to_list()
    return hits.with_columns(explanation=pl.Series(updated, dtype=pl.String)).drop(
        "_nationality", *(f"_{name}" for name in used))


def name_floor(threshold: float, *, has_attributes: bool) -> float:
    """The name score to match names at: ``adjust.MAX_BONUS`` under ``threshold`` when
    party attributes may lift a near miss into a hit."""
    return max(0.0, threshold - adjust.MAX_BONUS) if has_attributes else threshold


def has_party_attributes(transactions: pl.DataFrame) -> bool:
    """Whether the batch carries any per-party attribute column."""
    return any(f"{role}_{a}" in transactions.columns
               for role in PARTY_ROLES for a in PARTY_ATTRIBUTES)


def party_hits(party_rows: pl.DataFrame, name_hits: pl.DataFrame, threshold: float
               ) -> pl.DataFrame:
    """Name-level hits (``match_queries``' rows) mapped onto the party rows holding those
    names, adjusted by party attributes when present, at ``threshold``: ``HIT_SCHEMA``,
    with the entry's topics and relations (``watchlists.topics``)."""
    has_attributes = any(f"party_{a}" in party_rows.columns for a in PARTY_ATTRIBUTES)
    hits = party_rows.join(name_hits, on="party_name", how="inner")
    if has_attributes:
        hits = attribute_adjustments(hits).filter(pl.col("score") >= threshold)
    relations = (hits.get_column("relations") if "relations" in hits.columns
                 else pl.Series("relations", [None] * hits.height))
    hits = conform(hits.with_columns(relation_texts(relations)), HIT_SCHEMA).with_columns(
        pl.col("topics").fill_null([]))
    return hits.select(list(HIT_SCHEMA)).sort(
        ["transaction_id", "party_role", "score", "list_id", "entry_id", "matched_name"],
        descending=[False, False, True, False, False, False],
    )


def party_names(transactions: pl.DataFrame) -> pl.Series:
    """The distinct names ``parties(transactions)`` holds, in the same first-seen order,
    without building one row per party: what a batch asks to screen."""
    columns = [f"{role}_name" for role in PARTY_ROLES if f"{role}_name" in transactions.columns]
    distinct = [
        transactions.get_column(c).unique(maintain_order=True).cast(pl.String)
        .alias("party_name") for c in columns
    ]
    names = pl.concat(distinct) if distinct else pl.Series("party_name", [], dtype=pl.String)
    return names.filter(names.is_not_null() & (names.str.strip_chars() != "")).unique(
        maintain_order=True)


def party_count(transactions: pl.DataFrame) -> int:
    """``parties(transactions).height``, counted without building the rows."""
    columns = [f"{role}_name" for role in PARTY_ROLES if f"{role}_name" in transactions.columns]
    if not columns:
        return 0
    return int(transactions.select(pl.sum_horizontal(
        (pl.col(c).is_not_null() & (pl.col(c).str.strip_chars() != "")).sum()
        for c in columns)).item())


def map_hits(transactions: pl.DataFrame, name_hits: pl.DataFrame, threshold: float
             ) -> pl.DataFrame:
    """``party_hits(parties(transactions), name_hits, threshold)``, with party rows built
    only for the transactions where a hit name appears (a semi-join first), so that a
    large batch is never expanded to one row per party."""
    hit_names = name_hits.get_column("party_name").unique().implode()
    holds = [pl.col(f"{role}_name").is_in(hit_names) for role in PARTY_ROLES
             if f"{role}_name" in transactions.columns]
    rows = transactions.filter(pl.any_horizontal(holds)) if holds else transactions.clear()
    return party_hits(parties(rows), name_hits, threshold)


@dataclass(frozen=True)
class NameScreening:
    """What screening a batch's party names found, with the counts the summary reports."""

    hits: pl.DataFrame
    """``HIT_SCHEMA``: one row per (transaction, party role, list name) at the threshold."""
    parties: int
    """Party names screened (one per transaction and role holding a name)."""
    distinct_names: int
    """Distinct names with tokens to match, matched now or found in the cache."""
    names_matched: int
    """Of those, the names matched in this run (not found in the cache)."""
    names_capped: int
    """Names whose candidates were cut to stay in the memory budget (recall may be lost)."""


def screen_names(
    transactions: pl.DataFrame,
    index: ListIndex,
    threshold: float,
    *,
    progress: Progress | None = None,
    cache: MatchCache | None = None,
    list_versions: Sequence[str] = (),
    lap: Callable[[str], None] | None = None,
    memory_mib: int = MEMORY_MIB,
) -> NameScreening:
    """Every party name of ``transactions`` screened against ``index``: the one
    name-screening step the embedded pipeline runs (Spark runs the same steps spread over
    its partitions: ``spark.names``).

    Names are deduplicated first: each distinct name is normalised and matched once (or
    taken from ``cache``, keyed by ``list_versions``), and the name-level hits are mapped
    back onto the transactions holding them by joins. With party attributes, names are
    matched ``adjust.MAX_BONUS`` under the threshold, so that a matching birth year can
    lift a near miss into a hit. ``lap(step)`` is called after each step (``dedupe``,
    ``normalise``, ``match``, ``map_back``) for the run's timings. ``memory_mib`` bounds
    matching's working memory (``match.names.REACH_BUDGET``)."""
    progress = progress or NoProgress()
    lap = lap or (lambda _step: None)
    names = party_names(transactions)
    parties_screened = party_count(transactions)
    lap("dedupe")
    floor = name_floor(threshold, has_attributes=has_party_attributes(transactions))
    known = cache.lookup(names, list_versions, floor) if cache is not None else None
    fresh = names if known is None else known.unseen
    queries = prepare_queries(fresh)
    lap("normalise")
    advance = progress.stage("screen.stage.match", queries.size)
    stats = MatchStats()
    name_hits = (match_queries(queries, index, floor, on_progress=advance,
                               budget=reach_budget(memory_mib), stats=stats)
                 if queries.size else None)
    if known is not None and cache is not None:
        cache.store(known, fresh, queries.names.get_column("party_name"), name_hits)
        name_hits = pl.concat([h for h in (known.hits, name_hits) if h is not None],
                              how="diagonal_relaxed")
    lap("match")
    hits = (map_hits(transactions, name_hits, threshold)
            if name_hits is not None and name_hits.height else empty(HIT_SCHEMA))
    lap("map_back")
    return NameScreening(hits=hits, parties=parties_screened,
                         distinct_names=queries.names.height + (known.names if known else 0),
                         names_matched=queries.names.height,
                         names_capped=queries.names.filter(
                             pl.col("query_id").is_in(sorted(stats.capped_keys))).height)
