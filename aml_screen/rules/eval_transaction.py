"""Transaction rules: every condition computed in one pass over the batch; the rows that
fire are grouped per (rule, subject) into one hit with all their transactions."""

from __future__ import annotations

import polars as pl

from aml_screen.rules.hits import evidence_json, finish, subject_exprs
from aml_screen.rules.model import Rule
from aml_screen.schema import RULE_HIT_SCHEMA


def evaluate_transaction_rules(frame: pl.LazyFrame, rules: list[Rule]) -> list[pl.DataFrame]:
    if not rules:
        return []
    masks = [rule.condition.fill_null(value=False).alias(f"_r{i}")
             for i, rule in enumerate(rules)]
    fired = (
        frame.with_columns(masks)
        .filter(pl.any_horizontal(f"_r{i}" for i in range(len(rules))))
        .collect()
    )
    return [_hits(rule, fired.filter(pl.col(f"_r{i}"))) for i, rule in enumerate(rules)]


def _hits(rule: Rule, rows: pl.DataFrame) -> pl.DataFrame:
    if rows.is_empty():
        return pl.DataFrame(schema=RULE_HIT_SCHEMA)
    grouped = (
        rows.with_columns(subject_exprs(rule.subject))
        .group_by("_subject", "_subject_type", maintain_order=True)
        .agg(
            pl.col("_subject_name").drop_nulls().mode().sort().first(),
            pl.col("transaction_id").unique().sort().alias("transaction_ids"),
            pl.col("booked_at").min().alias("window_start"),
            pl.col("booked_at").max().alias("window_end"),
            pl.len().alias("transactions"),
            pl.col("amount_xof").sum().alias("total_xof"),
            pl.col("amount_xof").max().alias("max_xof"),
        )
    )
    evidence = evidence_json(rule, [
        {"condition": rule.expressions.get("condition"), "transactions": r["transactions"],
         "total_xof": r["total_xof"], "max_xof": r["max_xof"]}
        for r in grouped.select("transactions", "total_xof", "max_xof").iter_rows(named=True)
    ])
    return finish(rule, grouped, evidence)
