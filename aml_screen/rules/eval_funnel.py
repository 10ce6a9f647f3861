"""Funnel rules: an account collects from many distinct senders and passes most of it on to
a few destinations within the window (a collection or funnel account).

Accounts with fewer distinct senders over the whole batch than ``min_senders``, or that send
nothing, are pruned first, then those with no stretch of time where a window could collect
from ``min_senders`` people without paying more than ``max_destinations`` parties after its
first inflow (``hopeful``, computed on integer account codes): busy merchants and agents,
paying many parties all month, are never windowed. For the rest, windows of the rule's
length start every step (a seventh of it): in each, the distinct senders, the inflow, the
distinct destinations and the outflow sent no earlier than the window's first inflow. The
account fires on its strongest window (most senders, then highest share passed on) among
those where every threshold holds.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from aml_screen.rules.eval_network import account_names, edges_of, without_busy_accounts
from aml_screen.rules.hits import evidence_json, finish
from aml_screen.rules.model import NetworkSpec, Rule
from aml_screen.rules.ordering import by_key_then_time
from aml_screen.schema import RULE_HIT_SCHEMA

MAX_SPREAD_CHECKED = 8
"""Funnels allowing more destinations than this are not pruned (see ``hopeful``)."""


def hopeful(events: pl.DataFrame | pl.LazyFrame, spec: NetworkSpec,
            length: timedelta) -> pl.DataFrame:
    """The ``account``s of ``events`` that may have a firing window.

    A firing window's outflows sent from its first inflow ``f`` on go to at most
    ``max_destinations`` parties, so they never hold a whole "spread":
    ``max_destinations + 1`` consecutive outflows of the account to as many different
    parties. The window thus ends no later than the end ``e`` of the first spread starting
    from ``f`` on, and its inflows are between ``f`` and ``e``. It starts after the inflow
    before ``f`` and not before the account's first event, and it is ``length`` long: if
    that puts its end after ``e``, ``f`` cannot be a firing window's first inflow. An account
    fires only if some inflow ``f`` can, with at least ``min_senders`` inflows (distinct
    senders are fewer) from ``f`` to ``e``. Given lazily, each column of the events is held
    only until it is sorted (``ordering.by_key_then_time``)."""
    width = spec.max_destinations + 1
    if width > MAX_SPREAD_CHECKED:
        return events.lazy().select("account").unique().collect()
    ordered = by_key_then_time(events.lazy().select("account", "party", "at", "inbound"),
                               "account", "at").with_columns(
        _g=(pl.col("account") != pl.col("account").shift(1)).fill_null(value=True).cum_sum())
    same = [pl.col("_g").shift(-k) == pl.col("_g") for k in range(width)]
    ahead = [pl.col("party").shift(-k) for k in range(width)]
    different = [ahead[i] != ahead[j] for i in range(width) for j in range(i + 1, width)]
    spreads = (
        ordered.filter(~pl.col("inbound")).with_columns(_end=pl.col("at").shift(1 - width))
        .filter(pl.all_horizontal(same[-1], *different).fill_null(value=False))
        .select("_g", _start="at", _end="_end")
    )
    # ``_n``: the inflow's number within its account, counted along the sorted rows (a
    # window function's groups would cost hundreds of megabytes at ten million events)
    position = pl.int_range(pl.len(), dtype=pl.Int64)
    same_account = pl.col("_g").shift(1) == pl.col("_g")
    inflows = (
        ordered.filter(pl.col("inbound")).select("_g", "at")
        .with_columns(_n=position - pl.when(~same_account.fill_null(value=False))
                      .then(position).forward_fill(),
                      _previous=pl.when(same_account).then(pl.col("at").shift(1)))
    )
    starts = ordered.group_by("_g").agg(pl.col("account").first(), _first=pl.col("at").min(),
                                        _inflows=pl.col("inbound").sum().cast(pl.Int64))
    del ordered  # the batch's events: freed before the joins below (peak memory)
    unbounded = pl.col("_end").is_null()  # filtered before and after the join: fewer rows
    firsts = (
        inflows.join_asof(spreads, left_on="at", right_on="_start", by="_g",
                          strategy="forward", check_sortedness=False)
        .filter(unbounded | pl.col("_previous").is_null()
                | (pl.col("_end") > pl.col("_previous") + length))
        .join(starts, on="_g")
        .filter(unbounded | (pl.col("_end") >= pl.col("_first") + length))
    )
    del spreads, starts
    through = (
        by_key_then_time(firsts.lazy().drop_nulls("_end").select("_g", "_n", "_end"), "_g",
                         "_end")
        .join_asof(inflows.select("_g", "at", _last="_n"), left_on="_end",
                   right_on="at", by="_g", strategy="backward", check_sortedness=False)
        .select("_g", "_n", _through=pl.col("_last") + 1)
    )
    del inflows
    counted = firsts.join(through, on=["_g", "_n"], how="left").with_columns(
        _through=pl.when(pl.col("_end").is_null()).then("_inflows").otherwise("_through"))
    return counted.filter(pl.col("_through") - pl.col("_n") >= spec.min_senders).select(
        "account").unique()


def _candidates(inflow: pl.LazyFrame, outflow: pl.LazyFrame,
                spec: NetworkSpec) -> pl.LazyFrame:
    """Accounts with ``min_senders`` distinct senders in the batch that send something."""
    return (inflow.group_by("account").agg(pl.col("party").n_unique().alias("n"))
            .filter(pl.col("n") >= spec.min_senders)
            .join(outflow.select("account").unique(), on="account", how="semi")
            .select("account"))


def _hopeful_edges(edges: pl.LazyFrame, spec: NetworkSpec, length: timedelta
                   ) -> tuple[pl.Series, pl.Series]:
    """The ``_row`` of the edges in or out of the accounts that may fire (``hopeful``), and
    those accounts' codes. Accounts are their integer codes here: sorting and grouping
    millions of transfers by account text would cost several times more. Only the events of
    candidate accounts are held while ``hopeful`` runs."""
    coded = edges.select("_row", "at", src="src_code", dst="dst_code")
    inflow = coded.select(account="dst", party="src", at="at", inbound=pl.lit(value=True))
    outflow = coded.select(account="src", party="dst", at="at", inbound=pl.lit(value=False))
    candidates = _candidates(inflow, outflow, spec).collect()
    accounts = hopeful(pl.concat([inflow, outflow]).join(candidates.lazy(), on="account",
                                                         how="semi"),
                       spec, length).get_column("account")
    wanted = accounts.implode()
    rows = coded.filter(pl.col("src").is_in(wanted) | pl.col("dst").is_in(wanted)).select(
        "_row").collect().to_series()
    return rows, accounts


def evaluate_funnel(frame: pl.LazyFrame, rule: Rule) -> pl.DataFrame:
    spec, window = rule.network, rule.window
    assert spec is not None  # noqa: S101  (funnel rules have a spec and a window)
    assert window is not None  # noqa: S101
    all_edges = without_busy_accounts(edges_of(frame, rule), spec.max_account_transfers)
    rows, accounts = _hopeful_edges(all_edges, spec, window.length)
    edges = edges_of(frame.filter(pl.col("_row").is_in(rows.implode())), rule)
    inflow = edges.select(pl.col("dst").alias("account"), pl.col("src").alias("party"),
                          "id", "at", "xof", inbound=pl.lit(value=True), code="dst_code")
    outflow = edges.select(pl.col("src").alias("account"), pl.col("dst").alias("party"),
                           "id", "at", "xof", inbound=pl.lit(value=False), code="src_code")
    # Only the accounts ``hopeful`` kept are windowed: the kept edges hold every transfer
    # of those, but of their counterparties only the transfers with them, a partial view
    # that can look like a funnel when the whole picture is not one.
    events = (pl.concat([inflow, outflow])
              .filter(pl.col("code").is_in(accounts.implode())).drop("code")
              .sort("account", "at"))
    first_in = pl.col("at").filter(pl.col("inbound")).min()
    sent = ~pl.col("inbound") & (pl.col("at") >= first_in)
    windows = (
        events.group_by_dynamic("at", every=window.step, period=window.length,
                                group_by="account", start_by="datapoint")
        .agg(pl.col("party").filter(pl.col("inbound")).n_unique().alias("senders"),
             pl.col("party").filter(sent).n_unique().alias("destinations"),
             pl.col("xof").filter(pl.col("inbound")).sum().alias("in_xof"),
             pl.col("xof").filter(sent).sum().alias("out_xof"),
             pl.col("id").filter(pl.col("inbound") | sent).alias("ids"),
             pl.col("at").filter(pl.col("inbound") | sent).min().alias("window_start"),
             pl.col("at").filter(pl.col("inbound") | sent).max().alias("window_end"))
        .with_columns(share=(pl.col("out_xof").cast(pl.Float64)
                             / pl.col("in_xof").cast(pl.Float64)))
        .filter((pl.col("senders") >= spec.min_senders)
                & pl.col("destinations").is_between(1, spec.max_destinations)
                & (pl.col("share") >= spec.min_outflow_share))
        .sort(["account", "senders", "share"], descending=[False, True, True])
        .group_by("account", maintain_order=True).first()
        .collect()
    )
    if windows.is_empty():
        return pl.DataFrame(schema=RULE_HIT_SCHEMA)
    fired = windows.rename({"account": "_subject"}).with_columns(
        transaction_ids=pl.col("ids").list.unique().list.sort(),
        _subject_type=pl.lit("account"))
    fired = fired.join(account_names(frame, fired.get_column("_subject")), on="_subject",
                       how="left")
    evidence = evidence_json(rule, [
        {"pattern": "funnel", "window": window.text, "min_senders": spec.min_senders,
         "max_destinations": spec.max_destinations,
         "min_outflow_share": spec.min_outflow_share, **r}
        for r in fired.select("senders", "destinations", "in_xof", "out_xof", "share",
                              "window_start", "window_end").iter_rows(named=True)
    ])
    return finish(rule, fired, evidence)
