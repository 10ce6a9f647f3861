"""History-wide rules: patterns split across batches or banks.

A rule with ``scope: history`` is evaluated, as every rule, on each batch alone; and when the
batch is stored, once more over the batch together with the stored transactions of the
accounts it touches (``store/history.py`` reads them, within ``history_days``). Structuring
spread over two monthly reports, or money received through one bank and sent on through
another, then fires. Pure: frames in, ``RULE_HIT_SCHEMA`` out.

Only what needs the history is kept: a hit must take in a transaction of the new batch and
one stored before (an old pattern does not fire again with every batch), and a rule that
already fired on the same subject in the batch alone is not repeated. The hit's
``transaction_ids`` are the new batch's (what its alert lists); the earlier ones go into
its evidence as ``earlier``: batch and transaction id each.
"""

from __future__ import annotations

import json
from dataclasses import replace

import polars as pl

from aml_screen.rules.engine import evaluate_rules
from aml_screen.rules.model import RuleSet
from aml_screen.schema import HIT_SCHEMA, RULE_HIT_SCHEMA, TRANSACTION_SCHEMA, conform

EARLIER = "~"
"""Prefix marking a stored transaction's id (``~<batch id>:<transaction id>``) while the
rules run: ids of two banks may be equal."""


def history_scoped(rule_set: RuleSet) -> RuleSet | None:
    """The ``scope: history`` rules of ``rule_set``; None when there are none."""
    chosen = tuple(rule for rule in rule_set.rules if rule.scope == "history")
    return replace(rule_set, rules=chosen) if chosen else None


def history_rule_hits(rule_set: RuleSet, batch: pl.DataFrame, earlier: pl.DataFrame,
                      batch_hits: pl.DataFrame, *, timezone: str = "UTC") -> pl.DataFrame:
    """The hits of the history rules that need ``earlier`` transactions (stored ones:
    ``TRANSACTION_SCHEMA`` plus ``batch_id``) beside the ``batch``; ``batch_hits`` are the
    rule hits of the batch alone."""
    rules = history_scoped(rule_set)
    if rules is None or earlier.is_empty():
        return pl.DataFrame(schema=RULE_HIT_SCHEMA)
    tagged = earlier.with_columns(transaction_id=pl.concat_str(
        [pl.lit(EARLIER), pl.col("batch_id").cast(pl.String), pl.lit(":"),
         pl.col("transaction_id")]))
    frame = pl.concat([conform(batch, TRANSACTION_SCHEMA).select(list(TRANSACTION_SCHEMA)),
                       conform(tagged, TRANSACTION_SCHEMA).select(list(TRANSACTION_SCHEMA))])
    found = evaluate_rules(rules, frame, pl.DataFrame(schema=HIT_SCHEMA), timezone=timezone)
    is_earlier = pl.element().str.starts_with(EARLIER)
    found = found.with_columns(
        new=pl.col("transaction_ids").list.eval(pl.element().filter(~is_earlier)),
        old=pl.col("transaction_ids").list.eval(pl.element().filter(is_earlier)),
    ).filter((pl.col("new").list.len() > 0) & (pl.col("old").list.len() > 0))
    fired = batch_hits.select("rule_id", "subject_type", "subject_id").unique()
    found = found.join(fired, on=["rule_id", "subject_type", "subject_id"], how="anti")
    if found.is_empty():
        return pl.DataFrame(schema=RULE_HIT_SCHEMA)
    evidence = [json.dumps({**json.loads(text), "earlier": [_reference(ref) for ref in old]},
                           ensure_ascii=False)
                for text, old in found.select("evidence", "old").iter_rows()]
    return found.with_columns(transaction_ids=pl.col("new"),
                              evidence=pl.Series(evidence, dtype=pl.String)).select(
        list(RULE_HIT_SCHEMA))


def _reference(tagged: str) -> dict[str, object]:
    batch, _, transaction = tagged[len(EARLIER):].partition(":")
    return {"batch_id": int(batch), "transaction_id": transaction}
