"""One name looked up in the lists (``aml-screen match``, ``POST /api/v1/match``): the
best candidate per listed entry, scored and explained exactly as screening would score
that name in a batch — with the same adjustments when a birth date, nationality or ID
number is given, since the name goes through screening's own steps as a one-row batch."""

from __future__ import annotations

import polars as pl

from aml_screen.match.index import ListIndex
from aml_screen.schema import PARTY_ROLES
from aml_screen.screening import screen_names

LOOKUP_ROLE = PARTY_ROLES[0]
"""The side of the one-row batch that holds the name (the other is empty)."""


def lookup_name(index: ListIndex, name: str, min_score: float, limit: int, *,
                birth_date: str | None = None, nationality: str | None = None,
                id_number: str | None = None) -> pl.DataFrame:
    """Up to ``limit`` hits (``HIT_SCHEMA``), one per listed entry, best first, scoring at
    least ``min_score`` after adjustments."""
    row: dict[str, str | None] = {"transaction_id": "lookup", **{
        f"{role}_name": name if role == LOOKUP_ROLE else None for role in PARTY_ROLES}}
    details = {"birth_date": birth_date, "nationality": nationality, "id_number": id_number}
    row.update({f"{LOOKUP_ROLE}_{key}": value for key, value in details.items() if value})
    batch = pl.DataFrame([row], schema=dict.fromkeys(row, pl.String), orient="row")
    return (
        screen_names(batch, index, min_score).hits
        .sort(["score", "list_id", "entry_id"], descending=[True, False, False])
        .unique(subset=["list_id", "entry_id"], keep="first", maintain_order=True)
        .head(limit)
    )
