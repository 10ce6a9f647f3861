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

from aml_screen.names.tokens import fuzzy_workers

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
RELATION_PREFERENCE = ("same", "equivalent", "joined", "typo", "initial", "listed_initial")
"""Which relation a token pair keeps when two give it the same similarity: a given name
of the same group one letter apart (Fatouma / Fatima, Hamidou / Hamid: equivalent and a
typo at 0.9) reads as the equivalent. The choice must not depend on the row order the
joins left, or a name would score one way alone and another in a batch."""
PAIR_SCHEMA = {"q_skeleton": pl.String(), "l_skeleton": pl.String(),
               "similarity": pl.Float64(), "relation": pl.String()}


def deletions(vocab: pl.DataFrame) -> pl.DataFrame:
    """(``variant``, ``form``, ``skeleton``) where a form is a token as written, its
    skeleton (a typo can hide in either: Rahii / Rahiqi differ by one letter as written, by
    two as skeletons) or the token glued to the particle before it (Belkassem for Kassem:
    a typo in a glued name keeps it from being split, Beelkassem), for forms of
    ``MIN_FUZZY_LENGTH`` letters or more: each form with itself and each of its one-letter
    deletions. ``vocab`` has ``token``, ``skeleton`` and ``glued``."""
    forms = vocab.select("skeleton", form=pl.concat_list("token", "skeleton", "glued")).explode(
        "form").unique().filter(pl.col("form").str.len_chars() >= MIN_FUZZY_LENGTH)
    # Cutting at the form's length leaves the form itself.
    cut = forms.with_columns(i=pl.int_ranges(0, pl.col("form").str.len_chars() + 1,
                                             dtype=pl.UInt32)).explode("i")
    return cut.select(
        variant=pl.concat_str(pl.col("form").str.head(pl.col("i")),
                              pl.col("form").str.slice(pl.col("i") + 1)),
        form="form", skeleton="skeleton",
    ).unique()


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
    workers = fuzzy_workers(len(q_forms))
    edits = process.cpdist(q_forms, l_forms, scorer=OSA.distance, dtype=np.int32,
                           workers=workers)
    # Levenshtein counts two edits where OSA counts one swap of neighbouring letters.
    swapped = process.cpdist(q_forms, l_forms, scorer=Levenshtein.distance, dtype=np.int32,
                             workers=workers) > edits
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
    def lettered(vocab: pl.DataFrame, side: str) -> pl.DataFrame:
        return vocab.select(pl.col("skeleton").alias(side), letter=pl.col("skeleton").str.head(1),
                            letters=pl.col("skeleton").str.len_chars())

    query, listed = lettered(query_vocab, "q_skeleton"), lettered(list_vocab, "l_skeleton")
    initial, word = pl.col("letters") == 1, pl.col("letters") > 1
    parts = []
    for relation, q_kind, l_kind in (("initial", initial, word),
                                     ("listed_initial", word, initial)):
        q_side = query.filter(q_kind)
        if not q_side.is_empty():  # a name without initials (most) reads no list word
            parts.append(q_side.join(listed.filter(l_kind), on="letter").select(
                "q_skeleton", "l_skeleton", similarity=pl.lit(INITIAL),
                relation=pl.lit(relation)))
    return pl.concat(parts) if parts else pl.DataFrame(schema=PAIR_SCHEMA)


def _typos(fuzzy: pl.DataFrame, query_vocab: pl.DataFrame, list_vocab: pl.DataFrame,
           batch_size: int) -> pl.DataFrame:
    """``fuzzy`` less the typos of spellings common enough to be names of their own.

    Typos are rare: a spelling that several clerks wrote in this batch is a name in its own
    right (Mamadou is not a misspelt Amadou, Moctar not a misspelt Mokhber), and one that
    several list names hold probably is. But the skeleton folds vowels away, so a slip can
    land on the skeleton of a few list names (Jouiaa for Joumaa, on that of Juya): such a
    typo counts, at ``COMMON_TYPO`` of its similarity. ``query_vocab`` is one row per
    skeleton."""
    if fuzzy.is_empty():
        return fuzzy
    listed = list_vocab.select("skeleton", "df").unique(subset="skeleton")
    in_batch = pl.col("q_df") >= max(COMMON_SPELLING, COMMON_SHARE * batch_size)
    seen = pl.col("q_df") + pl.col("q_listed").fill_null(0)
    common = in_batch | (pl.col("q_listed") >= COMMON_SPELLING)
    blocked = common & (pl.col("l_listed") < TYPO_DOMINANCE * seen)
    factor = pl.when(blocked).then(pl.when(in_batch).then(0.0).otherwise(COMMON_TYPO)) \
        .otherwise(1.0)
    return (
        fuzzy.join(query_vocab.select(q_skeleton="skeleton", q_df="df"), on="q_skeleton",
                   how="left")
        .join(listed.select(q_skeleton="skeleton", q_listed="df"), on="q_skeleton", how="left")
        .join(listed.select(l_skeleton="skeleton", l_listed="df"), on="l_skeleton", how="left")
        .select("q_skeleton", "l_skeleton", (pl.col("similarity") * factor).alias("similarity"),
                "relation")
        .filter(pl.col("similarity") > 0)
    )


def similar_tokens(query_vocab: pl.DataFrame, list_vocab: pl.DataFrame,
                   list_deletions: pl.DataFrame, batch_size: int = 0) -> pl.DataFrame:
    """Every (query skeleton, list skeleton) pair that counts as a token match, with its
    similarity and relation (``same``, ``equivalent``, ``typo``, ``joined``, ``initial``,
    ``listed_initial``); the best relation when several apply, the first of
    ``RELATION_PREFERENCE`` when they tie. Vocabularies have ``token``, ``skeleton``,
    ``group`` and ``df`` (how many names hold the skeleton) columns, one row per distinct
    token; ``batch_size`` is the number of distinct names the query vocabulary comes from."""
    same = query_vocab.filter(pl.col("skeleton").is_in(list_vocab.get_column("skeleton")
                                                       .implode())).select(
        q_skeleton="skeleton", l_skeleton="skeleton", similarity=pl.lit(1.0),
        relation=pl.lit("same"))
    fuzzy = _fuzzy(query_vocab, list_deletions)
    query_vocab = query_vocab.unique(subset="skeleton")
    equivalent = (  # the join leaves tokens without a group out
        query_vocab.join(list_vocab, on="group", suffix="_l")
        .filter(pl.col("skeleton") != pl.col("skeleton_l"))
        .select(q_skeleton="skeleton", l_skeleton="skeleton_l", similarity=pl.lit(EQUIVALENT),
                relation=pl.lit("equivalent"))
    )
    pairs = pl.concat([same, equivalent, _typos(fuzzy, query_vocab, list_vocab, batch_size),
                       _initials(query_vocab, list_vocab)])
    preference = pl.col("relation").replace_strict(
        RELATION_PREFERENCE, list(range(len(RELATION_PREFERENCE))), return_dtype=pl.UInt8)
    return pairs.sort(pl.col("similarity"), preference, descending=[True, False]).unique(
        subset=["q_skeleton", "l_skeleton"], keep="first")

