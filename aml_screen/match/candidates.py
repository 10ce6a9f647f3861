"""Candidate generation: which (query, list key) pairs are worth scoring at all.

A pair can only score well if the query's informative tokens match. Each query is probed
with its heaviest tokens, those that together hold ``PREFIX_SHARE`` of its weight (a
weighted prefix filter): a list key matching none of them shares at most the remaining,
light part of the query. Probes go through the token similarity table (same skeleton,
given-name equivalents, typos) to the keys holding each list token, so the cost grows with
the number of distinct names and their rare tokens, not with names × list size.

A key reached through some probes only is then dropped when even a perfect match of all
its other tokens could not lift it to the floor (the query's heavy tokens it misses are
known at this point, ``score_bound``). A query whose probes find nothing is probed again
with its other tokens whenever they could still carry it to the floor, so that no name is
dropped just because its heavy tokens are unknown to the lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from aml_screen.match.scoring import UNMATCHED_MIDDLE, UNMATCHED_QUERY

PREFIX_SHARE = 0.6
PROBE_MIN_WEIGHT = 4.5
"""A token this light (held by some 300 list names or more) is not followed to its list
names when the query has a heavier one: a list name sharing only such tokens with the
query cannot score well against it."""
REACH_SLACK = 1.5


@dataclass(frozen=True)
class ListSide:
    """What candidate generation reads from the list tokens (``key_id``, ``skeleton``,
    ``weight``): each (skeleton, key) posting once with its weight (``postings``:
    ``skeleton``, ``key_id``, ``l_weight``) and each key's summed weight (``totals``:
    ``key_id``, ``l_total``). Derived once per matching run: a batch of queries that
    derived them anew went over every reachable list token again (a million rows for a
    300,000-name list), whatever few keys it reached."""

    postings: pl.DataFrame
    totals: pl.DataFrame


def list_side(l_tokens: pl.DataFrame, totals: pl.DataFrame) -> ListSide:
    """The list side of ``l_tokens``, whose keys' summed weights are ``totals`` (``key_id``,
    ``l_total``, as scoring sums them)."""
    return ListSide(
        postings=l_tokens.select("skeleton", "key_id", l_weight="weight").unique(
            subset=["skeleton", "key_id"]),
        totals=totals.select("key_id", "l_total"),
    )


def probe_tokens(q_tokens: pl.DataFrame, share: float = PREFIX_SHARE) -> pl.DataFrame:
    """The heaviest tokens of each query covering ``share`` of its total weight, less those
    lighter than ``PROBE_MIN_WEIGHT`` (Mohamed, Ali: thousands of list names each) unless
    the query has nothing heavier."""
    ranked = q_tokens.sort(["query_id", "weight", "pos"], descending=[False, True, False])
    heavier = pl.col("weight").cum_sum().over("query_id") - pl.col("weight")
    first = pl.int_range(pl.len()).over("query_id") == 0
    return ranked.filter((heavier < share * pl.col("weight").sum().over("query_id"))
                         & (first | (pl.col("weight") >= PROBE_MIN_WEIGHT)))


def probe_pairs(token_pairs: pl.DataFrame) -> pl.DataFrame:
    """The token pairs probes follow: all but initials (``M`` would reach every list name
    with a token in M, and an initial alone identifies nobody)."""
    return token_pairs.filter(~pl.col("relation").is_in(["initial", "listed_initial"]))


def score_bound(q_total: pl.Expr, missed: pl.Expr, l_total: pl.Expr,
                l_reachable: pl.Expr) -> pl.Expr:
    """Highest score (0-100) a pair can reach when the query's tokens of weight ``missed``
    have no partner and at most ``l_reachable`` of the list name's weight can be paired:
    every other token matched perfectly (and each list token left over as cheap as a middle
    name)."""
    l_matched = pl.min_horizontal(l_total, l_reachable)
    matched = q_total - missed + l_matched
    return 100 * matched / (matched + UNMATCHED_QUERY * missed
                            + UNMATCHED_MIDDLE * (l_total - l_matched))


def reach_sizes(q_tokens: pl.DataFrame, side: ListSide, token_pairs: pl.DataFrame,
                share: float = PREFIX_SHARE) -> pl.DataFrame:
    """(``query_id``, ``reach``): how many (probe, list key) rows candidate generation
    makes for each query, from the list's posting counts alone (nothing is joined per key).
    What one batch of queries costs in memory grows with the sum of these: a token held by
    a large share of the list names (a common surname in a national list) reaches every
    one of them."""
    postings = side.postings.group_by("skeleton").agg(keys=pl.len())
    return (
        probe_tokens(q_tokens, share).select("query_id", "skeleton")
        .join(probe_pairs(token_pairs).select("q_skeleton", "l_skeleton"),
              left_on="skeleton", right_on="q_skeleton")
        .join(postings, left_on="l_skeleton", right_on="skeleton")
        .group_by("query_id").agg(reach=pl.col("keys").sum())
    )


def _reach(probes: pl.DataFrame, followed: pl.DataFrame, side: ListSide,
           max_reach: int | None = None) -> pl.DataFrame:
    """(query_id, key_id, probed, l_probed): keys reached, the query weight that reached
    them and the weight of the list tokens reached (one per query token). ``max_reach``
    caps the list postings followed (the query is then counted as capped by the caller)."""
    postings = side.postings
    if max_reach is not None:
        wanted = followed.join(probes, left_on="q_skeleton", right_on="skeleton", how="semi")
        postings = postings.join(wanted.select("l_skeleton").unique(), left_on="skeleton",
                                 right_on="l_skeleton", how="semi").sort(
            "skeleton", "key_id").head(max_reach)
    # A query token reaching several tokens of one list name counts once, with the
    # heaviest of them: the bound must hold whichever it pairs with (and not depend on
    # which row a deduplication keeps). That is settled per probe skeleton, before the
    # probes are joined: a batch's queries share most of their probe skeletons (a common
    # surname), so there are far fewer (skeleton, key) rows than (probe, key) rows.
    by_skeleton = (
        followed.select("q_skeleton", "l_skeleton")
        .join(probes, left_on="q_skeleton", right_on="skeleton", how="semi")
        .join(postings, left_on="l_skeleton", right_on="skeleton")
        .group_by("q_skeleton", "key_id").agg(pl.col("l_weight").max())
    )
    # Probes are one row per (query, position), so each reached key is counted once per
    # query token.
    return (
        probes.select("query_id", "skeleton", "weight")
        .join(by_skeleton, left_on="skeleton", right_on="q_skeleton")
        .group_by("query_id", "key_id").agg(probed=pl.col("weight").sum(),
                                            l_probed=pl.col("l_weight").sum())
    )


def _pairs(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col("query_id").cast(pl.UInt32), pl.col("key_id").cast(pl.UInt32))


def candidate_pairs(q_tokens: pl.DataFrame, side: ListSide, token_pairs: pl.DataFrame,
                    q_totals: pl.DataFrame, floor: float = 0.0, share: float = PREFIX_SHARE,
                    max_reach: int | None = None) -> pl.DataFrame:
    """Distinct (``query_id``, ``key_id``) pairs to score. ``q_tokens`` has ``query_id``,
    ``pos``, ``skeleton``, ``weight``; ``side`` the list's (``list_side``); ``q_totals``
    each query's summed weight (``query_id``, ``q_total``). ``max_reach`` (for a query
    that alone exceeds the memory budget) follows at most that many list postings."""
    followed = probe_pairs(token_pairs)
    probes = probe_tokens(q_tokens, share)
    found = _reach(probes, followed, side, max_reach)
    totals = q_totals.join(probes.group_by("query_id").agg(probe_total=pl.col("weight").sum()),
                           on="query_id")
    # A query whose probes reach nothing is probed with its other tokens too, unless even
    # a perfect match of those could not reach the floor.
    unprobed = pl.col("q_total") - pl.col("probe_total")
    retry = totals.join(found, on="query_id", how="anti").filter(
        100 * 2 * unprobed / (2 * unprobed + UNMATCHED_QUERY * pl.col("probe_total")) >= floor)
    if not retry.is_empty():
        more = q_tokens.join(retry.select("query_id"), on="query_id").join(
            probes, on=["query_id", "pos"], how="anti")
        found = pl.concat([found, _reach(more, followed, side, max_reach)]).group_by(
            "query_id", "key_id").agg(pl.col("probed", "l_probed").sum())
        probes = pl.concat([probes, more])
        totals = q_totals.join(
            probes.group_by("query_id").agg(probe_total=pl.col("weight").sum()), on="query_id")
    # The query's tokens left out of the probes can pair with list tokens of about their
    # own weight (equivalent names share a weight; a typo takes its list token's).
    bound = score_bound(pl.col("q_total"), pl.col("probe_total") - pl.col("probed"),
                        pl.col("l_total"),
                        pl.col("l_probed") + REACH_SLACK * (pl.col("q_total")
                                                            - pl.col("probe_total")))
    return _pairs(found.join(totals, on="query_id").join(side.totals, on="key_id")
                  .filter(bound >= floor))


def brute_force_pairs(q_tokens: pl.DataFrame, side: ListSide,
                      token_pairs: pl.DataFrame) -> pl.DataFrame:
    """Every pair sharing at least one matching token: the pairs an exhaustive comparison
    could score above zero, for measuring what candidate generation loses."""
    return _pairs(_reach(q_tokens, probe_pairs(token_pairs), side))
