"""Screening a set of names against a ``ListIndex``: name-level hits with explanations.

Steps: distinct names are normalised and tokenised once (``prepare_queries``); token weights
come from the lists and the batch; the query tokens are compared with the list vocabulary
once per distinct token pair; candidate pairs come from each query's heavy tokens; only
candidates are aligned and scored; name-level adjustments (weak alias, entity type) apply;
explanations are written for hits only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from aml_screen.errors import InputError
from aml_screen.match import adjust
from aml_screen.match.candidates import (
    ListSide,
    brute_force_pairs,
    candidate_pairs,
    list_side,
    reach_sizes,
)
from aml_screen.match.explain import explain, token_rows
from aml_screen.match.index import ListIndex, token_keys, token_vocabulary
from aml_screen.match.scoring import align, edge_bound, name_scores, token_edges
from aml_screen.match.vocabulary import similar_tokens
from aml_screen.match.weights import document_frequencies, token_weights, weigh
from aml_screen.names.normalise import entity_hints, normalise_names
from aml_screen.names.tokens import name_tokens

NAME_HIT_COLUMNS = (
    "party_name", "party_name_normalised", "list_id", "list_version", "entry_id",
    "matched_name", "matched_name_normalised", "name_kind", "entity_type", "programmes",
    "score", "explanation",
)
ENTRY_DETAIL_COLUMNS = ("birth_dates", "nationalities", "countries", "documents", "phones",
                        "topics", "relations")
"""Entry columns returned after ``NAME_HIT_COLUMNS`` for party-level adjustments, and the
entry's topics and relations that hits carry (``screening.party_hits``)."""
CHUNK = 20_000
"""Most query keys scored at a time."""
REACH_ROW_BYTES = 480
"""Peak memory per (probe, list key) row of candidate generation, with the candidate pairs,
token edges and scores it leads to (measured: 0.9 GiB over the index for 2M rows)."""
MEMORY_MIB = 1024
"""Default working memory of matching (the ``match_memory_mib`` setting)."""
ENCODE_MIN = 100_000
"""Fewest reachable list tokens worth encoding as integers before candidate generation
(``_encoded``): joins on a few thousand strings cost less than encoding them (a look-up of
one name)."""
EDGE_BOUND_MIN = 2_000
"""Fewest token edges worth pruning by their score bound before alignment
(``scoring.edge_bound``): the bound only drops pairs that cannot score at the floor, so
aligning a few hundred edges costs less than bounding them first (a look-up of one name)."""
SCORE_SCHEMA = {"query_id": pl.UInt32(), "key_id": pl.UInt32(), "evidence": pl.Float64(),
                "heaviest": pl.Float64(), "name_score": pl.Float64()}
EDGE_SCHEMA = {"query_id": pl.UInt32(), "key_id": pl.UInt32(), "qpos": pl.UInt32(),
               "kpos": pl.UInt32(), "similarity": pl.Float64(), "relation": pl.String()}
"""What scoring gives when no pair is a candidate: no scores, no aligned edges."""


def reach_budget(memory_mib: int) -> int:
    """The reach budget that keeps matching's working memory near ``memory_mib``."""
    return max(1, memory_mib) * 2**20 // REACH_ROW_BYTES


REACH_BUDGET = reach_budget(MEMORY_MIB)
"""Most (probe, list key) rows candidate generation makes at a time (``reach_sizes``).
Queries are taken in batches whose summed reach stays under it, so a list where a few
tokens are held by a large share of its names (a national list of a few common surnames)
costs more time, not more memory. A query that alone exceeds it follows only that many
postings: it is counted in ``MatchStats``."""


@dataclass
class MatchStats:
    """What a matching run reports besides its hits."""

    capped_keys: set[int] = field(default_factory=set)
    """Query keys whose candidates were cut at ``REACH_BUDGET``: recall may be lost on them."""


@dataclass(frozen=True)
class Queries:
    """Distinct names to screen (``party_name``, ``party_name_normalised``, ``query_id``,
    ``entity_hint``), the distinct token keys they reduce to (``query_id`` indexes
    ``keys``) and each key's tokens (``query_id``, ``pos``, ``token``, ``skeleton``,
    ``group``)."""

    names: pl.DataFrame
    keys: list[str]
    tokens: pl.DataFrame

    @property
    def size(self) -> int:
        return len(self.keys)


def prepare_queries(names: pl.Series) -> Queries:
    """Deduplicate, normalise and tokenise ``names`` (duplicates and nulls allowed)."""
    distinct = names.drop_nulls().unique(maintain_order=True).alias("party_name")
    normalised = normalise_names(distinct).alias("party_name_normalised")
    tokens = name_tokens(normalised)
    frame = pl.DataFrame([distinct, normalised]).with_columns(
        entity_hint=entity_hints(distinct), _key=token_keys(tokens, distinct.len(), "token")
    ).with_row_index("_row").filter(pl.col("_key").is_not_null())
    keys = frame.select(pl.col("_key").unique(maintain_order=True)).to_series()
    ids = pl.DataFrame({"_key": keys,
                        "query_id": pl.int_range(keys.len(), dtype=pl.UInt32, eager=True)})
    frame = frame.join(ids, on="_key")
    first_rows = frame.group_by("query_id").agg(pl.col("_row").min())  # first seen
    key_tokens = tokens.join(first_rows, left_on="row", right_on="_row").select(
        "query_id", "pos", "token", "skeleton", "group", "glued")
    return Queries(names=frame.drop("_key", "_row"), keys=keys.to_list(), tokens=key_tokens)


@dataclass(frozen=True)
class BatchStatistics:
    """What a name's score takes from the whole batch rather than from the name itself: in
    how many of the batch's distinct token keys each weight key occurs (``frequencies``,
    ``document_frequencies``), each distinct token with the number of keys holding its
    skeleton (``vocab``, ``token_vocabulary``: which spellings are common, so not typos) and
    the number of distinct keys (``size``). Scoring a share of a batch's names with the
    whole batch's statistics gives the scores of matching the whole batch at once."""

    frequencies: pl.DataFrame
    vocab: pl.DataFrame
    size: int


def batch_statistics(queries: Queries) -> BatchStatistics:
    return BatchStatistics(frequencies=document_frequencies(queries.tokens, "query_id"),
                           vocab=token_vocabulary(queries.tokens, "query_id"),
                           size=queries.size)


def _weighted(queries: Queries, list_tokens: pl.DataFrame, index: ListIndex,
              statistics: BatchStatistics) -> tuple[pl.DataFrame, pl.DataFrame]:
    weights = token_weights(index.frequencies, index.size, statistics.frequencies,
                            statistics.size)
    return weigh(queries.tokens, weights), weigh(list_tokens, weights)


def _reachable(index: ListIndex, token_pairs: pl.DataFrame) -> pl.DataFrame:
    """The tokens of the list keys holding a token some query token is similar to: the
    only keys candidate generation can reach. Weighing, encoding and summing only these
    makes a look-up of a few names cost what those names reach, not the whole list's tokens
    (a single-name match against the UN and OFAC lists: every key's tokens weighed and
    encoded per call). Every posting of a reachable skeleton belongs to a reachable key, so
    candidates and scores are unchanged."""
    holding = index.tokens.filter(pl.col("skeleton").is_in(token_pairs.get_column("l_skeleton")
                                                           .implode()))
    return index.tokens.filter(pl.col("key_id").is_in(holding.get_column("key_id").implode()))


def _encoded(q_tokens: pl.DataFrame, l_tokens: pl.DataFrame, token_pairs: pl.DataFrame
             ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The three frames with tokens and skeletons replaced by integer ids: every join of
    candidate generation and scoring then runs on integers. Token pairs with a skeleton
    the tokens do not hold are dropped, as joins on the ids would drop them."""
    ids = {
        column: pl.concat([q_tokens.get_column(column), l_tokens.get_column(column)]).unique()
        for column in ("token", "skeleton")
    }

    def code(column: str, kind: str) -> pl.Expr:
        return pl.col(column).replace_strict(
            ids[kind], pl.int_range(ids[kind].len(), dtype=pl.UInt32, eager=True), default=None)

    q_coded = q_tokens.with_columns(code("token", "token"), code("skeleton", "skeleton"))
    l_coded = l_tokens.with_columns(code("token", "token"), code("skeleton", "skeleton"))
    pairs = token_pairs.with_columns(code("q_skeleton", "skeleton"),
                                     code("l_skeleton", "skeleton")).drop_nulls(
        ["q_skeleton", "l_skeleton"])
    return q_coded, l_coded, pairs


def _batches(q_coded: pl.DataFrame, side: ListSide, pairs: pl.DataFrame, size: int,
             step: int, budget: int) -> list[tuple[pl.DataFrame, bool]]:
    """The query keys (``query_id`` frames) to score together, in order, each batch holding
    at most ``step`` keys and about ``budget`` reach (see ``REACH_BUDGET``), and whether the
    batch is one key over the budget on its own (capped). The keys are one batch, without
    a look at the list's postings, when even every query token following every list
    posting would stay under the budget (a look-up of a few names)."""
    if size <= step and q_coded.height * side.postings.height < budget:
        return [(pl.DataFrame({"query_id": pl.int_range(size, dtype=pl.UInt32, eager=True)}),
                 False)]
    reach = pl.DataFrame({"query_id": pl.int_range(size, dtype=pl.UInt32, eager=True)}).join(
        reach_sizes(q_coded, side, pairs), on="query_id", how="left", maintain_order="left",
    ).with_columns(pl.col("reach").fill_null(0))
    over = pl.col("reach") > budget
    # Both parts of the key only grow with query_id, so each batch is a run of keys; a key
    # over the budget is a batch of its own.
    numbered = reach.with_columns(
        alone=pl.when(over).then(pl.col("query_id").cast(pl.Int64)).otherwise(-1),
        spent=pl.when(over).then(0).otherwise(pl.col("reach")).cum_sum() // budget,
        part=pl.col("query_id") // step,
        capped=over,
    )
    return [(group.select("query_id"), bool(group.item(0, "capped")))
            for _, group in numbered.group_by("alone", "spent", "part", maintain_order=True)]


def score_pairs(queries: Queries, index: ListIndex, floor: float, *,
                on_progress: Callable[[int], None] | None = None, exhaustive: bool = False,
                statistics: BatchStatistics | None = None, budget: int = REACH_BUDGET,
                stats: MatchStats | None = None,
                ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Name scores of every candidate pair scoring at least ``floor`` (``query_id``,
    ``key_id``, ``evidence``, ``name_score``), their aligned token edges, and the weighted
    query and list tokens. ``exhaustive`` scores every pair sharing a matching token instead
    of the candidates (slow: to measure what candidate generation loses). ``statistics``:
    those of the batch ``queries`` are part of (default: ``queries`` are the whole batch)."""
    if statistics is None:
        statistics = batch_statistics(queries)
        vocab = statistics.vocab
    else:  # the batch's tokens that these queries hold, with the batch's counts
        vocab = statistics.vocab.join(queries.tokens.select("skeleton").unique(),
                                      on="skeleton", how="semi")
    token_pairs = similar_tokens(vocab, index.vocab, index.deletions, statistics.size)
    q_tokens, l_tokens = _weighted(queries, _reachable(index, token_pairs), index, statistics)
    q_coded, l_coded, pairs_coded = (_encoded(q_tokens, l_tokens, token_pairs)
                                     if l_tokens.height >= ENCODE_MIN
                                     else (q_tokens, l_tokens, token_pairs))
    l_totals = l_tokens.group_by("key_id").agg(l_total=pl.col("weight").sum(),
                                                l_weights=pl.col("weight").sort_by("pos"))
    scores: list[pl.DataFrame] = []
    edges: list[pl.DataFrame] = []
    step = CHUNK // 10 if exhaustive else CHUNK
    side = list_side(l_coded, l_totals)
    for keys, capped in _batches(q_coded, side, pairs_coded, queries.size, step, budget):
        chunk = (q_coded if keys.height == queries.size
                 else q_coded.join(keys, on="query_id", how="semi"))
        q_totals = chunk.group_by("query_id").agg(q_total=pl.col("weight").sum())
        pairs = (brute_force_pairs(chunk, side, pairs_coded) if exhaustive
                 else candidate_pairs(chunk, side, pairs_coded, q_totals, floor,
                                      max_reach=budget if capped else None))
        if capped and stats is not None:
            stats.capped_keys.update(keys.get_column("query_id").to_list())
        if not pairs.is_empty():
            matched = token_edges(pairs, chunk, l_coded, pairs_coded)
            if matched.height > EDGE_BOUND_MIN:
                matched = edge_bound(matched, q_totals, l_totals, floor)
            aligned = align(matched)
            found = name_scores(aligned, q_totals, l_totals).filter(
                pl.col("name_score") >= floor)
            scores.append(found)
            edges.append(aligned.join(found.select("query_id", "key_id"),
                                      on=["query_id", "key_id"]))
        if on_progress:
            on_progress(keys.height)
    if not scores:
        return (pl.DataFrame(schema=SCORE_SCHEMA), pl.DataFrame(schema=EDGE_SCHEMA), q_tokens,
                l_tokens)
    return pl.concat(scores), pl.concat(edges), q_tokens, l_tokens


def _tokens_by(tokens: pl.DataFrame, owner: str, owners: pl.Series
               ) -> dict[int, list[tuple[str, float]]]:
    """(token, weight) in position order of each of ``owners`` (``query_id``/``key_id``)."""
    held: dict[int, list[tuple[str, float]]] = {}
    for row in tokens.filter(pl.col(owner).is_in(owners.implode())).sort(owner, "pos").iter_rows(
            named=True):
        held.setdefault(row[owner], []).append((row["token"], row["weight"]))
    return held


def _explanations(hits: pl.DataFrame, edges: pl.DataFrame, q_tokens: pl.DataFrame,
                  l_tokens: pl.DataFrame) -> pl.Series:
    pairs = hits.select("query_id", "key_id")
    queries = _tokens_by(q_tokens, "query_id", pairs.get_column("query_id"))
    keys = _tokens_by(l_tokens, "key_id", pairs.get_column("key_id"))
    aligned: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for q_id, k_id, qpos, kpos, similarity, relation in edges.join(
            pairs.unique(), on=["query_id", "key_id"], how="semi").select(
            "query_id", "key_id", "qpos", "kpos", "similarity", "relation").iter_rows():
        aligned.setdefault((q_id, k_id), []).append(
            {"qpos": qpos, "kpos": kpos, "similarity": similarity, "relation": relation})
    return pl.Series([
        explain(qn, ln, score, name_score=ns,
                tokens=token_rows(queries[q_id], keys[k_id], aligned.get((q_id, k_id), [])),
                adjustments={"low_information": round(li, 1), "weak_alias": wa,
                             "entity_type": et})
        for q_id, k_id, qn, ln, score, ns, li, wa, et in hits.select(
            "query_id", "key_id", "party_name_normalised", "name_normalised", "score",
            "name_score", "low_information", "weak_alias", "entity_type_points").iter_rows()
    ], dtype=pl.String)


def match_queries(
    queries: Queries,
    index: ListIndex,
    threshold: float,
    *,
    on_progress: Callable[[int], None] | None = None,
    statistics: BatchStatistics | None = None,
    budget: int = REACH_BUDGET,
    stats: MatchStats | None = None,
) -> pl.DataFrame:
    """Every (name, list name) pair scoring at least ``threshold``, one row per list name:
    ``NAME_HIT_COLUMNS`` then the entry's ``ENTRY_DETAIL_COLUMNS``.

    ``on_progress`` receives counts of query keys scored (their total is ``queries.size``).
    ``statistics``: when ``queries`` are a share of a batch, the whole batch's (see
    ``BatchStatistics``), so that the share's names get the batch's scores. ``budget``
    bounds memory (``REACH_BUDGET``); keys capped by it are added to ``stats``.
    """
    if not 0 <= threshold <= 100:
        raise InputError("matching.threshold_out_of_range", threshold=threshold)
    # Name-level adjustments only lower scores: pairs under the threshold cannot hit.
    scores, edges, q_tokens, l_tokens = score_pairs(queries, index, threshold,
                                                    on_progress=on_progress,
                                                    statistics=statistics, budget=budget,
                                                    stats=stats)
    hits = (
        scores.join(queries.names, on="query_id").join(index.names, on="key_id")
        .with_columns(low_information=adjust.low_information(pl.col("evidence"),
                                                             pl.col("heaviest")),
                      weak_alias=adjust.weak_alias(pl.col("name_kind")),
                      entity_type_points=adjust.entity_type(pl.col("entity_hint"),
                                                            pl.col("entity_type")))
        .with_columns(score=(pl.col("name_score") + pl.col("low_information")
                             + pl.col("weak_alias") + pl.col("entity_type_points"))
                      .clip(0, 100).round(1))
        .filter(pl.col("score") >= threshold)
    )
    hits = hits.with_columns(explanation=_explanations(hits, edges, q_tokens, l_tokens)
                             if hits.height else pl.lit(None, dtype=pl.String))
    return hits.rename({"name": "matched_name", "name_normalised": "matched_name_normalised"}
                       ).select(*NAME_HIT_COLUMNS, *ENTRY_DETAIL_COLUMNS)


def match_names(names: pl.Series, index: ListIndex, threshold: float) -> pl.DataFrame:
    """``match_queries(prepare_queries(names), ...)`` for callers without progress reporting."""
    return match_queries(prepare_queries(names), index, threshold)
