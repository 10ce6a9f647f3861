"""One name looked up in the lists (``aml-screen match``, ``POST /api/v1/match``): the
best candidate per listed entry, scored and explained exactly as screening would score
that name in a batch — with the same adjustments when a birth date, nationality or ID
number is given, since the name goes through screening's own steps as a one-row batch.

Only the steps a one-row batch needs are taken (no deduplication of the batch's names, no
mapping of hits back onto its rows by joins), and the name is matched against the part of
the index it can reach (``match.reach``) rather than the whole index, which every call
would otherwise go over again."""

from __future__ import annotations

import polars as pl

from aml_screen.match.index import ListIndex
from aml_screen.match.names import match_queries, prepare_queries
from aml_screen.match.reach import within_reach
from aml_screen.schema import HIT_SCHEMA, PARTY_ROLES, empty
from aml_screen.screening import has_party_attributes, name_floor, parties, party_hits

LOOKUP_ROLE = PARTY_ROLES[0]
"""The side of the one-row batch that holds the name (the other is empty)."""


def lookup_batch(name: str, *, birth_date: str | None = None, nationality: str | None = None,
                 id_number: str | None = None) -> pl.DataFrame:
    """The one-row batch a look-up stands for: ``name`` and the details given on
    ``LOOKUP_ROLE``'s side (a detail left empty is no column)."""
    row: dict[str, str | None] = {"transaction_id": "lookup", **{
        f"{role}_name": name if role == LOOKUP_ROLE else None for role in PARTY_ROLES}}
    details = {"birth_date": birth_date, "nationality": nationality, "id_number": id_number}
    row.update({f"{LOOKUP_ROLE}_{key}": value for key, value in details.items() if value})
    return pl.DataFrame([row], schema=dict.fromkeys(row, pl.String), orient="row")


def best_per_entry(hits: pl.DataFrame, limit: int) -> pl.DataFrame:
    """Screening's hits of the one-row batch cut to the best ``limit`` listed entries."""
    return (
        hits.sort(["score", "list_id", "entry_id"], descending=[True, False, False])
        .unique(subset=["list_id", "entry_id"], keep="first", maintain_order=True)
        .head(limit)
    )


def lookup_name(index: ListIndex, name: str, min_score: float, limit: int, *,
                birth_date: str | None = None, nationality: str | None = None,
                id_number: str | None = None) -> pl.DataFrame:
    """Up to ``limit`` hits (``HIT_SCHEMA``), one per listed entry, best first, scoring at
    least ``min_score`` after adjustments."""
    batch = lookup_batch(name, birth_date=birth_date, nationality=nationality,
                         id_number=id_number)
    floor = name_floor(min_score, has_attributes=has_party_attributes(batch))
    # A blank name has no tokens: no queries, as screening would have none of it.
    queries = prepare_queries(pl.Series("party_name", [name]))
    name_hits = (match_queries(queries, within_reach(index, queries.tokens), floor)
                 if queries.size else None)
    if name_hits is None or name_hits.is_empty():
        return empty(HIT_SCHEMA)
    return best_per_entry(party_hits(parties(batch), name_hits, min_score), limit)
