"""Funnel rules: an account collects from many distinct senders and passes most of it on to
a few destinations within the window (a collection or funnel account).

Accounts with fewer distinct senders over the whole batch than ``min_senders``, or that
send nothing, are pruned first. For the rest, windows of the rule's length start every
step (a seventh of it): in each, the distinct senders, the inflow, the distinct
destinations and the outflow sent no earlier than the window's first inflow. The account
fires on its strongest window (most senders, then highest share passed on) among those
where every threshold holds.
"""

from __future__ import annotations

import polars as pl

from aml_screen.rules.eval_network import account_names, edges_of, without_busy_accounts
from aml_screen.rules.hits import evidence_json, finish
from aml_screen.rules.model import Rule
from aml_screen.schema import RULE_HIT_SCHEMA


def evaluate_funnel(frame: pl.LazyFrame, rule: Rule) -> pl.DataFrame:
    spec, window = rule.network, rule.window
    assert spec is not None  # noqa: S101  (funnel rules have a spec and a window)
    assert window is not None  # noqa: S101
    edges = without_busy_accounts(edges_of(frame, rule), spec.max_account_transfers)
    inflow = edges.select(pl.col("dst").alias("account"), pl.col("src").alias("party"),
                          "id", "at", "xof", inbound=pl.lit(value=True))
    outflow = edges.select(pl.col("src").alias("account"), pl.col("dst").alias("party"),
                           "id", "at", "xof", inbound=pl.lit(value=False))
    candidates = (inflow.group_by("account").agg(pl.col("party").n_unique().alias("n"))
                  .filter(pl.col("n") >= spec.min_senders)
                  .join(outflow.select("account").unique(), on="account", how="semi"))
    events = (pl.concat([inflow, outflow])
              .join(candidates.select("account"), on="account", how="semi")
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
