"""Which query tokens resemble which list tokens, and how much (0-1).

Tokens are compared once per distinct pair of skeletons, never per pair of names:

* the same skeleton (Mohamed / Muhammad): 1.0;
* two given names of one group (Mamadou / Mohamed): ``EQUIVALENT``;
* a typo of a spelling that is not common in the batch (one edit on tokens of four to
  seven letters, two from eight on; letters swapped count as one edit), as written, as
  skeletons or glued to the particle before it: 1 − ``TYPO_COST`` × edits / length
  (× ``COMMON_TYPO`` when several list names hold the spelling). Such pairs are found
  without comparing every pair: both sides are expanded into their one-letter deletions
  (``Ghaly`` → ``haly``, ``galy``...) and joined on them, a symmetric-deletion index, then
  the edit distance is computed on the few pairs found;
* a name glued to its article on one side only (Alfay / Al-Fay): ``JOINED``;
* an initial (``M``) against a token with that first letter: ``INITIAL`` (relation
  ``initial`` when the query holds the initial, ``listed_initial`` when the list does).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

EQUIVALENT = 0.9
JOINED = 0.95
"""A name written glued to its particle on one side only (Alfay / Al-Fay): as a
transcription, just under the same spelling."""
INITIAL = 0.6
MIN_FUZZY_LENGTH = 4
"""Shortest form compared for typos (Zafr / Zafar; see ``SHORT_TOKEN``)."""
SHORT_TOKEN = 5
"""Two forms of four letters at most are one typo apart only by two neighbouring letters
swapped (Siad / Said): one letter in four replaced makes another name (Qian / Jian, Bahr /
Bakr). A four-letter form can still be a five-letter name with a letter dropped (Zafr /
Zafar)."""
LONG_TOKEN = 8
TYPO_COST = 0.6
"""Similarity lost per edit, relative to the token's length: one edit in five letters
gives 0.88."""
COMMON_SPELLING = 5
COMMON_SHARE = 0.001
"""A query skeleton held by that many and ``COMMON_SHARE`` of the batch's distinct names is
never read as a typo (a large batch repeats the same slip of the pen by several clerks); one
held by ``COMMON_SPELLING`` list names is read as one at ``COMMON_TYPO`` of its similarity."""
COMMON_TYPO = 0.9
TYPO_DOMINANCE = 20
"""...unless the list spelling it is one edit from is held by this many times more list
names than the query spelling is held by list and batch names together: a batch of
Muhammads holds "Moahmmad" a few times, and it is still a slip, not a name."""
PAIR_SCHEMA = {"q_skeleton": pl.String(), "l_skeleton": pl.String(),
               "similarity": pl.Float64(), "relation": pl.String()}


def deletions(vocab: pl.DataFrame) -> pl.DataFrame:
    """(``variant``, ``form``, ``skeleton``) where a form is a token as written, its
    skeleton (a typo can hide in either: Rahii / Rahiqi differ by one letter as written, by
    two as skeletons) or the token glued to the particle before it (Belkassem for Kassem:
    a typo in a glued name keeps it from being split, Beelkassem), for forms of
    ``MIN_FUZZY_LENGTH`` letters or more: each form with itself and each of its one-letter
    deletions. ``vocab`` has ``token``, ``skeleton`` and ``glued``."""
    forms = pl.concat([vocab.select(form="token", skeleton="skeleton"),
                       vocab.select(form="skeleton", skeleton="skeleton"),
                       vocab.select(form="glued", skeleton="skeleton").drop_nulls()]).unique(
    ).filter(pl.col("form").str.len_chars() >= MIN_FUZZY_LENGTH)
    cut = forms.with_columns(i=pl.int_ranges(0, pl.col("form").str.len_chars(),
                                             dtype=pl.UInt32)).explode("i")
    variants = cut.select(
        variant=pl.concat_str(pl.col("form").str.head(pl.col("i")),
                              pl.col("form").str.slice(pl.col("i") + 1)),
        form="form", skeleton="skeleton",
    )
    return pl.concat([forms.select(variant="form", form="form", skeleton="skeleton"),
                      variants]).unique()


def _fuzzy(query_vocab: pl.DataFrame, list_deletions: pl.DataFrame) -> pl.DataFrame:
    found = (
        deletions(query_vocab).join(list_deletions, on="variant", suffix="_l")
        .filter(pl.col("skeleton") != pl.col("skeleton_l"))
        .select(q_form="form", l_form="form_l", q_skeleton="skeleton", l_skeleton="skeleton_l")
        .unique()
    )
    if found.is_empty():
        return pl.DataFrame(schema=PAIR_SCHEMA)
    q_forms, l_forms = found["q_form"].to_list(), found["l_form"].to_list()
    edits = process.cpdist(q_forms, l_forms, scorer=OSA.distance, dtype=np.int32, workers=-1)
    # Levenshtein counts two edits where OSA counts one swap of neighbouring letters.
    swapped = process.cpdist(q_forms, l_forms, scorer=Levenshtein.distance, dtype=np.int32,
                             workers=-1) > edits
    longest = pl.max_horizontal(pl.col("q_form").str.len_chars(),
                                pl.col("l_form").str.len_chars())
    allowed = (pl.when(longest >= LONG_TOKEN).then(2)
               .when((longest >= SHORT_TOKEN) | pl.col("swapped")).then(1).otherwise(0))
    # Two skeletons with one form in common are one name written glued on one side and
    # split on the other (Alfay / Al-Fay, whose article is then left out).
    return found.with_columns(edits=pl.Series(edits), swapped=pl.Series(swapped)).filter(
        pl.col("edits") <= allowed).select(
        "q_skeleton", "l_skeleton",
        similarity=pl.min_horizontal(1 - TYPO_COST * pl.col("edits") / longest,
                                     pl.lit(JOINED)).cast(pl.Float64),
        relation=pl.when(pl.col("edits") == 0).then(pl.lit("joined")).otherwise(pl.lit("typo")),
    )


def _initials(query_vocab: pl.DataFrame, list_vocab: pl.DataFrame) -> pl.DataFrame:
    """Single letters on one side against tokens with that first letter on the other."""
    first = pl.col("skeleton").str.head(1)
    q_init = query_vocab.filter(pl.col("skeleton").str.len_chars() == 1).select(
        q_skeleton="skeleton", letter="skeleton")
    l_long = list_vocab.filter(pl.col("skeleton").str.len_chars() > 1).select(
        l_skeleton="skeleton", letter=first)
    l_init = list_vocab.filter(pl.col("skeleton").str.len_chars() == 1).select(
        l_skeleton="skeleton", letter="skeleton")
    q_long = query_vocab.filter(pl.col("skeleton").str.len_chars() > 1).select(
        q_skeleton="skeleton", letter=first)
    pairs = pl.concat([
        q_init.join(l_long, on="letter").with_columns(relation=pl.lit("initial")),
        q_long.join(l_init, on="letter").with_columns(relation=pl.lit("listed_initial")),
    ])
    return pairs.select("q_skeleton", "l_skeleton", similarity=pl.lit(INITIAL), relation="relation")


def similar_tokens(query_vocab: pl.DataFrame, list_vocab: pl.DataFrame,
                   list_deletions: pl.DataFrame, batch_size: int = 0) -> pl.DataFrame:
    """Every (query skeleton, list skeleton) pair that counts as a token match, with its
    similarity and relation (``same``, ``equivalent``, ``typo``, ``initial``,
    ``listed_initial``); the best
    relation when several apply. Vocabularies have ``token``, ``skeleton``, ``group`` and
    ``df`` (how many names hold the skeleton) columns, one row per distinct token;
    ``batch_size`` is the number of distinct names the query vocabulary comes from."""
    same = query_vocab.join(list_vocab.unique(subset="skeleton"), on="skeleton").select(
        q_skeleton="skeleton", l_skeleton="skeleton", similarity=pl.lit(1.0),
        relation=pl.lit("same"))
    fuzzy = _fuzzy(query_vocab, list_deletions)
    query_vocab = query_vocab.unique(subset="skeleton")
    equivalent = (
        query_vocab.filter(pl.col("group").is_not_null())
        .join(list_vocab.filter(pl.col("group").is_not_null()), on="group", suffix="_l")
        .filter(pl.col("skeleton") != pl.col("skeleton_l"))
        .select(q_skeleton="skeleton", l_skeleton="skeleton_l", similarity=pl.lit(EQUIVALENT),
                relation=pl.lit("equivalent"))
    )
    # Typos are rare: a spelling that several clerks wrote in this batch is a name in its own
    # right (Mamadou is not a misspelt Amadou, Moctar not a misspelt Mokhber), and one that
    # several list names hold probably is. But the skeleton folds vowels away, so a slip can
    # land on the skeleton of a few list names (Jouiaa for Joumaa, on that of Juya): such a
    # typo counts, at ``COMMON_TYPO`` of its similarity.
    list_df = list_vocab.group_by("skeleton").agg(pl.col("df").first())
    seen = query_vocab.select("skeleton", q_df="df").join(list_df, on="skeleton", how="left")
    in_batch = pl.col("q_df") >= max(COMMON_SPELLING, COMMON_SHARE * batch_size)
    common = seen.filter(in_batch | (pl.col("df") >= COMMON_SPELLING)).select(
        q_skeleton="skeleton", seen=pl.col("q_df") + pl.col("df").fill_null(0),
        factor=pl.when(in_batch).then(0.0).otherwise(COMMON_TYPO))
    blocked = (
        fuzzy.join(common, on="q_skeleton")
        .join(list_df.rename({"skeleton": "l_skeleton"}), on="l_skeleton")
        .filter(pl.col("df") < TYPO_DOMINANCE * pl.col("seen"))
        .select("q_skeleton", "l_skeleton", "factor")
    )
    typos = fuzzy.join(blocked, on=["q_skeleton", "l_skeleton"], how="left").with_columns(
        similarity=pl.col("similarity") * pl.col("factor").fill_null(1.0)
    ).filter(pl.col("similarity") > 0).drop("factor")
    pairs = pl.concat([same, equivalent, typos,
                       _initials(query_vocab, list_vocab)])
    return (
        pairs.cast(PAIR_SCHEMA)  # type: ignore[arg-type]
        .sort("similarity", descending=True)
        .unique(subset=["q_skeleton", "l_skeleton"], keep="first")
    )
