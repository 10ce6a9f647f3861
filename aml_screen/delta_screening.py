"""Delta re-screening, the pure part: chunks of stored party names matched against the
few list names a new version added or changed (``watchlists.delta``), and the names found
mapped back onto the stored transactions holding them, batch by batch.

Each chunk of stored names is matched as a batch of its own: its token statistics
(``match.names.BatchStatistics``) stand for the store's, since names are read in the
order they were stored rather than sorted. Names are matched ``adjust.MAX_BONUS`` under
the threshold, as for a batch with party details, so that a birth year or nationality
stored with the transaction can lift a near miss into a hit when mapped back.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from aml_screen.match.index import ListIndex, restrict_index
from aml_screen.match.names import REACH_BUDGET, match_queries, prepare_queries
from aml_screen.pipeline import index_watchlists
from aml_screen.schema import PARTY_ROLES, PARTY_SCHEMA
from aml_screen.screening import map_hits, name_floor
from aml_screen.watchlists.delta import screened_names
from aml_screen.watchlists.diff import ListDiff
from aml_screen.watchlists.loader import Watchlist

STORED_COLUMNS: dict[str, pl.DataType] = {
    "transaction_id": pl.String(),
    **{f"{role}_{column}": pl.String() for role in PARTY_ROLES
       for column in ("name", "account", "country")},
    **PARTY_SCHEMA,
}
"""The columns of a stored transaction that screening, alert labels and alert subjects
read."""


def delta_index(new: Watchlist, diff: ListDiff) -> ListIndex:
    """The index of the names of ``new`` a delta re-screen matches (``screened_names``),
    weighed as the whole of ``new`` (``match.index.restrict_index``)."""
    return restrict_index(index_watchlists([new]), screened_names(new.entries, diff))


@dataclass(frozen=True)
class ChunkMatch:
    hits: pl.DataFrame
    """Name-level hits (``match.names.NAME_HIT_COLUMNS`` and entry details)."""
    names: int
    """Distinct names with tokens to match."""


def match_chunk(names: pl.Series, index: ListIndex, threshold: float,
                budget: int = REACH_BUDGET) -> ChunkMatch:
    """One chunk of stored names matched against ``index`` at the floor of ``threshold``."""
    queries = prepare_queries(names)
    floor = name_floor(threshold, has_attributes=True)
    return ChunkMatch(hits=match_queries(queries, index, floor, budget=budget),
                      names=queries.names.height)


def hits_by_batch(transactions: pl.DataFrame, name_hits: pl.DataFrame, threshold: float
                  ) -> dict[int, pl.DataFrame]:
    """The hits (``HIT_SCHEMA``) of the stored ``transactions`` (``batch_id`` and
    ``STORED_COLUMNS``) holding a name of ``name_hits``, by batch id; batches without a
    hit at ``threshold`` are left out."""
    found = {int(batch_id): map_hits(rows.drop("batch_id"), name_hits, threshold)
             for (batch_id,), rows in transactions.group_by("batch_id", maintain_order=True)}
    return {batch_id: hits for batch_id, hits in found.items() if not hits.is_empty()}
