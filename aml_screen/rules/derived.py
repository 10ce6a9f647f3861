"""Columns the rules can use besides the transaction schema's, computed once per batch.

``amount_xof`` converts with the parameters' rates in Decimal (a currency without a rate
gives null, so no threshold silently compares a foreign amount as if it were XOF);
``channel_kind`` reads the bank's free-text channel label (``Versement espèces``,
``Orange Money``, ``cash_deposit``) with the parameters' vocabulary.
"""

from __future__ import annotations

import unicodedata

import polars as pl

from aml_screen.rules.parameters import Parameters
from aml_screen.schema import AMOUNT_DTYPE, TRANSACTION_SCHEMA

DERIVED_SCHEMA: dict[str, pl.DataType] = {
    "amount_xof": AMOUNT_DTYPE,
    "channel_kind": pl.String(),
    "is_cash": pl.Boolean(),
    "cross_border": pl.Boolean(),
    "corridor": pl.String(),
    "hour": pl.Int8(),
    "weekday": pl.Int8(),
    "originator_id": pl.String(),
    "beneficiary_id": pl.String(),
}
"""``hour`` and ``weekday`` (1 = Monday) are local: in the deployment's time zone (``booked_at``
is in UTC), so that "at night" means the investigators' night.
``originator_id``/``beneficiary_id`` identify a party by its account, or by its name where the
batch has no account (a cash depositor): what "distinct senders" counts."""
OTHER_CHANNEL = "other"
RULE_COLUMNS: dict[str, pl.DataType] = {**TRANSACTION_SCHEMA, **DERIVED_SCHEMA}


def fold_text(text: str) -> str:
    """Lower case without accents, as ``fold_expr`` does to a column."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_expr(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().str.normalize("NFD").str.replace_all(r"\p{Mn}", "")


def folded_name(column: str) -> str:
    """The column holding ``column``'s text folded (lower case, no accents): computed once
    per batch for the columns that ``contains_any`` searches."""
    return f"_folded_{column}"


def add_folded(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """``frame`` with ``folded_name(c)`` for each of ``columns``. Each distinct text is folded
    once: payment reasons repeat a great deal, and folding is costly per row."""
    folded = []
    for column in columns:
        distinct = frame.get_column(column).drop_nulls().unique()
        table = distinct.to_frame().select(fold_expr(pl.col(column))).to_series()
        folded.append(pl.col(column).replace_strict(distinct, table, default=None,
                                                    return_dtype=pl.String)
                      .alias(folded_name(column)))
    return frame.with_columns(folded)


def kind_of_label(label: str, params: Parameters) -> str:
    """The channel kind of one label: the first kind with a word found in it."""
    folded = fold_text(label)
    for name, words in params.channel_kinds.items():
        if any(fold_text(w) in folded for w in words):
            return name
    return OTHER_CHANNEL


def add_derived(frame: pl.LazyFrame, params: Parameters, timezone: str = "UTC") -> pl.LazyFrame:
    """``frame`` (TRANSACTION_SCHEMA) with the ``DERIVED_SCHEMA`` columns appended, ``hour``
    and ``weekday`` in ``timezone`` (an IANA zone such as ``Africa/Niamey``).

    A bank writes a handful of channel labels: each distinct label is read once (one small
    query on the ``channel`` column) rather than every row's text."""
    labels = frame.select(pl.col("channel").drop_nulls().unique()).collect().to_series()
    kinds = {label: kind_of_label(label, params) for label in labels.to_list()}
    rate = pl.col("currency").replace_strict(params.fx_to_xof, default=None,
                                             return_dtype=AMOUNT_DTYPE)
    origin, destination = pl.col("originator_country"), pl.col("beneficiary_country")
    local = pl.col("booked_at").dt.convert_time_zone(timezone)
    return frame.with_columns(
        amount_xof=pl.col("amount") * rate,
        channel_kind=pl.col("channel").replace_strict(kinds, default=OTHER_CHANNEL,
                                                      return_dtype=pl.String),
    ).with_columns(
        is_cash=pl.col("channel_kind") == "cash",
        cross_border=(origin != destination).fill_null(value=False),
        corridor=origin.fill_null("?") + pl.lit(">") + destination.fill_null("?"),
        hour=local.dt.hour().cast(pl.Int8),
        weekday=local.dt.weekday().cast(pl.Int8),
        originator_id=pl.coalesce("originator_account", "originator_name"),
        beneficiary_id=pl.coalesce("beneficiary_account", "beneficiary_name"),
    )
