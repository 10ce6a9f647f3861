"""Entry-level changes between two versions of a list: entries added, removed and changed
(which names, dates, places, programmes or remarks). Pure: list-entry frames in
(``LIST_ENTRY_SCHEMA``, one row per name), frames out.

An entry is compared on what a hit shows of it, each multi-valued field as a sorted set, so
that a list re-ordering its aliases or dates changes nothing; names compare as written, with
their kind (a name moving from alias to weak alias is a change).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from aml_screen.schema import NAME_KINDS

COMPARED = ("entity_type", "names", "birth_dates", "nationalities", "countries",
            "programmes", "listed_on", "remarks")
"""The fields of an entry a change is reported on, in the order they are reported."""
_SETS = ("birth_dates", "nationalities", "countries", "programmes")
_KIND_RANK = {kind: rank for rank, kind in enumerate(NAME_KINDS)}


@dataclass(frozen=True)
class ListDiff:
    """``added`` and ``removed``: one row per entry (``entry_id``, ``entity_type``, ``names``);
    ``changed``: the same, from the new version, with ``fields`` (which of ``COMPARED``
    changed), ``names_added`` and ``names_removed`` (``kind: name``) and each changed field's
    ``old`` and ``new`` values as text."""

    added: pl.DataFrame
    removed: pl.DataFrame
    changed: pl.DataFrame


def entry_records(entries: pl.DataFrame) -> pl.DataFrame:
    """One row per entry: its names (``kind: name``, primary names first) and its other
    fields, each multi-valued field sorted and without repeats."""
    return entries.group_by("entry_id").agg(
        pl.col("entity_type").drop_nulls().first(),
        names=pl.concat_str(pl.col("name_kind"), pl.lit(": "), pl.col("name"))
        .sort_by(pl.col("name_kind").replace_strict(_KIND_RANK, default=len(_KIND_RANK)),
                 "name").unique(maintain_order=True),
        **{field: pl.col(field).list.explode(keep_nulls=False, empty_as_null=False)
           .unique().sort() for field in _SETS},
        listed_on=pl.col("listed_on").drop_nulls().first(),
        remarks=pl.col("remarks").drop_nulls().first(),
    ).sort("entry_id")


def _text(field: str, suffix: str = "") -> pl.Expr:
    """A field's value (of the old version with ``suffix`` ``_old``) as one line of text,
    lists joined by ``; ``."""
    column = pl.col(field + suffix)
    if field in (*_SETS, "names"):
        return column.list.join("; ")
    return column.cast(pl.String)


def diff_lists(old: pl.DataFrame, new: pl.DataFrame) -> ListDiff:
    """What changed from list version ``old`` to ``new`` (both ``LIST_ENTRY_SCHEMA``)."""
    before, after = entry_records(old), entry_records(new)
    shown = ["entry_id", "entity_type", "names"]
    added = after.join(before, on="entry_id", how="anti").select(shown)
    removed = before.join(after, on="entry_id", how="anti").select(shown)
    both = after.join(before, on="entry_id", how="inner", suffix="_old")
    differs = {field: pl.col(field).ne_missing(pl.col(f"{field}_old")) for field in COMPARED}
    changed = both.with_columns(
        fields=pl.concat_list([pl.when(expr).then(pl.lit(field))
                               for field, expr in differs.items()]).list.drop_nulls(),
        names_added=pl.col("names").list.set_difference(pl.col("names_old")).list.sort(),
        names_removed=pl.col("names_old").list.set_difference(pl.col("names")).list.sort(),
        old=pl.struct([pl.when(expr).then(_text(field, "_old")).alias(field)
                       for field, expr in differs.items()]),
        new=pl.struct([pl.when(expr).then(_text(field)).alias(field)
                       for field, expr in differs.items()]),
    ).filter(pl.col("fields").list.len() > 0).select(
        *shown, "fields", "names_added", "names_removed", "old", "new")
    return ListDiff(added=added, removed=removed, changed=changed)
