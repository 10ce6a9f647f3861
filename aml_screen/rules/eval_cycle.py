"""Cycle rules: money leaving an account returns to it through 2 to ``max_hops`` transfers.

Accounts that cannot be on a cycle (no incoming or no outgoing edge) are pruned first,
repeatedly, since removing one can strand another. Paths are then grown one hop at a time
by a polars self-join of the edges on the path's last account and the amount's bucket: the
next transfer is no earlier than the previous one (batches often record the day only),
within the window of the first, with an amount within the tolerance of the previous one,
to an account not yet on the path. Two half-length paths meeting at both ends make a cycle.
Every account on a cycle gets a hit carrying the cycles it is on.
"""

from __future__ import annotations

import math

import polars as pl

from aml_screen.rules.eval_network import account_names, edges_of, without_busy_accounts
from aml_screen.rules.hits import evidence_json, finish
from aml_screen.rules.model import Rule
from aml_screen.schema import RULE_HIT_SCHEMA

MAX_CYCLES_SHOWN = 5


def prune_edges(edges: pl.DataFrame, max_transfers: int | None = None) -> pl.DataFrame:
    """``edges`` whose sender receives and whose receiver sends, until nothing changes;
    first, with ``max_transfers``, without the accounts having more edges than that."""
    edges = without_busy_accounts(edges.lazy(), max_transfers).collect()
    while True:
        kept = edges.filter(
            pl.col("src_code").is_in(edges.get_column("dst_code").unique().implode())
            & pl.col("dst_code").is_in(edges.get_column("src_code").unique().implode()))
        if kept.height == edges.height:
            return kept
        edges = kept


def amount_bucket(tolerance: float) -> pl.Expr:
    """The amount's bucket on a log scale of step ``1 + tolerance``: amounts within the
    tolerance of each other are at most one bucket apart, so a hop's successor is looked
    up by (account, bucket - 1 | bucket | bucket + 1) rather than among all the account's
    transfers."""
    step = math.log1p(max(tolerance, 1e-6))
    return (pl.col("xof").cast(pl.Float64).log() / step).floor().cast(pl.Int64)


def _paths_of_one_hop(edges: pl.LazyFrame) -> pl.LazyFrame:
    return edges.select(
        pl.col("src").alias("origin"), pl.col("dst").alias("cur"),
        pl.col("at").alias("start_at"), pl.col("at").alias("last_at"),
        pl.col("xof").alias("first_xof"), pl.col("b").alias("first_b"),
        pl.col("xof").alias("last_xof"), pl.col("b").alias("last_b"),
        pl.concat_list("src", "dst").alias("path"), pl.concat_list("id").alias("ids"),
        pl.concat_list("xof").alias("amounts"), pl.concat_list("at").alias("times"))


def _next_hop_ok(rule: Rule, at: str, xof: str) -> pl.Expr:
    """The transfer (``at``, ``xof``) may follow the path's last one."""
    assert rule.network is not None  # noqa: S101
    assert rule.window is not None  # noqa: S101
    return ((pl.col(at) >= pl.col("last_at"))
            & (pl.col(at) <= pl.col("start_at") + rule.window.length)
            & ((pl.col(xof) - pl.col("last_xof")).abs().cast(pl.Float64)
               <= pl.col("last_xof").cast(pl.Float64) * rule.network.tolerance))


def _extend(paths: pl.LazyFrame, edges: pl.LazyFrame, rule: Rule) -> pl.LazyFrame:
    """Paths one hop longer, never revisiting an account."""
    hops = edges.select(pl.col("src").alias("cur"), pl.col("b").alias("_b"), "dst", "id",
                        "at", "xof", "b")
    grown = [paths.with_columns(_b=pl.col("last_b") + shift).join(hops, on=["cur", "_b"])
             for shift in (-1, 0, 1)]
    return pl.concat(grown).filter(
        _next_hop_ok(rule, "at", "xof") & ~pl.col("path").list.contains(pl.col("dst"))
    ).select(
        "origin", pl.col("dst").alias("cur"), "start_at", pl.col("at").alias("last_at"),
        "first_xof", "first_b", pl.col("xof").alias("last_xof"), pl.col("b").alias("last_b"),
        pl.col("path").list.concat(pl.concat_list("dst")),
        pl.col("ids").list.concat(pl.concat_list("id")),
        pl.col("amounts").list.concat(pl.concat_list("xof")),
        pl.col("times").list.concat(pl.concat_list("at")))


def _close(first: pl.DataFrame, second: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    """Cycles made of a path ``first`` (origin to m) then a path ``second`` (m back to the
    origin) meeting every hop condition where they join, sharing no other account."""
    back = second.lazy().select(
        pl.col("origin").alias("cur"), pl.col("cur").alias("origin"),
        pl.col("first_b").alias("_b"), pl.col("start_at").alias("b_start"),
        pl.col("last_at").alias("b_end"), pl.col("first_xof").alias("b_xof"),
        pl.col("path").alias("b_path"), pl.col("ids").alias("b_ids"),
        pl.col("amounts").alias("b_amounts"), pl.col("times").alias("b_times"))
    assert rule.window is not None  # noqa: S101
    joined = [first.lazy().with_columns(_b=pl.col("last_b") + shift)
              .join(back, on=["cur", "origin", "_b"]) for shift in (-1, 0, 1)]
    return pl.concat(joined).filter(
        _next_hop_ok(rule, "b_start", "b_xof")
        & (pl.col("b_end") <= pl.col("start_at") + rule.window.length)
        & (pl.col("path").list.set_intersection("b_path").list.len() == 2)
    ).select(
        pl.col("path").list.concat(pl.col("b_path").list.slice(1)),
        pl.col("ids").list.concat("b_ids"), pl.col("amounts").list.concat("b_amounts"),
        pl.col("times").list.concat("b_times")).collect()


def find_cycles(edges: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    """One row per cycle: ``path`` (accounts, the first repeated at the end), ``ids``,
    ``amounts``, ``times``.

    Meet in the middle: a cycle of n hops is a path of ceil(n/2) hops from an account to
    some m joined, on (m, the account), to a path of floor(n/2) hops from m back to it, so
    paths are never grown past half the longest cycle."""
    spec = rule.network
    assert spec is not None  # noqa: S101  (cycle rules have a spec)
    pruned = prune_edges(edges, spec.max_account_transfers).lazy().with_columns(
        b=amount_bucket(spec.tolerance))
    paths = {1: _paths_of_one_hop(pruned).collect()}
    for length in range(2, (spec.max_hops + 1) // 2 + 1):
        paths[length] = _extend(paths[length - 1].lazy(), pruned, rule).collect()
    found = [_close(paths[(n + 1) // 2], paths[n // 2], rule)
             for n in range(spec.min_hops, spec.max_hops + 1)]
    cycles = pl.concat(found).with_columns(_key=pl.col("ids").list.sort().list.join(","))
    return cycles.unique(subset="_key", keep="first", maintain_order=True).drop("_key")


def evaluate_cycle(frame: pl.LazyFrame, rule: Rule) -> pl.DataFrame:
    assert rule.network is not None  # noqa: S101
    cycles = find_cycles(edges_of(frame, rule).collect(), rule)
    if cycles.is_empty():
        return pl.DataFrame(schema=RULE_HIT_SCHEMA)
    members = (
        cycles.with_columns(hops=pl.col("ids").list.len(),
                            start=pl.col("times").list.first(), end=pl.col("times").list.last())
        .with_columns(_subject=pl.col("path").list.head(pl.col("hops")))
        .explode("_subject")
        .sort("start", "_subject")
        .group_by("_subject", maintain_order=True)
        .agg(pl.col("ids").explode().unique().sort().alias("transaction_ids"),
             pl.col("start").min().alias("window_start"),
             pl.col("end").max().alias("window_end"),
             pl.len().alias("cycles"),
             pl.struct("path", "ids", "amounts", "times").head(MAX_CYCLES_SHOWN)
             .alias("examples"))
    )
    fired = members.join(account_names(frame, members.get_column("_subject")),
                         on="_subject", how="left").with_columns(
        _subject_type=pl.lit("account"))
    spec = rule.network
    evidence = evidence_json(rule, [
        {"pattern": "cycle", "window": rule.window.text if rule.window else None,
         "min_hops": spec.min_hops, "max_hops": spec.max_hops,
         "amount_tolerance": spec.tolerance, "cycles": r["cycles"],
         "first_cycles": [{"accounts": c["path"], "transaction_ids": c["ids"],
                           "amounts_xof": c["amounts"], "times": c["times"]}
                          for c in r["examples"]]}
        for r in fired.select("cycles", "examples").iter_rows(named=True)
    ])
    return finish(rule, fired, evidence)
