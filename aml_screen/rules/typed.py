"""Typed values of compiled rule expressions and the helpers shared by the compiler and
the function table (``functions.py``), which both import this module and not each other.

Types: ``bool``, ``str``, ``int``, ``float``, ``decimal``, ``datetime``, a list of strings
``strlist``, or ``number`` for a literal or scalar parameter, which takes the type of what
it meets.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from aml_screen.rules import grammar as g
from aml_screen.rules.derived import fold_expr, fold_text
from aml_screen.schema import AMOUNT_DTYPE

NUMERIC = frozenset({"int", "float", "decimal", "number"})


@dataclass(frozen=True)
class Typed:
    expr: pl.Expr
    type: str
    value: Decimal | None = None
    """The number itself when ``type == "number"``."""
    words: tuple[str, ...] = ()
    """The strings themselves when ``type == "strlist"``."""


def type_of(dtype: pl.DataType) -> str:
    if dtype == pl.Boolean:
        return "bool"
    if dtype == pl.String:
        return "str"
    if isinstance(dtype, pl.Decimal):
        return "decimal"
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "float"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    return str(dtype)


def fail(key: str, node: g.Node, **params: object) -> g.ExpressionError:
    return g.ExpressionError(key, pos=node.pos + 1, **params)


def number_expr(typed: Typed, target: str) -> pl.Expr:
    """A ``number`` as a literal of ``target`` type (Decimal for money)."""
    if typed.type != "number" or typed.value is None:
        return typed.expr
    if target in ("decimal", "number"):
        return pl.lit(typed.value, dtype=AMOUNT_DTYPE)
    if target == "int" and typed.value == typed.value.to_integral_value():
        return pl.lit(int(typed.value), dtype=pl.Int64)
    return pl.lit(float(typed.value), dtype=pl.Float64)


def numeric_result(a: Typed, b: Typed) -> str:
    types = {a.type, b.type}
    for kind in ("float", "decimal", "int"):
        if kind in types:
            return kind
    return "number"


def word_pattern(words: tuple[str, ...]) -> str:
    """A regular expression matching any of ``words`` (folded) as whole words."""
    escaped = ("".join("\\" + c if c in _REGEX_META else c for c in fold_text(w))
               for w in words)
    return r"\b(?:" + "|".join(escaped) + r")\b"


_REGEX_META = frozenset("\\.+*?()|[]{}^$#&-~")


def text_contains_any(text: pl.Expr, words: tuple[str, ...]) -> pl.Expr:
    """Case- and accent-insensitive search for any of ``words`` as whole words ("or" finds
    "achat or" but not "fournisseur")."""
    return fold_expr(text).str.contains(word_pattern(words))
