"""Evaluating a rule set on a batch: transactions (+ watchlist hits) in, rule hits out.
Pure: frames in, a ``RULE_HIT_SCHEMA`` frame out.

The batch is read once: the columns the rules use (and the derived ones they need) are
materialised in one pass, then every kind's evaluation runs on that frame, so a Parquet
batch is scanned once however many rules and plans there are.
"""

from __future__ import annotations

import polars as pl

from aml_screen.rules import grammar as g
from aml_screen.rules.derived import DERIVED_SCHEMA, add_derived, add_folded
from aml_screen.rules.eval_aggregate import evaluate_aggregate_rules
from aml_screen.rules.eval_cycle import evaluate_cycle
from aml_screen.rules.eval_funnel import evaluate_funnel
from aml_screen.rules.eval_list import evaluate_list_rules
from aml_screen.rules.eval_sequence import evaluate_sequence_rules
from aml_screen.rules.eval_transaction import evaluate_transaction_rules
from aml_screen.rules.model import NAME_OF, RuleSet
from aml_screen.schema import HIT_SCHEMA, RULE_HIT_SCHEMA, TRANSACTION_SCHEMA, conform

ALWAYS = ("transaction_id", "booked_at", "currency", "amount_xof", "originator_name",
          "originator_account",
          "originator_country", "beneficiary_name", "beneficiary_account",
          "beneficiary_country")
"""Columns every evaluation may need: ids, times, subjects, sequence amounts and countries,
and the currency that per-currency parameters are looked up by."""


def columns_used(rule_set: RuleSet) -> list[str]:
    """Transaction and derived columns the rules refer to, plus ``ALWAYS``."""
    known = {*TRANSACTION_SCHEMA, *DERIVED_SCHEMA}
    used = set(ALWAYS)
    for rule in rule_set.rules:
        for text in rule.expressions.values():
            used.update(n.parts[0] for n in g.names_in(g.parse(text)) if len(n.parts) == 1)
        used.update({rule.subject, NAME_OF.get(rule.subject, rule.subject)})
    return [c for c in (*TRANSACTION_SCHEMA, *DERIVED_SCHEMA) if c in used & known]


def searched_columns(rule_set: RuleSet) -> list[str]:
    """Columns that ``contains_any`` searches, which get a folded copy."""
    found: set[str] = set()
    for rule in rule_set.rules:
        for text in rule.expressions.values():
            found.update(_searched(g.parse(text)))
    return sorted(found)


def _searched(node: g.Node) -> set[str]:
    found: set[str] = set()
    if isinstance(node, g.Call):
        first = node.args[0] if node.args else None
        if node.name == "contains_any" and isinstance(first, g.Name):
            found.add(first.dotted)
        children: tuple[g.Node, ...] = node.args
    elif isinstance(node, g.Unary):
        children = (node.operand,)
    elif isinstance(node, g.Binary):
        children = (node.left, node.right)
    else:
        children = ()
    for child in children:
        found |= _searched(child)
    return found


def evaluate_rules(rule_set: RuleSet, transactions: pl.DataFrame | pl.LazyFrame,
                   hits: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every rule of ``rule_set`` on ``transactions`` (TRANSACTION_SCHEMA); list rules look
    at ``hits`` (HIT_SCHEMA). One row per rule per subject (per episode for windowed rules),
    sorted by severity then rule and subject."""
    lazy = transactions.lazy() if isinstance(transactions, pl.DataFrame) else transactions
    names = lazy.collect_schema().names()
    missing = [pl.lit(None, dtype).alias(c) for c, dtype in TRANSACTION_SCHEMA.items()
               if c not in names]
    derived = add_derived(lazy.with_columns(missing), rule_set.parameters)
    materialised = derived.select(columns_used(rule_set)).collect()
    frame = add_folded(materialised, searched_columns(rule_set)).with_row_index("_row").lazy()
    frames = [
        *evaluate_transaction_rules(frame, rule_set.of_kind("transaction")),
        *evaluate_aggregate_rules(frame, rule_set.of_kind("aggregate"), rule_set.parameters),
        *evaluate_sequence_rules(frame, rule_set.of_kind("sequence")),
        *(evaluate_cycle(frame, r) if r.network and r.network.pattern == "cycle"
          else evaluate_funnel(frame, r) for r in rule_set.of_kind("network")),
        *evaluate_list_rules(frame, conform(hits, HIT_SCHEMA) if hits is not None
                             else pl.DataFrame(schema=HIT_SCHEMA), rule_set.of_kind("list")),
    ]
    result = pl.concat([pl.DataFrame(schema=RULE_HIT_SCHEMA), *frames])
    return result.sort(["severity_score", "rule_id", "subject_id"],
                       descending=[True, False, False])
