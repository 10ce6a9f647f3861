"""How much each token says about who a name is: inverse document frequency.

A token's weight is ``ln(1 + N / df)`` where ``df`` counts the names holding it (its
given-name group when it has one, so Mamadou and Mohamed share one count). Counts come from
the list names and, when a batch is screened, from the batch's distinct names too, scaled so
that the batch weighs at most as much as the lists: Belmokhtar (one list name) weighs about
10, Mohamed (thousands of list names, and a quarter of any Sahel batch) about 2.
Initials say little whatever their frequency and weigh ``INITIAL_WEIGHT``; so do honorifics
left inside a name (Sheikh, Maulana, Imam: "Maulana Fazlullah" is Fazlullah whether the bank
writes the title or not, and wherever it puts it), which weigh ``HONORIFIC_WEIGHT``.

So that a score means the same on a national list of ten names as on the combined official
lists, counts are taken over at least ``REFERENCE_NAMES`` names, and the given names of
``given_names.yaml`` (Mohamed, Fatoumata...) count as held by ``GIVEN_NAME_SHARE`` of them
at least: on a short list, a name made of rare tokens still weighs what it would weigh
among all sanctioned names, and Mohamed stays light.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from aml_screen.names.tokens import given_name_groups, honorific_skeletons

INITIAL_WEIGHT = 1.0
HONORIFIC_WEIGHT = 1.0
MIN_WEIGHT = 1.0
REFERENCE_NAMES = 30_000
GIVEN_NAME_SHARE = 0.01


def document_frequencies(tokens: pl.DataFrame, owner: str) -> pl.DataFrame:
    """(``wkey``, ``df``): in how many distinct ``owner`` ids each weight key occurs; the
    weight key of a token is its given-name group, else its skeleton."""
    return tokens.group_by(pl.coalesce("group", "skeleton").alias("wkey")).agg(
        df=pl.col(owner).n_unique().cast(pl.Float64))


@cache
def _given_names() -> pl.DataFrame:
    """The weight key of each given-name group (``given_names.yaml``), flagged ``given``."""
    groups = sorted(set(given_name_groups().values()))
    return pl.DataFrame({"wkey": groups, "given": [True] * len(groups)})


def token_weights(list_df: pl.DataFrame, list_count: int,
                  batch_df: pl.DataFrame | None = None, batch_count: int = 0) -> pl.DataFrame:
    """(``wkey``, ``weight``) for every key counted in the lists or the batch."""
    reference = max(list_count, REFERENCE_NAMES)
    scale = reference / max(batch_count, reference)
    frames = [list_df]
    if batch_df is not None and batch_count:
        frames.append(batch_df.with_columns(pl.col("df") * scale))
    total = reference + batch_count * scale
    prior = pl.when(pl.col("given")).then(pl.lit(GIVEN_NAME_SHARE * reference))
    df = pl.max_horizontal(pl.col("df").fill_null(0), prior)
    weight = (1 + total / df.clip(lower_bound=1.0)).log()
    return (
        pl.concat(frames).group_by("wkey").agg(pl.col("df").sum())
        .join(_given_names(), on="wkey", how="full", coalesce=True)
        .select(
            "wkey",
            weight=pl.when(pl.col("wkey").str.len_chars() == 1).then(pl.lit(INITIAL_WEIGHT))
            .when(pl.col("wkey").is_in(sorted(honorific_skeletons())))
            .then(pl.lit(HONORIFIC_WEIGHT))
            .otherwise(weight.clip(lower_bound=MIN_WEIGHT)),
        )
    )


def weigh(tokens: pl.DataFrame, weights: pl.DataFrame) -> pl.DataFrame:
    """``tokens`` with a ``weight`` column (keys unseen anywhere get the highest weight)."""
    top = weights["weight"].max() if weights.height else MIN_WEIGHT
    return tokens.with_columns(weight=pl.coalesce("group", "skeleton").replace_strict(
        weights.get_column("wkey"), weights.get_column("weight"), default=top,
        return_dtype=pl.Float64))
