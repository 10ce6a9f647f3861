"""Evaluating a rule set on a batch: transactions (+ watchlist hits) in, rule hits out.
Pure: frames in, a ``RULE_HIT_SCHEMA`` frame out.

The batch is read once: the columns the rules use (and the derived ones they need) are
materialised in one pass, then every kind's evaluation runs on that frame, so a Parquet
batch is scanned once however many rules and plans there are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from aml_screen.errors import ConfigError
from aml_screen.rules import grammar as g
from aml_screen.rules.derived import (
    DERIVED_SCHEMA,
    RULE_COLUMNS,
    SUBJECT_TEXT,
    add_derived,
    add_searches,
    check_expr,
    check_name,
    code_expr,
    codes_collide,
    exact_code_expr,
    searches_in,
)
from aml_screen.rules.eval_aggregate import aggregate_plans, distinct_only, evaluate_plan
from aml_screen.rules.eval_cycle import evaluate_cycle
from aml_screen.rules.eval_funnel import evaluate_funnel
from aml_screen.rules.eval_list import evaluate_list_rules
from aml_screen.rules.eval_sequence import evaluate_sequence_rules
from aml_screen.rules.eval_transaction import evaluate_transaction_rules
from aml_screen.rules.model import NAME_OF, Rule, RuleSet
from aml_screen.schema import (
    HIT_SCHEMA,
    PARTY_ONLY_COLUMN,
    RULE_HIT_SCHEMA,
    TRANSACTION_SCHEMA,
    conform,
)

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


def _filters(rule: Rule) -> list[pl.Expr]:
    """The rule's row conditions: its condition, and a sequence's in and out filters."""
    sequence = rule.sequence
    return [rule.condition, *((sequence.in_filter, sequence.out_filter) if sequence else ())]


def row_exprs(rule_set: RuleSet) -> list[pl.Expr]:
    """The rules' compiled row-level expressions: conditions, filters, aggregated values."""
    return [e for rule in rule_set.rules
            for e in (*_filters(rule), *(a.expr for a in rule.aggregates))]


def coded_columns(rule_set: RuleSet) -> list[str]:
    """Text columns that ``prepare`` gives an integer code (``derived.code_name``): the
    subjects of aggregate rules, the texts their aggregates only count distinct values of
    (``eval_aggregate.distinct_only``, plan by plan), and the parties of transfers (network
    and sequence rules code accounts through them)."""
    aggregate = rule_set.of_kind("aggregate")
    wanted = {"originator_id", "beneficiary_id",
              *(SUBJECT_TEXT[rule.subject] for rule in aggregate)}
    for members in aggregate_plans(aggregate).values():
        wanted |= distinct_only(members)
    return sorted(wanted)


def kept_columns(rule_set: RuleSet) -> list[str]:
    """Columns of the batch that ``prepare`` keeps: ``ALWAYS`` and those the rules' row
    expressions read, but neither texts only counted distinct (their codes are kept) nor
    texts only searched by ``contains_any`` (their search columns are kept)."""
    counted = distinct_only(rule_set.of_kind("aggregate"))
    read = set(ALWAYS)
    for rule in rule_set.rules:
        read.update(c for e in _filters(rule) for c in e.meta.root_names())
        read.update(c for a in rule.aggregates for c in a.expr.meta.root_names()
                    if c not in counted)
    return [c for c in RULE_COLUMNS if c in read]


def prepare(rule_set: RuleSet, transactions: pl.DataFrame | pl.LazyFrame,
            timezone: str = "UTC") -> pl.LazyFrame:
    """The batch as the evaluations read it, materialised once with a ``_row`` index: the
    columns of ``kept_columns`` (derived ones with hours and weekdays in ``timezone``), the
    integer codes of ``coded_columns`` (hashes, ``derived.code_expr``; should two texts
    share one, exact codes from a second read) and the search columns of ``contains_any``.
    Texts read only through codes or searches are not kept: at ten million rows each is
    hundreds of megabytes."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError("config.bad_value", name="timezone", value=timezone,
                          detail="IANA zone, e.g. Africa/Niamey") from exc
    lazy = transactions.lazy() if isinstance(transactions, pl.DataFrame) else transactions
    names = lazy.collect_schema().names()
    missing = [pl.lit(None, dtype).alias(c) for c, dtype in TRANSACTION_SCHEMA.items()
               if c not in names]
    derived = add_derived(lazy.with_columns(missing), rule_set.parameters, timezone)
    exprs = row_exprs(rule_set)
    kept = kept_columns(rule_set)
    searched = sorted({column for column, _ in searches_in(exprs).values()} - set(kept))
    coded = coded_columns(rule_set)
    materialised = derived.select(
        *kept, *(pl.col(c).cast(pl.Categorical) for c in searched),
        *(code_expr(c) for c in coded), *(check_expr(c) for c in coded)).collect()
    if codes_collide(materialised, coded):
        materialised = materialised.with_columns(
            derived.select(exact_code_expr(c) for c in coded).collect().get_columns())
    searchable = add_searches(materialised, exprs).drop(*searched, *map(check_name, coded))
    return searchable.with_row_index("_row").lazy()


@dataclass(frozen=True)
class Step:
    """One unit of evaluation (a plan of aggregate rules, one network rule...): ``run``
    gives its rule hits. Steps are independent of each other; ``name`` says which rules
    it holds (shown by the benchmark's per-step profile)."""

    name: str
    run: Callable[[], list[pl.DataFrame]]


def steps(rule_set: RuleSet, frame: pl.LazyFrame,
          hits: pl.DataFrame | None = None) -> list[Step]:
    """The steps evaluating every rule of ``rule_set`` on ``frame`` (from ``prepare``)."""
    params = rule_set.parameters
    listed = conform(hits, HIT_SCHEMA) if hits is not None else pl.DataFrame(schema=HIT_SCHEMA)
    found = [Step("transaction", partial(evaluate_transaction_rules, frame,
                                         rule_set.of_kind("transaction")))]
    for (key, window), members in aggregate_plans(rule_set.of_kind("aggregate")).items():
        found.append(Step(f"aggregate {key} {window.text} every {_duration(window.step)} "
                          f"({', '.join(r.id for r in members)})",
                          partial(evaluate_plan, frame, key, window, members, params)))
    found += [Step(f"sequence ({rule.id})", partial(evaluate_sequence_rules, frame, [rule]))
              for rule in rule_set.of_kind("sequence")]
    for rule in rule_set.of_kind("network"):
        network = evaluate_cycle if rule.network and rule.network.pattern == "cycle" \
            else evaluate_funnel
        found.append(Step(f"network ({rule.id})", partial(_one, network, frame, rule)))
    found.append(Step("list", partial(evaluate_list_rules, frame, listed,
                                      rule_set.of_kind("list"))))
    return found


def _duration(step: timedelta) -> str:
    """``step`` as a rule writes it: ``1d``, ``12h``, ``90m``."""
    minutes = int(step / timedelta(minutes=1))
    for unit, size in (("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def _one(evaluate: Callable[[pl.LazyFrame, Rule], pl.DataFrame], frame: pl.LazyFrame,
         rule: Rule) -> list[pl.DataFrame]:
    return [evaluate(frame, rule)]


def evaluate_rules(rule_set: RuleSet, transactions: pl.DataFrame | pl.LazyFrame,
                   hits: pl.DataFrame | None = None, *, timezone: str = "UTC") -> pl.DataFrame:
    """Every rule of ``rule_set`` on ``transactions`` (TRANSACTION_SCHEMA); list rules look
    at ``hits`` (HIT_SCHEMA). ``hour`` and ``weekday`` are read in ``timezone`` (the
    deployment's IANA zone). One row per rule per subject (per episode for windowed
    rules)."""
    frame = prepare(rule_set, transactions_only(transactions), timezone)
    return combine([found for step in steps(rule_set, frame, hits) for found in step.run()])


def transactions_only(transactions: pl.DataFrame | pl.LazyFrame
                      ) -> pl.DataFrame | pl.LazyFrame:
    """The rows that are transactions: party-only rows (``PARTY_ONLY_COLUMN``) are
    screened by name but have no amount or date for a rule to read."""
    names = (transactions.collect_schema().names() if isinstance(transactions, pl.LazyFrame)
             else transactions.columns)
    if PARTY_ONLY_COLUMN not in names:
        return transactions
    return transactions.filter(pl.col(PARTY_ONLY_COLUMN).is_null())


def combine(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The steps' rule hits as one frame, sorted by severity then rule, subject and window:
    a total order, so one subject's hits in several windows come out in the same order
    whatever order the steps' group-bys left them in."""
    result = pl.concat([pl.DataFrame(schema=RULE_HIT_SCHEMA), *frames])
    keys = ["severity_score", "rule_id", "subject_id", "subject_type", "window_start",
            "window_end", "evidence"]
    return result.sort(keys, descending=[True, *[False] * (len(keys) - 1)], nulls_last=True)
