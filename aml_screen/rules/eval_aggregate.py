"""Aggregate rules, planned together: the rules sharing a (key, window) get one filtered
frame, one pruning group-by and one windowed group-by computing all their aggregates, each
over its own rule's rows (a mask column per rule).

Pruning. The monotone part of a rule's ``having`` (its ``and``-ed thresholds on aggregates
that never decrease with more rows: count, sum, distinct values… see
``functions.MONOTONE_AGGREGATES``) is a necessary condition: a key whose whole-batch
aggregates miss it cannot pass in any window. Keys that cannot pass any rule of the plan are
dropped before windowing, which is where distinct-counterparty windows cost. A plan with a
rule without such a part is not pruned.

The anti-monotone part of ``having`` (``agg <= x`` where ``agg`` only grows with more rows,
such as ``max(a) / min(a)``; ``min(a) >= x``) prunes the other way: when it fails on the rows of
one step-sized bucket, it fails on every window containing that bucket. A key whose every
active bucket fails it cannot fire the rule: busy accounts whose payments differ widely every
day are dropped before windowing the "similar amounts" rules.

Windows. Windows of the rule's length start every ``step`` (``group_by_dynamic``), so rows at
most ``length - step`` apart always share a window. Every window of the grid that holds one of
a key's rows is evaluated, including those starting before its first row (``offset``): which
windows exist never depends on other rows, so pruning cannot change a result. Overlapping
windows that fire for the same key merge into one hit, whose evidence is the strongest
window's values.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import polars as pl

from aml_screen.rules import grammar as g
from aml_screen.rules.compiler import Scope, compile_expr
from aml_screen.rules.functions import MONOTONE_AGGREGATES
from aml_screen.rules.hits import evidence_json, finish, subject_exprs
from aml_screen.rules.kinds import ROW_TYPES
from aml_screen.rules.model import NAME_OF, Rule, Window
from aml_screen.rules.parameters import Parameters
from aml_screen.schema import RULE_HIT_SCHEMA

KEYS = ["_key"]
"""Plans group by ``_key``, an integer code of the subject: sorting and grouping integers is
several times faster than the account or name text, which is joined back for the hits."""
SUBJECT = ["_key", "_subject", "_subject_type"]
_BOUNDS = ["_lower_boundary", "_upper_boundary"]


def evaluate_aggregate_rules(frame: pl.LazyFrame, rules: list[Rule],
                             params: Parameters) -> list[pl.DataFrame]:
    plans: dict[tuple[str, Window], list[Rule]] = defaultdict(list)
    for rule in rules:
        assert rule.window is not None  # noqa: S101  (aggregate rules always have one)
        plans[(rule.subject, rule.window)].append(rule)
    return [hits for (key, window), members in plans.items()
            for hits in _evaluate_plan(frame, key, window, members, params)]


def monotone_part(node: g.Node, monotone: dict[str, bool]) -> g.Node | None:
    """The conjuncts of ``node`` that are monotone (``is_monotone``), or None."""
    if is_monotone(node, monotone):
        return node
    if isinstance(node, g.Binary) and node.op == "and":
        left, right = (monotone_part(side, monotone) for side in (node.left, node.right))
        if left is not None and right is not None:
            return g.Binary("and", left, right, node.pos)
        return left or right
    return None


def is_monotone(node: g.Node, monotone: dict[str, bool]) -> bool:
    """``having`` can only become true with more rows: and/or of ``agg >= x`` / ``agg > x``
    where ``agg`` is a monotone aggregate and ``x`` uses no aggregate."""
    if isinstance(node, g.Binary) and node.op in ("and", "or"):
        return is_monotone(node.left, monotone) and is_monotone(node.right, monotone)
    if isinstance(node, g.Binary) and node.op in (">=", ">"):
        constant = not any(n.parts[0] in monotone for n in g.names_in(node.right))
        return isinstance(node.left, g.Name) and monotone.get(node.left.dotted, False) and constant
    return False


def growth(node: g.Node) -> int:
    """+1 if the aggregate expression never decreases as rows are added (count, sum,
    n_unique, max, max/min), -1 if it never increases (min), 0 if it may do either."""
    if isinstance(node, g.Call):
        return 1 if node.name in MONOTONE_AGGREGATES else -1 if node.name == "min" else 0
    if isinstance(node, g.Binary) and node.op == "/":
        return 1 if growth(node.left) == 1 and growth(node.right) == -1 else 0
    return 0


def anti_monotone_part(node: g.Node, growths: dict[str, int]) -> g.Node | None:
    """The ``and``-ed conjuncts of ``node`` that, once false on some rows, stay false with
    more rows: ``agg <= x`` / ``agg < x`` for growing aggregates, ``agg >= x`` / ``agg > x``
    for shrinking ones (``x`` using no aggregate)."""
    if isinstance(node, g.Binary) and node.op == "and":
        left, right = (anti_monotone_part(side, growths) for side in (node.left, node.right))
        if left is not None and right is not None:
            return g.Binary("and", left, right, node.pos)
        return left or right
    if isinstance(node, g.Binary) and isinstance(node.left, g.Name):
        constant = not any(n.parts[0] in growths for n in g.names_in(node.right))
        direction = growths.get(node.left.dotted, 0)
        if constant and ((direction == 1 and node.op in ("<=", "<"))
                         or (direction == -1 and node.op in (">=", ">"))):
            return node
    return None


def _aggregate_exprs(index: int, rule: Rule, params: Parameters) -> list[pl.Expr]:
    scope = Scope(ROW_TYPES, params, aggregate_mask=pl.col(f"_m{index}"))
    return [compile_expr(a.node, scope).expr.alias(f"_r{index}__{a.name}")
            for a in rule.aggregates]


def _referenced(condition: pl.Expr | None) -> list[str]:
    return condition.meta.root_names() if condition is not None else []


def _passes(frame: pl.DataFrame, index: int, rule: Rule, extra: list[str],
            condition: pl.Expr | None = None) -> pl.DataFrame:
    """Rows of ``frame`` where rule ``index``'s ``having`` (or ``condition``, which may use
    only some aggregates) holds, its aggregates renamed back."""
    test = condition if condition is not None else rule.having
    assert test is not None  # noqa: S101  (aggregate rules always have a having)
    present = [a.name for a in rule.aggregates if f"_r{index}__{a.name}" in frame.columns]
    return frame.select(*extra, *(pl.col(f"_r{index}__{name}").alias(name)
                                  for name in present)).filter(test.fill_null(value=False))


def _evaluate_plan(frame: pl.LazyFrame, key: str, window: Window, rules: list[Rule],
                   params: Parameters) -> list[pl.DataFrame]:
    masks = [rule.condition.fill_null(value=False).alias(f"_m{i}") for i, rule in enumerate(rules)]
    aggregates = [e for i, rule in enumerate(rules) for e in _aggregate_exprs(i, rule, params)]
    used = sorted({c for e in aggregates for c in e.meta.root_names() if not c.startswith("_m")})
    rows = (
        frame.select("_row", "booked_at", *subject_exprs(key), *masks, *used)
        .filter(pl.col("_subject").is_not_null() & pl.any_horizontal(m.meta.output_name()
                                                                     for m in masks))
        .with_columns(_key=pl.col("_subject").cast(pl.Categorical).to_physical())
        .collect()
    )
    subjects = rows.select(SUBJECT).unique("_key")
    rows = rows.drop("_subject", "_subject_type", "_subject_name")
    rows = _prune(rows, rules, aggregates, window, params)
    if rows.is_empty():
        return []
    windows = (
        rows.sort([*KEYS, "booked_at"])
        .group_by_dynamic("booked_at", every=window.step, period=window.length,
                          offset=window.step - window.length, group_by=KEYS,
                          include_boundaries=True, closed="left")
        .agg(aggregates)
    )
    lookup = frame.select("_row", "transaction_id", pl.col(NAME_OF[key]).alias("_name"))
    return [_hits(rule, i, _passes(windows, i, rule, [*KEYS, *_BOUNDS]), rows, subjects,
                  lookup) for i, rule in enumerate(rules)]


def _wanted(aggregates: list[pl.Expr], conditions: list[pl.Expr | None]) -> list[pl.Expr]:
    """The aggregates that rule ``i``'s condition ``conditions[i]`` refers to."""
    names = {f"_r{i}__{name}" for i, c in enumerate(conditions) for name in _referenced(c)}
    return [e for e in aggregates if e.meta.output_name() in names]


def _prune(rows: pl.DataFrame, rules: list[Rule], aggregates: list[pl.Expr], window: Window,
           params: Parameters) -> pl.DataFrame:
    """``rows`` that may still count towards a firing: each rule's mask is cleared on the
    keys that cannot fire it (see the module doc), and rows left without a rule dropped."""
    if rows.is_empty():
        return rows
    necessary = [prune_condition(rule, params) for rule in rules]
    failing = [poison_condition(rule, params) if window.length % window.step == timedelta(0)
               else None for rule in rules]
    if any(n is None and f is None for n, f in zip(necessary, failing, strict=True)):
        return rows
    totals = rows.group_by(KEYS).agg(_wanted(aggregates, necessary)) if any(
        c is not None for c in necessary) else None
    buckets = rows.group_by([*KEYS, pl.col("booked_at").dt.truncate(window.step)]).agg(
        *_wanted(aggregates, failing),
        *(pl.col(f"_m{i}").any().alias(f"_has{i}") for i in range(len(rules))),
    ) if any(c is not None for c in failing) else None
    keep = []
    for i, (rule, needed, poison) in enumerate(zip(rules, necessary, failing, strict=True)):
        alive: pl.DataFrame | None = None
        if totals is not None and needed is not None:
            alive = _passes(totals, i, rule, KEYS, needed).select(KEYS)
        if buckets is not None and poison is not None:
            condition = pl.col(f"_has{i}") & poison.fill_null(value=True)
            active = _passes(buckets, i, rule, [*KEYS, f"_has{i}"], condition).select(KEYS)
            alive = active if alive is None else alive.join(active, on=KEYS, how="semi")
        keep.append(alive)
    masks = [pl.col(f"_m{i}") if alive is None else
             pl.col(f"_m{i}") & pl.col("_key").is_in(alive.get_column("_key").implode())
             for i, alive in enumerate(keep)]
    pruned = rows.with_columns(mask.alias(f"_m{i}") for i, mask in enumerate(masks))
    return pruned.filter(pl.any_horizontal(f"_m{i}" for i in range(len(rules))))


def poison_condition(rule: Rule, params: Parameters) -> pl.Expr | None:
    """The anti-monotone part of the rule's ``having``, compiled, or None if it has none."""
    growths = {a.name: growth(a.node) for a in rule.aggregates}
    part = anti_monotone_part(rule.having_node, growths) if rule.having_node else None
    if part is None:
        return None
    scope = Scope({a.name: a.type for a in rule.aggregates}, params, row_level=False)
    return compile_expr(part, scope).expr


def prune_condition(rule: Rule, params: Parameters) -> pl.Expr | None:
    """The monotone part of the rule's ``having``, compiled, or None if it has none."""
    monotone = {}
    for aggregate in rule.aggregates:
        node = aggregate.node
        monotone[aggregate.name] = isinstance(node, g.Call) and node.name in MONOTONE_AGGREGATES
    part = monotone_part(rule.having_node, monotone) if rule.having_node else None
    if part is None:
        return None
    scope = Scope({a.name: a.type for a in rule.aggregates}, params, row_level=False)
    return compile_expr(part, scope).expr


def _hits(rule: Rule, index: int, fired: pl.DataFrame, rows: pl.DataFrame,
          subjects: pl.DataFrame, lookup: pl.LazyFrame) -> pl.DataFrame:
    """One hit per episode; transaction ids and the subject's most frequent spelling are
    looked up (by ``_row``) for the involved rows only."""
    if fired.is_empty():
        return pl.DataFrame(schema=RULE_HIT_SCHEMA)
    first = rule.aggregates[0].name
    episodes = (
        fired.sort([*KEYS, "_lower_boundary"])
        .with_columns(_episode=(pl.col("_lower_boundary")
                                > pl.col("_upper_boundary").cum_max().shift(1).over(KEYS))
                      .fill_null(value=True).cum_sum().over(KEYS))
        .sort(first, descending=True)
        .group_by([*KEYS, "_episode"], maintain_order=True)
        .agg(pl.col("_lower_boundary").min().alias("window_start"),
             pl.col("_upper_boundary").max().alias("window_end"),
             *(pl.col(a.name).first() for a in rule.aggregates))
    )
    involved = (
        rows.filter(pl.col(f"_m{index}"))
        .join(episodes.select(*KEYS, "_episode", "window_start", "window_end"), on=KEYS)
        .filter(pl.col("booked_at").is_between("window_start", "window_end", closed="left"))
        .select(*KEYS, "_episode", "_row")
        .lazy().join(lookup, on="_row")
        .group_by([*KEYS, "_episode"])
        .agg(pl.col("transaction_id").unique().sort().alias("transaction_ids"),
             pl.col("_name").drop_nulls().mode().sort().first().alias("_subject_name"))
        .collect()
    )
    fired_rows = (
        episodes.join(involved, on=[*KEYS, "_episode"], how="left")
        .join(subjects, on=KEYS, how="left")
        .sort(["window_start", "_subject"])
    )
    names = [a.name for a in rule.aggregates]
    evidence = evidence_json(rule, [
        {"group_by": rule.subject, "window": rule.window.text if rule.window else None,
         "having": rule.expressions.get("having"), "values": {k: r[k] for k in names}}
        for r in fired_rows.select(names).iter_rows(named=True)
    ])
    return finish(rule, fired_rows, evidence)
