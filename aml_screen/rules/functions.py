"""Functions a condition may call: per-row functions, and aggregate functions for the
``aggregates`` of aggregate rules (each aggregates only the rows of its rule's filter)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from aml_screen.rules import grammar as g
from aml_screen.rules.derived import RULE_COLUMNS, search_name
from aml_screen.rules.typed import (
    NUMERIC,
    Typed,
    fail,
    number_expr,
    text_contains_any,
    word_pattern,
)

RowFunction = Callable[[g.Call, list[Typed]], Typed]
AggregateFunction = Callable[[g.Call, list[Typed], pl.Expr], Typed]

MONOTONE_AGGREGATES = frozenset({"count", "count_if", "sum", "n_unique", "max"})
"""Aggregates that never decrease when rows are added (amounts are never negative: ingest
quarantines them): a key whose whole-batch value misses a ``>=`` threshold cannot reach it
in any window, so it is pruned before windowing."""


def _check(node: g.Call, args: list[Typed], *types: frozenset[str]) -> None:
    if len(args) != len(types):
        raise fail("rules.expr.arity", node, name=node.name, count=len(types))
    for arg, allowed, arg_node in zip(args, types, node.args, strict=True):
        if arg.type not in allowed:
            raise fail("rules.expr.type_mismatch", arg_node, found=arg.type,
                       expected=" | ".join(sorted(allowed)))


STR, BOOL, LIST = frozenset({"str"}), frozenset({"bool"}), frozenset({"strlist"})
ANY = frozenset({"str", "bool", "int", "float", "decimal", "datetime"})


def _contains_any(node: g.Call, args: list[Typed]) -> Typed:
    """On a column, reads its search column (``derived.search_name``), computed once per
    batch on the column's distinct texts."""
    _check(node, args, STR, LIST)
    text = node.args[0]
    if isinstance(text, g.Name) and text.dotted in RULE_COLUMNS:
        found = pl.col(search_name(text.dotted, word_pattern(args[1].words)))
    else:
        found = text_contains_any(args[0].expr, args[1].words)
    return Typed(found.fill_null(value=False), "bool")


def _text(method: str) -> RowFunction:
    def apply(node: g.Call, args: list[Typed]) -> Typed:
        _check(node, args, STR)
        expr = args[0].expr.str.to_lowercase() if method == "lower" else (
            args[0].expr.str.to_uppercase())
        return Typed(expr, "str")
    return apply


def _literal_text(node: g.Call, index: int) -> str:
    arg = node.args[index]
    if not isinstance(arg, g.String):
        raise fail("rules.expr.literal_text", arg, name=node.name)
    return arg.value


def _starts_with(node: g.Call, args: list[Typed]) -> Typed:
    _check(node, args, STR, STR)
    return Typed(args[0].expr.str.starts_with(_literal_text(node, 1)).fill_null(value=False),
                 "bool")


def _matches(node: g.Call, args: list[Typed]) -> Typed:
    """A regular expression (Rust syntax: linear time, no catastrophic backtracking)."""
    _check(node, args, STR, STR)
    pattern = _literal_text(node, 1)
    try:
        pl.select(pl.lit("").str.contains(pattern))
    except pl.exceptions.ComputeError as exc:
        raise fail("rules.expr.bad_regex", node.args[1], detail=str(exc).splitlines()[0]) from exc
    return Typed(args[0].expr.str.contains(pattern).fill_null(value=False), "bool")


def _is_null(negate: bool) -> RowFunction:
    def apply(node: g.Call, args: list[Typed]) -> Typed:
        _check(node, args, ANY)
        return Typed(args[0].expr.is_not_null() if negate else args[0].expr.is_null(), "bool")
    return apply


def _abs(node: g.Call, args: list[Typed]) -> Typed:
    _check(node, args, NUMERIC)
    return Typed(args[0].expr.abs(), args[0].type)


def _is_round(node: g.Call, args: list[Typed]) -> Typed:
    """``is_round(amount, 10000)``: the amount is a whole multiple of the step."""
    _check(node, args, NUMERIC, frozenset({"number"}))
    step = args[1].value
    if step is None or step <= 0:
        raise fail("rules.expr.bad_number", node.args[1], text=str(step))
    target = "decimal" if args[0].type in ("decimal", "number") else args[0].type
    remainder = number_expr(args[0], target) % number_expr(args[1], target)
    return Typed((remainder == number_expr(args[1], target) * 0).fill_null(value=False), "bool")


def _length(node: g.Call, args: list[Typed]) -> Typed:
    _check(node, args, STR)
    return Typed(args[0].expr.str.len_chars().cast(pl.Int64), "int")


ROW_FUNCTIONS: dict[str, RowFunction] = {
    "contains_any": _contains_any, "lower": _text("lower"), "upper": _text("upper"),
    "starts_with": _starts_with, "matches": _matches, "is_null": _is_null(negate=False),
    "not_null": _is_null(negate=True), "abs": _abs, "is_round": _is_round, "length": _length,
}


def _count(node: g.Call, args: list[Typed], mask: pl.Expr) -> Typed:
    _check(node, args)
    return Typed(mask.sum().cast(pl.Int64), "int")


def _count_if(node: g.Call, args: list[Typed], mask: pl.Expr) -> Typed:
    _check(node, args, BOOL)
    return Typed((mask & args[0].expr.fill_null(value=False)).sum().cast(pl.Int64), "int")


def _share(node: g.Call, args: list[Typed], mask: pl.Expr) -> Typed:
    _check(node, args, BOOL)
    hits = (mask & args[0].expr.fill_null(value=False)).sum().cast(pl.Float64)
    return Typed(hits / mask.sum().cast(pl.Float64), "float")


def _over(method: str) -> AggregateFunction:
    def apply(node: g.Call, args: list[Typed], mask: pl.Expr) -> Typed:
        allowed = ANY if method == "n_unique" else NUMERIC - {"number"}
        _check(node, args, allowed)
        if method == "n_unique":
            distinct = args[0].expr.filter(mask).drop_nulls().n_unique()
            return Typed(distinct.cast(pl.Int64), "int")
        # when/then keeps the group's row slices (polars' fast path); filter would not
        values = pl.when(mask).then(args[0].expr)
        if method == "mean":
            return Typed(values.cast(pl.Float64).mean(), "float")
        return Typed(getattr(values, method)(), args[0].type)
    return apply


AGGREGATES: dict[str, AggregateFunction] = {
    "count": _count, "count_if": _count_if, "share": _share, "sum": _over("sum"),
    "mean": _over("mean"), "min": _over("min"), "max": _over("max"),
    "n_unique": _over("n_unique"),
}
