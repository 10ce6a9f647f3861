"""Compiling conditions to polars: types, Decimal money, parameters, sets and words."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from aml_screen.rules import grammar as g
from aml_screen.rules.compiler import Scope, compile_expr
from aml_screen.rules.derived import add_searches
from aml_screen.rules.kinds import ROW_TYPES
from aml_screen.rules.parameters import Parameters


def run(text: str, frame: pl.DataFrame, params: Parameters) -> list[object]:
    typed = compile_expr(g.parse(text), Scope(ROW_TYPES, params))
    searchable = add_searches(frame, [typed.expr])
    return searchable.select(typed.expr.alias("r")).get_column("r").to_list()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Decimal comparisons are exact at the boundary, whatever the literal's scale.
        ("amount < 5000000", [True, False, True, True]),
        ("amount >= 5000000.0000", [False, True, False, False]),
        ("amount < param.threshold", [True, False, True, None]),
        ("amount >= param.threshold * param.floor", [True, True, True, None]),
        ("amount_xof >= 4919674", [True, True, False, False]),
        ("amount_xof > param.big_xof / 2", [False, False, False, False]),
        ("is_round(amount, 1000000)", [False, True, False, False]),
        ("is_cash", [True, False, False, False]),
        ("channel_kind", ["cash", "wire", "mobile", "hawala"]),
        ("channel_kind in ['cash', 'hawala']", [True, False, False, True]),
        ("beneficiary_country in set.sahel", [False, True, True, True]),
        ("originator_country not in set.sahel", [False, False, True, None]),
        ("contains_any(purpose, words.drugs)", [False, False, True, False]),
        ("contains_any(purpose, words.gold)", [True, False, False, False]),
        ("cross_border and not is_cash", [False, False, True, False]),
        ("corridor == 'ML>AE'", [True, False, False, False]),
        ("hour >= 22 or hour < 5", [True, False, False, False]),
        ("purpose == null", [False, False, False, True]),
        ("matches(channel, '^[A-Z]')", [True, True, True, True]),
        ("length(currency) + 1", [4, 4, 4, 4]),
        ("-amount < 0 and abs(-amount) == amount", [True, True, True, True]),
    ],
)
def test_condition_values(text: str, expected: list[object], frame: pl.DataFrame,
                          params: Parameters) -> None:
    assert run(text, frame, params) == expected


def test_money_stays_decimal(frame: pl.DataFrame, params: Parameters) -> None:
    typed = compile_expr(g.parse("amount * param.floor + 1"), Scope(ROW_TYPES, params))
    assert typed.type == "decimal"
    values = frame.select(typed.expr.alias("v")).get_column("v")
    assert isinstance(values.dtype, pl.Decimal)
    assert values.to_list()[:2] == [Decimal("4000000.9999"), Decimal("4000001.0000")]
    eur = frame.get_column("amount_xof").to_list()[2]
    assert eur == (Decimal("7499.99") * Decimal("655.957")).quantize(Decimal("0.0001"))


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("1.0001", "0.5000"), ("1.0003", "0.5002"), ("4999999.9999", "2500000.0000")],
)
def test_decimal_products_round_half_even_at_four_places(amount: str, expected: str,
                                                         params: Parameters) -> None:
    """polars 2.1 keeps a Decimal(38, 4) product at scale 4, rounding half to even — the
    ``Decimal`` default — so rule arithmetic matches Python's on the same numbers."""
    frame = pl.DataFrame({"amount": [Decimal(amount)]}, schema={"amount": pl.Decimal(38, 4)})
    typed = compile_expr(g.parse("amount * 0.5"), Scope(ROW_TYPES, params))
    value = frame.select(typed.expr).item()
    assert value == Decimal(expected) == (Decimal(amount) / 2).quantize(Decimal("0.0001"))


def test_constant_arithmetic_is_folded_exactly(params: Parameters) -> None:
    typed = compile_expr(g.parse("0.1 + 0.2"), Scope(ROW_TYPES, params))
    assert typed.type == "number"
    assert typed.value == Decimal("0.3")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("colour == 'red'", "rules.expr.unknown_column"),
        ("amount > 'big'", "rules.expr.type_mismatch"),
        ("purpose + 1 > 2", "rules.expr.type_mismatch"),
        ("amount and is_cash", "rules.expr.type_mismatch"),
        ("originator_country in set.nowhere", "rules.expr.unknown_set"),
        ("amount > param.nowhere", "rules.expr.unknown_param"),
        ("contains_any(purpose, words.nowhere)", "rules.expr.unknown_words"),
        ("contains_any(purpose)", "rules.expr.arity"),
        ("frobnicate(purpose)", "rules.expr.unknown_function"),
        ("count() > 2", "rules.expr.aggregate_here"),
        ("currency in ['XOF', 1]", "rules.expr.list_of_text"),
        ("amount > 1.00001", "rules.expr.bad_number"),
        ("matches(purpose, '(')", "rules.expr.bad_regex"),
    ],
)
def test_type_and_name_errors(text: str, key: str, params: Parameters) -> None:
    with pytest.raises(g.ExpressionError) as caught:
        compile_expr(g.parse(text), Scope(ROW_TYPES, params))
    assert caught.value.key == key
    assert caught.value.params["pos"] >= 1


def test_per_currency_parameter_needs_rows(params: Parameters) -> None:
    scope = Scope({"total": "decimal"}, params, row_level=False)
    with pytest.raises(g.ExpressionError) as caught:
        compile_expr(g.parse("total >= param.threshold"), scope)
    assert caught.value.key == "rules.expr.currency_param_here"
    assert compile_expr(g.parse("total >= param.big_xof"), scope).type == "bool"
