"""Which names of a new list version a delta re-screen screens stored parties against.
Pure: the new version's entries and its ``ListDiff`` from the old one in, name rows out.

An added entry is screened by all its names. A changed entry is screened by all its names
when a fact that moves a score changed (``SCORED_FIELDS``: birth dates, nationalities and
countries adjust a hit's score, the remarks hold the document numbers and phones it is
checked against, the entity type weighs the name); when only its names changed, by the
names added alone, since its other names scored the same against the old version already.
Removed entries are not screened: their hits are retired.
"""

from __future__ import annotations

import polars as pl

from aml_screen.watchlists.diff import ListDiff

SCORED_FIELDS = ("entity_type", "birth_dates", "nationalities", "countries", "remarks")


def screened_names(entries: pl.DataFrame, diff: ListDiff) -> pl.DataFrame:
    """The rows of ``entries`` (the new version, ``LIST_ENTRY_SCHEMA``) to screen."""
    facts = pl.col("fields").list.set_intersection(list(SCORED_FIELDS)).list.len() > 0
    whole = pl.concat([diff.added.select("entry_id"),
                       diff.changed.filter(facts).select("entry_id")])
    added = (diff.changed.filter(~facts).select("entry_id", written="names_added")
             .explode("written").drop_nulls("written")
             .select("entry_id", parts=pl.col("written").str.splitn(": ", 2))
             .select("entry_id", name_kind=pl.col("parts").struct.field("field_0"),
                     name=pl.col("parts").struct.field("field_1")))
    return pl.concat([entries.join(whole, on="entry_id", how="semi"),
                      entries.join(added, on=["entry_id", "name_kind", "name"], how="semi")])
