"""Aggregate rules, planned together: the rules sharing a (key, window) get one filtered
frame and one windowed group-by computing all their aggregates, each over its own rule's
rows (a mask column per rule), once each rule's hopeless rows are pruned.

Pruning, rule by rule within the plan (only the rule's own rows, its mask, are touched). The
anti-monotone part of ``having`` (``agg <= x`` where ``agg`` only grows with more rows, such
as ``max(a) / min(a)``; ``min(a) >= x``) fails on every window holding a step-sized bucket
where it fails (for windows a whole number of steps long): such a "poisoned" bucket's rows
are dropped, and so is every window holding one (``_unpoisoned``). A firing window therefore
lies in one segment of the key's timeline between poisoned buckets, at least a window long:
the rows of shorter segments are dropped. The monotone part of ``having`` (its ``and``-ed
thresholds on aggregates that never decrease with more rows: count, sum, distinct values…
see ``functions.MONOTONE_AGGREGATES``) must hold on all the key's rows of the batch
(``_hopeful_keys``, one group-by for the plan) and on the segment's aggregates, or no
window in it fires. Busy accounts whose payments differ widely every day are so dropped
from the "similar amounts" rules before windowing, which is where distinct-counterparty
windows cost. Text columns the aggregates only count distinct values of, and the key, are
the integer codes made by ``engine.prepare``.

Windows. Windows of the rule's length start every ``step`` (``group_by_dynamic``), so rows at
most ``length - step`` apart always share a window. Every window of the grid that holds one of
a key's rows is evaluated, including those starting before its first row (``offset``): which
windows exist never depends on other rows, so pruning cannot change a result. Overlapping
windows that fire for the same key merge into one hit, whose evidence is the strongest
window's values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from aml_screen.rules import grammar as g
from aml_screen.rules.compiler import Scope, compile_expr
from aml_screen.rules.derived import SUBJECT_TEXT, code_name
from aml_screen.rules.functions import MONOTONE_AGGREGATES
from aml_screen.rules.hits import evidence_json, finish, subject_exprs
from aml_screen.rules.kinds import ROW_TYPES
from aml_screen.rules.model import NAME_OF, Rule, Window
from aml_screen.rules.ordering import by_key_then_time
from aml_screen.rules.parameters import Parameters
from aml_screen.schema import RULE_HIT_SCHEMA

KEYS = ["_key"]
"""Plans group by ``_key``, the integer code of the subject made by ``engine.prepare``
(``derived.code_expr``): the subject's text is joined back for the hits only."""
SUBJECT = ["_key", "_subject", "_subject_type"]
_BOUNDS = ["_lower_boundary", "_upper_boundary"]


def aggregate_plans(rules: list[Rule]) -> dict[tuple[str, Window], list[Rule]]:
    """The aggregate rules grouped by (key, window): each group is evaluated as one plan."""
    plans: dict[tuple[str, Window], list[Rule]] = defaultdict(list)
    for rule in rules:
        assert rule.window is not None  # noqa: S101  (aggregate rules always have one)
        plans[(rule.subject, rule.window)].append(rule)
    return dict(plans)


def monotone_part(node: g.Node, monotone: dict[str, bool]) -> g.Node | None:
    """The conjuncts of ``node`` that are monotone (``is_monotone``), or None."""
    return g.conjunction([c for c in g.conjuncts(node) if is_monotone(c, monotone)], node.pos)


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
    return g.conjunction([c for c in g.conjuncts(node) if _stays_false(c, growths)], node.pos)


def _stays_false(node: g.Node, growths: dict[str, int]) -> bool:
    if not (isinstance(node, g.Binary) and isinstance(node.left, g.Name)):
        return False
    constant = not any(n.parts[0] in growths for n in g.names_in(node.right))
    direction = growths.get(node.left.dotted, 0)
    return constant and ((direction == 1 and node.op in ("<=", "<"))
                         or (direction == -1 and node.op in (">=", ">")))


def _aggregate_exprs(index: int, rule: Rule, params: Parameters) -> list[pl.Expr]:
    scope = Scope(ROW_TYPES, params, aggregate_mask=pl.col(f"_m{index}"))
    return [compile_expr(a.node, scope).expr.alias(f"_r{index}__{a.name}")
            for a in rule.aggregates]


def _referenced(condition: pl.Expr | None) -> list[str]:
    return condition.meta.root_names() if condition is not None else []


def _named(frame: pl.DataFrame, index: int, rule: Rule, extra: list[str]) -> pl.DataFrame:
    """``extra`` and rule ``index``'s aggregates of ``frame``, renamed back to the rule's
    names (those present: a pruning step computes only the ones it needs)."""
    present = [a.name for a in rule.aggregates if f"_r{index}__{a.name}" in frame.columns]
    return frame.select(*extra, *(pl.col(f"_r{index}__{name}").alias(name)
                                  for name in present))


def _passes(frame: pl.DataFrame, index: int, rule: Rule, extra: list[str],
            condition: pl.Expr | None = None) -> pl.DataFrame:
    """Rows of ``frame`` where rule ``index``'s ``having`` (or ``condition``, which may use
    only some aggregates) holds, its aggregates renamed back."""
    test = condition if condition is not None else rule.having
    assert test is not None  # noqa: S101  (aggregate rules always have a having)
    return _named(frame, index, rule, extra).filter(test.fill_null(value=False))


def evaluate_plan(frame: pl.LazyFrame, key: str, window: Window, rules: list[Rule],
                   params: Parameters) -> list[pl.DataFrame]:
    masks = [rule.condition.fill_null(value=False).alias(f"_m{i}") for i, rule in enumerate(rules)]
    aggregates = [e for i, rule in enumerate(rules) for e in _aggregate_exprs(i, rule, params)]
    used = sorted({c for e in aggregates for c in e.meta.root_names() if not c.startswith("_m")})
    counted = distinct_only(rules)
    selected = frame.select(
        "_row", "booked_at", *masks,
        *(pl.col(code_name(c)).alias(c) if c in counted else pl.col(c) for c in used),
        _key=pl.col(code_name(SUBJECT_TEXT[key])),
    ).filter(pl.col("_key").is_not_null()
             & pl.any_horizontal(m.meta.output_name() for m in masks))
    gridded = window.length % window.step == timedelta(0)
    poisons = [poison_condition(rule, params) if gridded else None for rule in rules]
    rows = _hopeful_keys(by_key_then_time(selected, "_key", "booked_at"), rules, aggregates,
                         params)
    pruned = _prune(rows, rules, aggregates, window, params, poisons)
    rows = pruned.rows
    if rows.is_empty():
        return []
    windows = (
        rows.group_by_dynamic("booked_at", every=window.step, period=window.length,
                              offset=window.step - window.length, group_by=KEYS,
                              include_boundaries=True, closed="left")
        .agg(aggregates)
    )
    fired = [_unpoisoned(_passes(windows, i, rule, [*KEYS, *_BOUNDS]), pruned.poisoned[i])
             for i, rule in enumerate(rules)]
    subjects = _subjects(frame, key, rows, pl.concat([f.select(KEYS) for f in fired]))
    lookup = frame.select("transaction_id", pl.col(NAME_OF[key]).alias("_name")).collect()
    return [_hits(rule, i, fired[i], rows, subjects, lookup) for i, rule in enumerate(rules)]


def distinct_only(rules: list[Rule]) -> set[str]:
    """Text columns the rules' aggregates only count distinct values of (``n_unique(x)``):
    plans read their integer codes (``derived.code_name``), cheaper to hash and to hold."""
    counted: set[str] = set()
    other: set[str] = set()

    def walk(node: g.Node) -> None:
        if isinstance(node, g.Call) and node.name == "n_unique" and len(node.args) == 1 and (
                isinstance(node.args[0], g.Name)):
            counted.add(node.args[0].dotted)
            return
        if isinstance(node, g.Name):
            other.add(node.dotted)
        for child in g.children(node):
            walk(child)

    for rule in rules:
        for aggregate in rule.aggregates:
            walk(aggregate.node)
    return {c for c in counted - other if ROW_TYPES.get(c) == "str"}


def _subjects(frame: pl.LazyFrame, key: str, rows: pl.DataFrame,
              keys: pl.DataFrame) -> pl.DataFrame:
    """``SUBJECT`` of the ``keys`` that fired, read from one row of each: the subject's
    text is only needed for the few that fire."""
    first = (rows.join(keys.unique(), on=KEYS, how="semi")
             .group_by(KEYS).agg(pl.col("_row").first()))
    texts = frame.select(key, NAME_OF[key]).collect()[first.get_column("_row")]
    return pl.concat([first.select(KEYS), texts.select(subject_exprs(key))],
                     how="horizontal").select(SUBJECT)


def _wanted(aggregates: list[pl.Expr], index: int, condition: pl.Expr) -> list[pl.Expr]:
    """The aggregates of rule ``index`` that ``condition`` refers to."""
    names = {f"_r{index}__{name}" for name in _referenced(condition)}
    return [e for e in aggregates if e.meta.output_name() in names]


@dataclass(frozen=True)
class Pruned:
    """What ``_prune`` leaves: the rows still counting towards some rule (each rule's mask
    cleared where it cannot fire) and, per rule, its poisoned buckets (``_key``,
    ``_bucket``) or None."""

    rows: pl.DataFrame
    poisoned: list[pl.DataFrame | None]


def _hopeful_keys(rows: pl.DataFrame, rules: list[Rule], aggregates: list[pl.Expr],
                  params: Parameters) -> pl.DataFrame:
    """``rows`` (sorted by key, then time) with each rule's mask cleared on the keys where the
    monotone part of its ``having`` fails on all the key's rows of the batch (no window, a
    part of them, can pass it), and the rows left without a rule dropped: one group-by for
    all the rules, on the sorted key, so that polars groups slices of rows rather than
    hashing ten million keys. Keys are cut into segments by ``_prune`` afterwards, for the
    rules with an anti-monotone part."""
    needs = [prune_condition(rule, params) for rule in rules]
    wanted = [e for i, need in enumerate(needs) if need is not None
              for e in _wanted(aggregates, i, need)]
    if not wanted:
        return rows
    keys = rows.group_by(KEYS).agg(wanted)
    masks = [pl.col(f"_m{i}") if need is None else pl.col(f"_m{i}") & pl.col("_key").is_in(
        _passes(keys, i, rule, KEYS, need).get_column("_key").implode())
        for i, (rule, need) in enumerate(zip(rules, needs, strict=True))]
    return rows.with_columns(mask.alias(f"_m{i}") for i, mask in enumerate(masks)).filter(
        pl.any_horizontal(f"_m{i}" for i in range(len(rules))))


def _prune(rows: pl.DataFrame, rules: list[Rule], aggregates: list[pl.Expr], window: Window,
           params: Parameters, poisons: list[pl.Expr | None]) -> Pruned:
    """Each rule's mask cleared on the rows that cannot be in a window firing it (see the
    module doc), and rows left without a rule dropped. ``poisons`` are the rules'
    anti-monotone parts, checked per bucket (None: none, or windows not a whole number of
    steps long). ``rows`` are sorted by key and time, so that buckets and segments are runs
    of rows: numbered in one pass, they are looked up by position rather than joined back."""
    table = None
    if any(p is not None for p in poisons):
        bucket = pl.col("booked_at").dt.truncate(window.step)
        rows = rows.with_columns(_bucket=bucket).with_columns(
            _bid=_runs(pl.col("_key").ne_missing(pl.col("_key").shift(1))
                       | pl.col("_bucket").ne_missing(pl.col("_bucket").shift(1))).set_sorted())
        table = rows.group_by("_bid", maintain_order=True).agg(
            pl.col(*KEYS, "_bucket").first(),
            *(pl.col(f"_m{i}").any().alias(f"_has{i}") for i, p in enumerate(poisons)
              if p is not None),
            *(e for i, p in enumerate(poisons) if p is not None
              for e in _wanted(aggregates, i, p)))
    masks, poisoned = [], []
    for i, rule in enumerate(rules):
        alive, bad = _alive_rows(rows, table, i, rule, aggregates, window,
                                 prune_condition(rule, params), poisons[i])
        masks.append(pl.col(f"_m{i}") if alive is None else pl.lit(alive))
        poisoned.append(bad)
    pruned = rows.with_columns(mask.alias(f"_m{i}") for i, mask in enumerate(masks))
    kept = pruned.filter(pl.any_horizontal(f"_m{i}" for i in range(len(rules))))
    return Pruned(kept.drop("_bucket", "_bid", strict=False), poisoned)


def _runs(starts: pl.Expr) -> pl.Expr:
    """A number for each run of rows, counted from 0, given where each run ``starts``."""
    return starts.cast(pl.UInt32).cum_sum() - 1


def _alive_rows(rows: pl.DataFrame, table: pl.DataFrame | None, index: int, rule: Rule,
                aggregates: list[pl.Expr], window: Window, needed: pl.Expr | None,
                poison: pl.Expr | None) -> tuple[pl.Series | None, pl.DataFrame | None]:
    """Rule ``index``'s mask on ``rows`` (sorted by key and time) cleared where its rows
    cannot be in a firing window, and its poisoned buckets: both None without an
    anti-monotone part, when a key is its only segment (``_hopeful_keys`` checked it).
    ``table`` holds the plan's buckets (``_bid``: a row's bucket's position in it) with the
    rule's anti-monotone aggregates.

    A poisoned bucket (the anti-monotone part fails on its rows) fails every window holding
    it, so a firing window lies between two poisoned buckets: in one segment of the key's
    timeline, at least a window long (the first and last segments are unbounded, windows
    reaching before a key's first row and after its last). The rows of poisoned buckets and
    of shorter segments are dropped; the monotone part must hold on a segment's aggregates,
    or no window of the segment fires."""
    if poison is None or table is None:
        return None, None
    mask = rows.get_column(f"_m{index}")
    step, length = window.step, window.length
    same_key = pl.col("_key") == pl.col("_key").shift(1)
    poisoned_at = pl.when("_bad").then("_bucket")
    poisoned_key = pl.when("_bad").then("_key")
    room = (pl.when(poisoned_key.backward_fill() == pl.col("_key"))
            .then(poisoned_at.backward_fill())
            - pl.when(poisoned_key.forward_fill() == pl.col("_key"))
            .then(poisoned_at.forward_fill()) - step)
    timeline = (
        _named(table, index, rule, [*KEYS, "_bucket", f"_has{index}"])
        .select(*KEYS, "_bucket",
                _bad=pl.col(f"_has{index}") & ~poison.fill_null(value=True))
        .with_columns(_segment=_runs(~same_key.fill_null(value=False) | pl.col("_bad")),
                      _usable=~pl.col("_bad") & (room.fill_null(length) >= length))
    )
    bad = timeline.filter(pl.col("_bad")).select(*KEYS, "_bucket")
    at = rows.get_column("_bid")
    mask = mask & timeline.get_column("_usable").gather(at)
    segment = timeline.get_column("_segment").gather(at)
    if needed is not None:
        mine = rows.with_columns(pl.lit(mask).alias(f"_m{index}"),
                                 pl.lit(segment).alias("_segment")).filter(f"_m{index}")
        segments = mine.group_by("_segment").agg(_wanted(aggregates, index, needed))
        alive = _passes(segments, index, rule, ["_segment"], needed).get_column("_segment")
        mask = mask & segment.is_in(alive.implode())
    return mask, bad


def _unpoisoned(fired: pl.DataFrame, poisoned: pl.DataFrame | None) -> pl.DataFrame:
    """``fired`` windows without those holding a poisoned bucket: their rule fails there
    although the bucket's rows, dropped, no longer say so."""
    if poisoned is None or fired.is_empty():
        return fired
    holding = (fired.select(*KEYS, *_BOUNDS).join(poisoned, on=KEYS)
               .filter(pl.col("_bucket").is_between(_BOUNDS[0], _BOUNDS[1], closed="left"))
               .select(*KEYS, "_lower_boundary").unique())
    return fired.join(holding, on=[*KEYS, "_lower_boundary"], how="anti")


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
          subjects: pl.DataFrame, lookup: pl.DataFrame) -> pl.DataFrame:
    """One hit per episode; transaction ids and the subject's most frequent spelling are
    looked up in ``lookup`` (the batch's ``transaction_id`` and ``_name``, by position: a
    row's ``_row``) for the involved rows only."""
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
        rows.filter(pl.col(f"_m{index}")
                    & pl.col("_key").is_in(episodes.get_column("_key").implode()))
        .join(episodes.select(*KEYS, "_episode", "window_start", "window_end"), on=KEYS)
        .filter(pl.col("booked_at").is_between("window_start", "window_end", closed="left"))
        .select(*KEYS, "_episode", "_row")
    )
    involved = (
        pl.concat([involved, lookup[involved.get_column("_row")]], how="horizontal").lazy()
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
