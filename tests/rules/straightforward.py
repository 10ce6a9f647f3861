"""The straightforward evaluation of aggregate and funnel rules, the oracle the optimised
engine is checked against: each rule alone, over every subject and every window, with no
pruning and no plan shared with other rules. Slow on a large batch; exact by construction.

Aggregate hits are built from the fired windows by the engine's own ``_hits`` (episodes,
evidence), so that a difference can only come from which windows fire: what the pruning and
the shared plans change."""

from __future__ import annotations

import polars as pl

from aml_screen.rules import eval_aggregate as agg
from aml_screen.rules.derived import code_name
from aml_screen.rules.eval_network import account_names, edges_of, without_busy_accounts
from aml_screen.rules.hits import evidence_json, finish, subject_exprs
from aml_screen.rules.model import NAME_OF, Rule
from aml_screen.rules.parameters import Parameters
from aml_screen.schema import RULE_HIT_SCHEMA


def aggregate_hits(frame: pl.LazyFrame, rule: Rule, params: Parameters) -> pl.DataFrame:
    """``rule`` (an aggregate rule) on ``frame`` (``engine.prepare``'s), every window of
    every subject holding one of its rows."""
    window = rule.window
    assert window is not None
    aggregates = agg._aggregate_exprs(0, rule, params)
    texts = [pl.col(code_name(c)).alias(c) for c in agg.distinct_only([rule])]
    rows = (
        frame.filter(rule.condition.fill_null(value=False))
        .with_columns(texts)
        .select(pl.all(), *subject_exprs(rule.subject), _m0=pl.lit(value=True))
        .filter(pl.col("_subject").is_not_null())
        .with_columns(_key=pl.col("_subject").cast(pl.Categorical).to_physical())
        .collect()
    )
    windows = (
        rows.sort("_key", "booked_at")
        .group_by_dynamic("booked_at", every=window.step, period=window.length,
                          offset=window.step - window.length, group_by="_key",
                          include_boundaries=True, closed="left")
        .agg(aggregates)
    )
    fired = agg._passes(windows, 0, rule, ["_key", "_lower_boundary", "_upper_boundary"])
    subjects = rows.select(agg.SUBJECT).unique("_key")
    lookup = frame.select("transaction_id",
                          pl.col(NAME_OF[rule.subject]).alias("_name")).collect()
    return agg._hits(rule, 0, fired, rows.select("_key", "_row", "booked_at", "_m0"),
                     subjects, lookup)


def funnel_hits(frame: pl.LazyFrame, rule: Rule) -> pl.DataFrame:
    """``rule`` (a funnel rule): every window of every account with ``min_senders`` distinct
    senders over the batch that sends something."""
    spec, window = rule.network, rule.window
    assert spec is not None
    assert window is not None
    edges = without_busy_accounts(edges_of(frame, rule), spec.max_account_transfers)
    inflow = edges.select(account="dst", party="src", id="id", at="at", xof="xof",
                          inbound=pl.lit(value=True))
    outflow = edges.select(account="src", party="dst", id="id", at="at", xof="xof",
                           inbound=pl.lit(value=False))
    candidates = (inflow.group_by("account").agg(n=pl.col("party").n_unique())
                  .filter(pl.col("n") >= spec.min_senders)
                  .join(outflow.select("account").unique(), on="account", how="semi"))
    events = (pl.concat([inflow, outflow]).join(candidates, on="account", how="semi")
              .sort("account", "at"))
    first_in = pl.col("at").filter(pl.col("inbound")).min()
    sent = ~pl.col("inbound") & (pl.col("at") >= first_in)
    kept = pl.col("inbound") | sent
    windows = (
        events.group_by_dynamic("at", every=window.step, period=window.length,
                                group_by="account", start_by="datapoint")
        .agg(senders=pl.col("party").filter(pl.col("inbound")).n_unique(),
             destinations=pl.col("party").filter(sent).n_unique(),
             in_xof=pl.col("xof").filter(pl.col("inbound")).sum(),
             out_xof=pl.col("xof").filter(sent).sum(),
             ids=pl.col("id").filter(kept),
             window_start=pl.col("at").filter(kept).min(),
             window_end=pl.col("at").filter(kept).max())
        .with_columns(share=pl.col("out_xof").cast(pl.Float64)
                      / pl.col("in_xof").cast(pl.Float64))
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
