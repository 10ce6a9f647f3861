"""An index restricted to a few list names (a delta re-screen's) finds only those, and
scores them exactly as the whole index does."""

from __future__ import annotations

import polars as pl

from aml_screen.match.index import ListIndex, restrict_index
from aml_screen.match.names import match_names

QUERIES = pl.Series(["Iyad Ag Ghaly", "Moktar Belmoktar", "Amadou Koufa", "Mohamed Hassan",
                     "Fatoumata Diallo"])


def test_the_few_names_score_as_in_the_whole_index(index: ListIndex) -> None:
    few = index.names.filter(pl.col("entry_id").is_in(["QDi.316", "QDi.136"]))
    restricted = restrict_index(index, few)
    assert restricted.names.height == 3
    assert restricted.size == index.size  # weights come from the whole list
    whole = match_names(QUERIES, index, 70).filter(
        pl.col("entry_id").is_in(["QDi.316", "QDi.136"]))
    found = match_names(QUERIES, restricted, 70)
    assert set(found.get_column("entry_id")) == {"QDi.316", "QDi.136"}
    columns = ["party_name", "entry_id", "matched_name", "score", "explanation"]
    assert found.select(columns).sort(columns).equals(whole.select(columns).sort(columns))
