"""The prepared form of the watchlists that screening runs against."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from aml_screen.names.normalise import normalise_names, sorted_tokens


@dataclass(frozen=True)
class ListIndex:
    """Every list name with its normalised form, and the distinct order-free keys to match.

    ``names`` has the list-entry columns plus ``list_version``, ``name_normalised`` and
    ``key_id`` (position in ``keys``). Many list names share one key (the same alias on
    several lists, or spelled with different punctuation), so each key is scored once.
    """

    names: pl.DataFrame
    keys: list[str]

    @property
    def size(self) -> int:
        return len(self.keys)


def build_index(entries: pl.DataFrame) -> ListIndex:
    """Index list-entry rows (``LIST_ENTRY_SCHEMA`` plus a ``list_version`` column)."""
    normalised = normalise_names(entries.get_column("name"))
    frame = entries.with_columns(
        name_normalised=normalised, _key=sorted_tokens(normalised)
    ).filter(pl.col("_key").is_not_null() & (pl.col("_key") != ""))
    keys = frame.select(pl.col("_key").unique(maintain_order=True)).to_series()
    key_ids = pl.DataFrame({"_key": keys, "key_id": pl.int_range(keys.len(), dtype=pl.UInt32,
                                                                 eager=True)})
    names = frame.join(key_ids, on="_key", how="left").drop("_key")
    return ListIndex(names=names, keys=keys.to_list())
