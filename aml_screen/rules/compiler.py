"""Typed compilation of condition ASTs to polars expressions.

Every node gets a type (``bool``, ``str``, ``int``, ``float``, ``decimal``, ``datetime``, a
list of strings ``strlist``, or ``number`` for a literal or scalar parameter, which takes the
type of what it meets). Money stays Decimal: a number compared with or added to a Decimal
column becomes a ``Decimal(38, 4)`` literal; ``/`` is the only operator that yields floats
(a ratio, not an amount).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

import polars as pl

from aml_screen.rules import grammar as g
from aml_screen.rules.functions import AGGREGATES, ROW_FUNCTIONS
from aml_screen.rules.parameters import Parameters, to_decimal
from aml_screen.rules.typed import NUMERIC, Typed, fail, number_expr, numeric_result
from aml_screen.schema import AMOUNT_DTYPE


@dataclass(frozen=True)
class Scope:
    """What names mean where an expression is compiled."""

    columns: dict[str, str]
    params: Parameters
    row_level: bool = True
    """Per-currency parameters need the row's ``currency``: allowed in row conditions only."""
    aggregate_mask: pl.Expr | None = None
    """Set when compiling aggregates: the rows they aggregate; bare columns are then refused
    outside an aggregate function."""


def compile_expr(node: g.Node, scope: Scope) -> Typed:
    if isinstance(node, g.Number):
        value = to_decimal(node.text)
        if value is None:
            raise fail("rules.expr.bad_number", node, text=node.text)
        return Typed(pl.lit(value, dtype=AMOUNT_DTYPE), "number", value=value)
    if isinstance(node, g.String):
        return Typed(pl.lit(node.value), "str")
    if isinstance(node, g.Constant):
        return Typed(pl.lit(node.value), "null" if node.value is None else "bool")
    if isinstance(node, g.ListOf):
        words = tuple(item.value for item in node.items if isinstance(item, g.String))
        if len(words) != len(node.items):
            raise fail("rules.expr.list_of_text", node)
        return Typed(pl.lit(list(words), dtype=pl.List(pl.String)), "strlist", words=words)
    if isinstance(node, g.Name):
        return _name(node, scope)
    if isinstance(node, g.Unary):
        return _unary(node, scope)
    if isinstance(node, g.Binary):
        return _binary(node, scope)
    return _call(node, scope)


def _name(node: g.Name, scope: Scope) -> Typed:
    head, *rest = node.parts
    params = scope.params
    if head in ("param", "set", "words") and len(rest) == 1:
        name = rest[0]
        if head == "set" and name in params.sets:
            words = tuple(sorted(params.sets[name]))
            return Typed(pl.lit(list(words), dtype=pl.List(pl.String)), "strlist", words=words)
        if head == "words" and name in params.words:
            words = params.words[name]
            return Typed(pl.lit(list(words), dtype=pl.List(pl.String)), "strlist", words=words)
        if head == "param" and name in params.params:
            value = params.params[name]
            if isinstance(value, Decimal):
                return Typed(pl.lit(value, dtype=AMOUNT_DTYPE), "number", value=value)
            if not scope.row_level:
                raise fail("rules.expr.currency_param_here", node, name=node.dotted)
            table = pl.col("currency").replace_strict(value, default=None,
                                                      return_dtype=AMOUNT_DTYPE)
            return Typed(table, "decimal")
        key = {"param": "rules.expr.unknown_param", "set": "rules.expr.unknown_set",
               "words": "rules.expr.unknown_words"}[head]
        raise fail(key, node, name=node.dotted)
    if rest or head not in scope.columns:
        raise fail("rules.expr.unknown_column", node, name=node.dotted)
    if scope.aggregate_mask is not None:
        raise fail("rules.expr.column_outside_aggregate", node, name=head)
    return Typed(pl.col(head), scope.columns[head])


def _unary(node: g.Unary, scope: Scope) -> Typed:
    operand = compile_expr(node.operand, scope)
    if node.op == "not":
        _expect(operand, {"bool"}, node.operand)
        return Typed(~operand.expr, "bool")
    _expect(operand, NUMERIC, node.operand)
    if operand.value is not None:
        return Typed(pl.lit(-operand.value, dtype=AMOUNT_DTYPE), "number", value=-operand.value)
    return Typed(-operand.expr, operand.type)


def _expect(typed: Typed, allowed: set[str] | frozenset[str], node: g.Node) -> None:
    if typed.type not in allowed:
        raise fail("rules.expr.type_mismatch", node, found=typed.type,
                   expected=" | ".join(sorted(allowed)))


def _binary(node: g.Binary, scope: Scope) -> Typed:
    left, right = compile_expr(node.left, scope), compile_expr(node.right, scope)
    op = node.op
    if op in ("and", "or"):
        _expect(left, {"bool"}, node.left)
        _expect(right, {"bool"}, node.right)
        return Typed(left.expr & right.expr if op == "and" else left.expr | right.expr, "bool")
    if op in ("in", "not in"):
        _expect(left, {"str"}, node.left)
        _expect(right, {"strlist"}, node.right)
        member = left.expr.is_in(list(right.words))
        return Typed(~member if op == "not in" else member, "bool")
    if op in ("==", "!=") and "null" in (left.type, right.type):
        other = right if left.type == "null" else left
        return Typed(other.expr.is_null() if op == "==" else other.expr.is_not_null(), "bool")
    if op in g.BINARY_PRECEDENCE and g.BINARY_PRECEDENCE[op] == 4:
        return Typed(_compare(op, left, right, node), "bool")
    _expect(left, NUMERIC, node.left)
    _expect(right, NUMERIC, node.right)
    if op == "/":
        a, b = (number_expr(x, "float").cast(pl.Float64) for x in (left, right))
        return Typed(a / b, "float")
    result = numeric_result(left, right)
    if result == "number" and left.value is not None and right.value is not None:
        value = _fold(op, left.value, right.value, node)
        return Typed(pl.lit(value, dtype=AMOUNT_DTYPE), "number", value=value)
    a, b = number_expr(left, result), number_expr(right, result)
    expr = {"+": a + b, "-": a - b, "*": a * b, "%": a % b}[op]
    return Typed(expr.cast(AMOUNT_DTYPE) if result == "decimal" else expr, result)


def _fold(op: str, a: Decimal, b: Decimal, node: g.Node) -> Decimal:
    if op == "%" and b == 0:
        raise fail("rules.expr.bad_number", node, text=f"{a} % 0")
    value = {"+": a + b, "-": a - b, "*": a * b}[op] if op != "%" else a % b
    return value.quantize(Decimal(1).scaleb(-4)).normalize()


def _compare(op: str, left: Typed, right: Typed, node: g.Binary) -> pl.Expr:
    kinds = {left.type, right.type}
    if not (kinds <= NUMERIC or (len(kinds) == 1 and kinds <= {"str", "bool", "datetime"})):
        raise fail("rules.expr.type_mismatch", node, found=f"{left.type} {op} {right.type}",
                   expected="same types")
    target = numeric_result(left, right) if kinds <= NUMERIC else left.type
    a, b = number_expr(left, target), number_expr(right, target)
    compare: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
        "==": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y,
        "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, ">=": lambda x, y: x >= y,
    }
    return compare[op](a, b)


def _call(node: g.Call, scope: Scope) -> Typed:
    if node.name in AGGREGATES:
        if scope.aggregate_mask is None:
            raise fail("rules.expr.aggregate_here", node, name=node.name)
        inner = replace(scope, aggregate_mask=None)
        args = [compile_expr(arg, inner) for arg in node.args]
        return AGGREGATES[node.name](node, args, scope.aggregate_mask)
    if node.name not in ROW_FUNCTIONS:
        raise fail("rules.expr.unknown_function", node, name=node.name)
    args = [compile_expr(arg, scope) for arg in node.args]
    return ROW_FUNCTIONS[node.name](node, args)
