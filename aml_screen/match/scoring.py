"""The token-weighted name score (0-100) of candidate (query, list key) pairs.

Tokens of the two names are aligned one to one, best pairs first (similarity, then weight,
then closeness of position, so word order does not matter). The score is a weighted Dice
coefficient: the similarity-weighted weight of the aligned tokens over the weight of all
tokens (an initial is credited with its own weight only: "M" says little of "Mokhtar"),
where a token left without a partner counts ``UNMATCHED_QUERY`` or
``UNMATCHED_LIST`` of its weight (``UNMATCHED_MIDDLE`` between two paired list tokens).
List names carry more parts (father's and grandfather's names) than a bank record keeps,
so a list token left over costs less than a query token left over; and because weights are
rare-token-heavy, a missing "Mohamed" costs little while a missing "Belmokhtar" sinks the
score.
"""

from __future__ import annotations

import polars as pl

TRANSCRIPTION = 0.95
"""Similarity of tokens with one skeleton but another spelling (Ghaly / Ghali): below the
same spelling, so that scores rank the exact name first."""
MULTI_TYPO = 0.85
"""Factor on each typo's similarity when the names pair two typos or more: one slip of the
pen is common, a name that only comes close through several is another name (Sabih Akar
is not Saati Ammar)."""
UNMATCHED_QUERY = 1.0
UNMATCHED_LIST = 0.35
UNMATCHED_MIDDLE = 0.2
"""A list token left over between two paired ones (Ahmad Mahmood Hassan written Ahmad
Hassan): a middle name, which banks drop most often, costs less than one left over at
either end."""
PAIR = ["query_id", "key_id"]
BOUND_TOLERANCE = 1e-6
"""Slack for rounding when a bound is compared with the floor: a pair scoring exactly the
floor is kept."""


def token_edges(pairs: pl.DataFrame, q_tokens: pl.DataFrame, l_tokens: pl.DataFrame,
                token_pairs: pl.DataFrame) -> pl.DataFrame:
    """Every (query token, list token) that match within each candidate pair."""
    edges = (
        pairs.join(q_tokens.select("query_id", pl.col("token").alias("q_token"), qpos="pos",
                                   q_skeleton="skeleton", q_weight="weight"), on="query_id")
        .join(l_tokens.select("key_id", pl.col("token").alias("l_token"), kpos="pos",
                              l_skeleton="skeleton", l_weight="weight"), on="key_id")
        .join(token_pairs, on=["q_skeleton", "l_skeleton"])
    )
    respelled = (pl.col("relation") == "same") & (pl.col("q_token") != pl.col("l_token"))
    # A misspelt (or glued) token is often unknown to the lists and so looks rare: it weighs
    # what the list token it stands for weighs.
    return edges.select(
        pl.exclude("q_token", "l_token", "similarity", "relation"),
        similarity=pl.when(respelled).then(pl.lit(TRANSCRIPTION)).otherwise("similarity"),
        relation=pl.when(respelled).then(pl.lit("transcription")).otherwise("relation"),
        q_credit=pl.when(pl.col("relation").is_in(["typo", "joined"])).then("l_weight")
        .otherwise("q_weight"),
    )


def edge_bound(edges: pl.DataFrame, q_totals: pl.DataFrame, l_totals: pl.DataFrame,
               floor: float) -> pl.DataFrame:
    """``edges`` less those of pairs whose ``name_scores`` cannot reach ``floor`` whatever
    the alignment: most candidates share one probed token with the query and nothing else,
    and aligning them (sorts over every edge) is the dearest step of matching.

    The bound holds for every one-to-one alignment of a pair's edges: the paired weight is
    at most the sum of each edge's query credit and list weight (``paired``); the query
    tokens left over weigh at least those without an edge (``UNMATCHED_QUERY`` each), the
    list tokens left over at least those without an edge (``UNMATCHED_MIDDLE`` at least).
    Since similarity ≤ 1 and slack ≥ 0, a score is at most ``paired / (paired + left
    over)``, which grows with ``paired`` and falls with what is left over. Sums run over
    edges, not tokens: a token with several edges counts each time, which only loosens the
    bound, and spares a grouping per token (most pairs have one edge).
    ``q_totals``: ``query_id``, ``q_total``; ``l_totals``: ``key_id``, ``l_total``."""
    paired = pl.col("paired")
    left = (UNMATCHED_QUERY * (pl.col("q_total") - pl.col("q_reached"))
            + UNMATCHED_MIDDLE * (pl.col("l_total") - pl.col("l_reached"))).clip(lower_bound=0)
    kept = (
        edges.lazy().group_by(PAIR).agg(paired=(pl.col("q_credit") + pl.col("l_weight")).sum(),
                                        q_reached=pl.col("q_weight").sum(),
                                        l_reached=pl.col("l_weight").sum())
        .join(q_totals.lazy(), on="query_id")
        .join(l_totals.lazy().select("key_id", "l_total"), on="key_id")
        .filter(100 * paired / (paired + left) >= floor - BOUND_TOLERANCE).select(PAIR)
    )
    return edges.lazy().join(kept, on=PAIR, how="semi").collect()


def _best(edges: pl.DataFrame) -> pl.DataFrame:
    """The edges that are the best choice of both their tokens. The order is total (ties
    go to the earlier tokens): a name with a repeated token (Ibrahim Sabawi Ibrahim) would
    otherwise pair with either copy, and score differently, depending on the order joins
    happened to leave the edges in."""
    ranked = edges.sort(
        ["similarity", "pair_weight", "distance", "qpos", "kpos", "relation"],
        descending=[True, True, False, False, False, False],
    )
    mutual = (pl.struct(*PAIR, "qpos").is_first_distinct()
              & pl.struct(*PAIR, "kpos").is_first_distinct())
    return ranked.filter(mutual)


def align(edges: pl.DataFrame, rounds: int = 3) -> pl.DataFrame:
    """One-to-one token alignment per pair: edges that are each other's best choice are
    kept, their tokens taken out, and the rest aligned again (``rounds`` times); then typos
    are discounted (``MULTI_TYPO``) in pairs that hold several."""
    initial = pl.col("relation").is_in(["initial", "listed_initial"])
    left = edges.with_columns(
        pair_weight=pl.when(initial)
        .then(2 * pl.min_horizontal("q_credit", "l_weight"))
        .otherwise(pl.col("q_credit") + pl.col("l_weight")),
        distance=(pl.col("qpos").cast(pl.Int64) - pl.col("kpos").cast(pl.Int64)).abs(),
    )
    kept: list[pl.DataFrame] = []
    for _ in range(rounds):
        if left.is_empty():
            break
        best = _best(left)
        kept.append(best)
        left = left.join(best, on=[*PAIR, "qpos"], how="anti").join(best, on=[*PAIR, "kpos"],
                                                                    how="anti")
    if not kept:
        return left
    typo = pl.col("relation") == "typo"

    def span(pos: str) -> pl.Expr:
        return (pl.col(pos).filter(typo).max() - pl.col(pos).filter(typo).min()).over(PAIR)

    # Two typos side by side on both names, in the same order, are one slip across the
    # space between two words (Tayeb Nail → Taye Bnail), not two. Crossed over (Mecit Seven
    # against Tavan Resit) they are two names that each come close to another.
    count = typo.sum().over(PAIR)
    shift = pl.col("qpos").cast(pl.Int64) - pl.col("kpos").cast(pl.Int64)
    in_order = shift.filter(typo).n_unique().over(PAIR) == 1
    one_slip = (count == 2) & (span("qpos") == 1) & (span("kpos") == 1) & in_order
    return pl.concat(kept).with_columns(
        similarity=pl.when(typo & (count > 1) & ~one_slip)
        .then(pl.col("similarity") * MULTI_TYPO).otherwise("similarity"))


def name_scores(aligned: pl.DataFrame, q_totals: pl.DataFrame,
                l_totals: pl.DataFrame) -> pl.DataFrame:
    """(``query_id``, ``key_id``, ``evidence``, ``heaviest``, ``name_score``) from aligned
    edges; totals hold each name's summed token weight (``q_total``, ``l_total``) and the
    list names' token weights in order (``l_weights``).
    ``evidence`` is the weight both names share (similarity × the lighter token's weight,
    summed): how much the match says, whatever the share of the names it covers;
    ``heaviest`` the weight of the rarest token pair."""
    sums = aligned.group_by(PAIR).agg(
        credit=(pl.col("similarity") * pl.col("pair_weight")).sum(),
        paired=pl.col("pair_weight").sum(),
        # An initial is credited with the lighter weight only; the rest of the full token's
        # weight counts as unmatched ("Cisse" is not "S").
        slack=(pl.col("q_credit") + pl.col("l_weight") - pl.col("pair_weight")).sum(),
        q_matched=pl.col("q_weight").sum(),
        l_matched=pl.col("l_weight").sum(),
        strong=(~pl.col("relation").is_in(["initial", "listed_initial"])).any(),
        evidence=(pl.col("similarity") * pl.min_horizontal("q_credit", "l_weight")).sum(),
        heaviest=pl.min_horizontal("q_credit", "l_weight").max(),
        kmin=pl.col("kpos").min(), kmax=pl.col("kpos").max(),
        inner=pl.col("l_weight").filter((pl.col("kpos") > pl.col("kpos").min())
                                        & (pl.col("kpos") < pl.col("kpos").max())).sum(),
    ).filter("strong")
    sums = sums.join(q_totals, on="query_id").join(l_totals, on="key_id")
    # The list tokens left over between the first and the last list token paired: middle
    # names (a father's, a grandfather's) that bank records leave out.
    span = (pl.col("kmax") - pl.col("kmin") - 1).clip(lower_bound=0)
    middle = (pl.col("l_weights").list.slice(pl.col("kmin") + 1, span).list.sum()
              - pl.col("inner")).clip(lower_bound=0)
    denominator = (
        pl.col("paired") + pl.col("slack")
        + UNMATCHED_QUERY * (pl.col("q_total") - pl.col("q_matched"))
        + UNMATCHED_LIST * (pl.col("l_total") - pl.col("l_matched") - middle)
        + UNMATCHED_MIDDLE * middle
    )
    return sums.select(*PAIR, "evidence", "heaviest",
                       name_score=(100 * pl.col("credit") / denominator).clip(0, 100))
