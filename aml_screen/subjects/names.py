"""Name evidence: the same name with compatible details, or a name rare enough alone.

Names are compared by their skeleton key (``records.name_keys``: the matcher's
normalisation and transliteration folding, particles dropped, tokens sorted), so Mohamed /
Mohammed / Mouhamed, Ould / Wuld, Ag / Agh, Traoré / TRAORE, surname first and glued
articles are one key. Grouping on exact keys is a hash join: its cost grows with the
records, where matching every name against every stored name (a ``ListIndex`` over the
store) would grow with their product — "Traore" alone reaches a twentieth of a Malian
store's names.

* ``same_name_compatible_details``: one key and one full birth date (``yyyy-mm-dd``), and
  no two nationalities: a namesake born the same day is rare enough to accept. Records
  of the group without a nationality take the group's when it has exactly one; with two
  nationalities each keeps its own (conflicting details keep apart). ID numbers count
  the same way: a namesake born the same day with another ID number is another person.
  Within one birth date, keys that differ are compared with rapidfuzz (``SIMILAR_NAME``),
  so a typing error or a dropped middle name still joins: blocking on the birth date
  keeps these comparisons to a few per day.
* ``rare_name``: one key whose ``rarity`` (the summed token weights of
  ``match.weights.token_weights``, counted over the distinct name keys of every batch,
  the given-name priors and ``common_names.yaml``: Mohamed or Traoré weigh under 5, a
  name held once about 11) reaches ``RARE_NAME`` with one token of ``RARE_TOKEN`` at
  least, and no two birth years, nationalities or ID numbers: a missing one takes the
  group's when it has exactly one, else stays apart. "Moussa Traoré" weighs about 9 and
  never joins on its name alone; "Iyad Ag Ghali" about 20.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import yaml
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from aml_screen.match.vocabulary import SHORT_TOKEN, deletions
from aml_screen.match.weights import GIVEN_NAME_SHARE, REFERENCE_NAMES, token_weights
from aml_screen.names.tokens import fold_tokens, given_name_groups
from aml_screen.subjects.links import EDGES, params_json, star_edges

RARE_NAME = 14.0
"""Summed token weight from which a name alone says who it is: about e^-14 of the
population (one in a million) if token frequencies were independent: a common given name
(about 4.6) with a surname no other name of the store holds (10 to 11)..."""
RARE_TOKEN = 9.0
"""...and the weight its rarest token must reach (held by about one name in 8,000 or
fewer). Token frequencies are not independent (Achta Khadidja Mahamat is three common
Chadian names that go together): a name made only of common tokens is shared by more
people than their product says, however many tokens it has."""
COMMON_TOKEN = 7.0
"""A token lighter than this (held by about one name in a thousand or more) is common: a
rare-looking token one typing error from it is taken for a slip (``_misspelt``)."""
SIMILAR_NAME = 90.0
"""Least rapidfuzz score of two keys of people born the same day for one person: a typing
error (``token_sort_ratio``: Adiaratou / Adiartou Tapsoba scores 97), or a second given
name left out (``token_set_ratio``, when the keys share two tokens or more: Adiaratou
Tapsoba / Adiaratou Aminata Tapsoba scores 100, Abdou Kimba / Abdou Abdou does not count);
keys of one word are never compared (a given name alone is everyone's)."""
COMMON_SHARE = GIVEN_NAME_SHARE
"""Least share of names a common name (``common_names.yaml``) is counted in."""


@cache
def common_names() -> tuple[str, ...]:
    """Skeletons of the names of ``common_names.yaml``."""
    data = yaml.safe_load(Path(__file__).with_name("common_names.yaml").read_text(
        encoding="utf-8"))
    folded = pl.DataFrame({"n": data["names"]}).select(fold_tokens(pl.col("n")))
    return tuple(folded.to_series().unique().sort().to_list())


def token_weight_table(tokens: pl.DataFrame, key_count: int) -> pl.DataFrame:
    """(``skeleton``, ``weight``) for every skeleton counted in ``tokens``
    (``known.TOKENS`` over ``key_count`` distinct name keys) and the common names."""
    groups = given_name_groups()
    floor = COMMON_SHARE * max(key_count, REFERENCE_NAMES)  # scaled back by token_weights
    common = pl.DataFrame({"skeleton": common_names(), "prior": floor})
    tokens = tokens.join(common, on="skeleton", how="full", coalesce=True).select(
        "skeleton", df=pl.max_horizontal(pl.col("df").fill_null(0), pl.col("prior")))
    keyed = tokens.with_columns(wkey=pl.coalesce(
        pl.col("skeleton").replace_strict(groups, default=None, return_dtype=pl.String),
        pl.col("skeleton")))
    frequencies = keyed.group_by("wkey").agg(df=pl.col("df").sum().cast(pl.Float64))
    no_list = pl.DataFrame(schema={"wkey": pl.String, "df": pl.Float64})
    weights = token_weights(no_list, 0, frequencies, key_count)
    return keyed.join(weights, on="wkey").select("skeleton", "weight")


def _misspelt(skeletons: pl.Series, weights: pl.DataFrame) -> pl.DataFrame:
    """(``skeleton``, ``weight``) for the rare ``skeletons`` that are one typing error from
    a common one, with the common one's weight: a slip of the pen makes a token no other
    name holds (Zeiabou for Zeinabou, Couibaly for Coulibaly), which would make its name
    look rare — as the matcher does (``match.scoring.token_edges``), it weighs what the
    token it stands for weighs. Tokens under ``SHORT_TOKEN`` letters are left alone:
    one letter from a common name they are often a name of their own (Gali, Ali)."""
    rare = weights.join(skeletons.unique().to_frame("skeleton"), on="skeleton").filter(
        (pl.col("weight") >= RARE_TOKEN) & (pl.col("skeleton").str.len_chars() >= SHORT_TOKEN))
    common = weights.filter(pl.col("weight") < COMMON_TOKEN)
    if rare.is_empty() or common.is_empty():
        return pl.DataFrame(schema={"skeleton": pl.String, "weight": pl.Float64})

    def variants(frame: pl.DataFrame) -> pl.DataFrame:
        vocab = frame.select(pl.col("skeleton").alias("token"), "skeleton",
                             glued=pl.lit(None, pl.String))
        return deletions(vocab).select("variant", "skeleton")

    pairs = variants(rare).join(variants(common), on="variant", suffix="_common").select(
        "skeleton", "skeleton_common").unique()
    edits = process.cpdist(pairs.get_column("skeleton").to_list(),
                           pairs.get_column("skeleton_common").to_list(), scorer=OSA.distance,
                           workers=-1)
    near = pairs.filter(pl.Series(edits) == 1).join(
        common.rename({"skeleton": "skeleton_common"}), on="skeleton_common")
    return near.group_by("skeleton").agg(pl.col("weight").min())


def rarity(keys: pl.Series, weights: pl.DataFrame) -> pl.DataFrame:
    """(``name_key``, ``rarity``, ``rarest``: the summed and the largest token weight) for
    the distinct non-null ``keys``; a misspelt common token weighs as the common one."""
    distinct = keys.drop_nulls().unique().alias("name_key").to_frame()
    tokens = distinct.with_columns(
        skeleton=pl.col("name_key").str.split(" ").list.unique()).explode("skeleton")
    misspelt = _misspelt(tokens.get_column("skeleton"), weights)
    weights = weights.join(misspelt, on="skeleton", how="left", suffix="_common").select(
        "skeleton", weight=pl.coalesce("weight_common", "weight"))
    weight = pl.col("weight").fill_null(weights.get_column("weight").max() or 0.0)
    return tokens.join(weights, on="skeleton", how="left").group_by("name_key").agg(
        rarity=weight.sum(), rarest=weight.max())


_DATED = ("name_key", "birth_date", "nationality_group", "id_number_group")


def _filled(column: str, group: list[str]) -> pl.Expr:
    """``column``, or the group's one value when it is null and the group has exactly one."""
    known = pl.col(column).drop_nulls()
    return pl.when(pl.col(column).is_null() & (known.n_unique().over(group) == 1)).then(
        pl.col(column).min().over(group)).otherwise(pl.col(column)).alias(f"{column}_group")


def _linked(members: pl.DataFrame, group: list[str]) -> pl.DataFrame:
    return star_edges(members.unique(subset=[*group, "node"]), group)


def _similar_keys(dated: pl.DataFrame, first_new: int) -> pl.DataFrame:
    """Links between profiles born the same day whose keys differ but score at least
    ``SIMILAR_NAME`` (a typing error, a dropped middle name), nationalities not in conflict.
    Each group of one key, birth date and nationality (already linked within) takes part
    through its first node, pairs are formed within a birth date only and with a group
    holding a new node on one side (known subjects were compared when they came): a few
    names per day and batch."""
    groups = dated.group_by(*_DATED).agg(
        center=pl.col("node").min(), new=(pl.col("node") >= first_new).any()).filter(
        pl.col("name_key").str.contains(" "))  # one word (a given name alone) says little
    right = groups.select(key="name_key", birth_date="birth_date", other="nationality_group",
                          other_id="id_number_group", partner="center", partner_new="new")
    pairs = groups.filter("new").join(right, on="birth_date").filter(
        (pl.col("key") != pl.col("name_key"))
        & (~pl.col("partner_new") | (pl.col("partner") < pl.col("center")))
        & ~(pl.col("nationality_group") != pl.col("other")).fill_null(value=False)
        & ~(pl.col("id_number_group") != pl.col("other_id")).fill_null(value=False))
    keys = pairs.select("name_key", "key").unique()
    new_keys, partner_keys = keys.get_column("name_key").to_list(), keys.get_column(
        "key").to_list()
    whole = process.cpdist(new_keys, partner_keys, scorer=fuzz.token_sort_ratio, workers=-1)
    subset = process.cpdist(new_keys, partner_keys, scorer=fuzz.token_set_ratio, workers=-1)
    shared = pl.col("name_key").str.split(" ").list.set_intersection(
        pl.col("key").str.split(" ")).list.len()
    similar = keys.with_columns(whole=pl.Series(whole, dtype=pl.Float64),
                                subset=pl.Series(subset, dtype=pl.Float64)).with_columns(
        score=pl.when(pl.col("whole") >= SIMILAR_NAME).then("whole")
        .when(shared >= 2).then("subset")).filter(pl.col("score") >= SIMILAR_NAME)
    return pairs.join(similar, on=["name_key", "key"]).select(
        a="partner", b="center", code=pl.lit("same_name_compatible_details"),
        params=params_json(score=pl.col("score").round(1), birth_date=pl.col("birth_date"),
                           nationality=pl.coalesce("nationality_group", "other")))


def name_edges(profiles: pl.DataFrame, rarities: pl.DataFrame, first_new: int = 0
               ) -> pl.DataFrame:
    """Links from ``profiles`` (``node``, ``name_key``, ``birth_date``, ``birth_year``,
    ``nationality``, ``id_number``; several rows per known subject) and the ``rarity`` of each key;
    nodes from ``first_new`` on are the batch's records."""
    named = profiles.filter(pl.col("name_key").is_not_null())
    dated = named.filter(pl.col("birth_date").str.len_chars() == 10).with_columns(
        _filled("nationality", ["name_key", "birth_date"]),
        _filled("id_number", ["name_key", "birth_date"]))
    by_date = _linked(dated, list(_DATED)).select(
        a="center", b="node", code=pl.lit("same_name_compatible_details"),
        params=params_json(score=pl.lit(100.0), birth_date=pl.col("birth_date"),
                           nationality=pl.col("nationality_group")))
    rare_keys = rarities.filter((pl.col("rarity") >= RARE_NAME)
                                & (pl.col("rarest") >= RARE_TOKEN))
    rare = named.join(rare_keys, on="name_key").with_columns(
        _filled("birth_year", ["name_key"]), _filled("nationality", ["name_key"]),
        _filled("id_number", ["name_key"]))
    by_rarity = _linked(rare, ["name_key", "birth_year_group", "nationality_group",
                               "id_number_group"]).select(
        a="center", b="node", code=pl.lit("rare_name"),
        params=params_json(score=pl.lit(100.0), rarity=pl.col("rarity").round(1)))
    return pl.concat([by_date, _similar_keys(dated, first_new), by_rarity]).cast(
        EDGES)  # type: ignore[arg-type]
