"""Sequence rules: money into an account, then out of it within the window for a similar
amount (pass-through / mule accounts), optionally towards another country than it came from.

Only accounts that both receive (through ``in_filter``) and send (through ``out_filter``) are
paired: the inflows are read first (in the starter library a tenth of the batch or less),
then only the outflows of the accounts receiving them, not the millions of all outflows.
Pairs are matched on the account (its integer code) and the window-long period of time (an
outflow is in the inflow's period or the next: each inflow is joined twice, in one join),
then on time and on the XOF amounts: a busy account's inflows are never paired with all its
outflows of the batch. ``max_inflows`` counts an account's inflows whether it sends or not:
it keeps or drops all of them.
Money going out at the very time it came in counts: batches often record the day only.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from aml_screen.rules.derived import code_name
from aml_screen.rules.hits import evidence_json, finish
from aml_screen.rules.model import Rule
from aml_screen.schema import RULE_HIT_SCHEMA

MAX_PAIRS_SHOWN = 5


def evaluate_sequence_rules(frame: pl.LazyFrame, rules: list[Rule]) -> list[pl.DataFrame]:
    return [_evaluate(frame, rule) for rule in rules]


def _evaluate(frame: pl.LazyFrame, rule: Rule) -> pl.DataFrame:
    spec, window = rule.sequence, rule.window
    assert spec is not None  # noqa: S101  (sequence rules have a spec and a window)
    assert window is not None  # noqa: S101
    inbound = frame.filter(spec.in_filter.fill_null(value=False)
                           & pl.col("beneficiary_account").is_not_null()).select(
        pl.col(code_name("beneficiary_id")).alias("_code"),
        pl.col("beneficiary_account").alias("_account"),
        pl.col("beneficiary_name").alias("_name"),
        pl.col("transaction_id").alias("in_id"), pl.col("booked_at").alias("in_at"),
        pl.col("amount_xof").alias("in_xof"), pl.col("originator_country").alias("in_from"),
    ).filter(pl.col("in_xof").is_not_null())
    if spec.max_inflows is not None:
        inbound = inbound.filter(pl.len().over("_code") <= spec.max_inflows)
    received = inbound.collect()
    outbound = frame.filter(spec.out_filter.fill_null(value=False)
                            & pl.col("originator_account").is_not_null()
                            & pl.col(code_name("originator_id")).is_in(
                                received.get_column("_code").implode())).select(
        pl.col(code_name("originator_id")).alias("_code"),
        pl.col("transaction_id").alias("out_id"), pl.col("booked_at").alias("out_at"),
        pl.col("amount_xof").alias("out_xof"), pl.col("beneficiary_country").alias("out_to"),
    ).filter(pl.col("out_xof").is_not_null())
    difference = (pl.col("out_xof") - pl.col("in_xof")).abs().cast(pl.Float64)
    keep = (
        (pl.col("out_at") >= pl.col("in_at"))
        & (pl.col("out_at") <= pl.col("in_at") + window.length)
        & (difference <= pl.col("in_xof").cast(pl.Float64) * spec.tolerance)
    )
    if spec.other_country:
        keep &= (pl.col("out_to") != pl.col("in_from")).fill_null(value=False)
    width = int(window.length / timedelta(microseconds=1))
    outbound = outbound.with_columns(_period=pl.col("out_at").dt.epoch("us") // width)
    pairs = pl.concat([
        received.lazy().with_columns(_period=pl.col("in_at").dt.epoch("us") // width + later)
        for later in (0, 1)
    ]).join(outbound, on=["_code", "_period"]).filter(keep).collect()
    if pairs.is_empty():
        return pl.DataFrame(schema=RULE_HIT_SCHEMA)
    grouped = (
        pairs.sort("in_at", "out_at", "in_id", "out_id")
        .group_by("_account", maintain_order=True)
        .agg(
            pl.col("_name").drop_nulls().mode().sort().first().alias("_subject_name"),
            pl.concat_list("in_id", "out_id").explode().unique().sort()
            .alias("transaction_ids"),
            pl.col("in_at").min().alias("window_start"),
            pl.col("out_at").max().alias("window_end"),
            pl.len().alias("pairs"),
            pl.struct("in_id", "out_id", "in_xof", "out_xof", "in_from", "out_to")
            .head(MAX_PAIRS_SHOWN).alias("examples"),
        )
        .with_columns(_subject="_account", _subject_type=pl.lit("account"))
    )
    evidence = evidence_json(rule, [
        {"window": window.text, "amount_tolerance": spec.tolerance, "pairs": r["pairs"],
         "first_pairs": r["examples"]}
        for r in grouped.select("pairs", "examples").iter_rows(named=True)
    ])
    return finish(rule, grouped, evidence)
