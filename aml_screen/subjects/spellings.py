"""How many names an identifier or a counterparty account really deals with.

Distinct name keys overcount people: one person's typing errors and dropped middle names
are keys of their own (Adiaratou Aminata Tapsoba, Adiaratou Tapsoba, Adiartou Tapsoba),
and an active person's account is written under a dozen of them in a year. A key that
shares half its tokens or more with the group's most used key is counted with it: the same
name written otherwise. Other keys count one each.
"""

from __future__ import annotations

import polars as pl


def distinct_names(per_key: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """(*``by``, ``names``, ``records``) from ``per_key`` (*``by``, ``name_key``,
    ``records``: one row per group and key): the names of each group, counting the keys
    close to its most used key (ties: the first key in order) as that one."""
    tokens = pl.col("name_key").str.split(" ")
    main = tokens.sort_by(["records", "name_key"], descending=[True, False]).first().over(by)
    shared = tokens.list.set_intersection(main).list.len()
    other = shared < 0.5 * pl.min_horizontal(tokens.list.len(), main.list.len())
    return per_key.group_by(by).agg(
        names=1 + (pl.col("name_key").is_not_null() & other).sum(),
        records=pl.col("records").sum())
