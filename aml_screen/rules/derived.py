"""Columns the rules can use besides the transaction schema's, computed once per batch.

``amount_xof`` converts with the parameters' rates in Decimal (a currency without a rate
gives null, so no threshold silently compares a foreign amount as if it were XOF);
``channel_kind`` reads the bank's free-text channel label (``Versement espèces``,
``Orange Money``, ``cash_deposit``) with the parameters' vocabulary.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

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


SUBJECT_TEXT = {"originator_account": "originator_id", "beneficiary_account": "beneficiary_id",
                "originator_name": "originator_name", "beneficiary_name": "beneficiary_name"}
"""The column equal to a rule subject's text (``hits.subject_exprs``: the account, or the
party's name where there is none), by the subject's key."""


def code_name(column: str) -> str:
    """The column holding an integer code of ``column``'s text (``code_expr``)."""
    return f"_code_{column}"


def check_name(column: str) -> str:
    """The column holding a second hash of ``column``'s text (``codes_collide``)."""
    return f"_check_{column}"


def code_expr(column: str, seed: int = 0) -> pl.Expr:
    """An integer code of a text column, ``code_name(column)``: the text's 64-bit hash (null
    where the text is). Equal texts get equal codes in every column, so an account's code is
    the same as originator and as beneficiary, and is its subject's (``SUBJECT_TEXT``) code.
    Sorting, grouping and joining integers is several times faster than texts, and hashing
    texts costs a twentieth of polars' categorical cast (~3 CPU seconds per ten million);
    that different texts got different codes is checked (``codes_collide``)."""
    text = pl.col(column)
    return pl.when(text.is_not_null()).then(text.hash(seed)).alias(code_name(column))


def check_expr(column: str) -> pl.Expr:
    """A second hash of ``column``'s texts, with another seed: ``codes_collide`` reads it."""
    return code_expr(column, seed=1).alias(check_name(column))


def exact_code_expr(column: str) -> pl.Expr:
    """``code_name(column)`` from polars' global categorical mapping: no two texts share a
    code, at several times the cost of ``code_expr``."""
    return pl.col(column).cast(pl.Categorical).to_physical().cast(pl.UInt64).alias(
        code_name(column))


def codes_collide(frame: pl.DataFrame, columns: list[str]) -> bool:
    """Whether two different texts of ``columns`` may share a code (``code_expr``), read from
    their codes and checks (``check_expr``). Without a collision there are as many distinct
    codes as texts, and never more distinct codes xor-ed with their checks; a code shared by
    two texts whose checks differ makes the xor-ed codes the more distinct. Two texts whose
    codes and checks both collide (odds of 2^-64 given a collision) would go unseen."""
    code, check = pl.col("code"), pl.col("check")
    distinct = [frame.lazy().select(code=code_name(c), check=check_name(c)).select(
        code.unique().implode(), (code ^ check).unique().implode().alias("mixed"))
        for c in columns]
    codes, mixed = pl.concat(distinct).select(
        pl.col("code", "mixed").explode().n_unique()).collect().row(0)
    return bool(mixed > codes)


SEARCH_PREFIX = "_search:"


def search_name(column: str, pattern: str) -> str:
    """The Boolean column telling whether ``column``'s folded text (lower case, no accents)
    matches the regular expression ``pattern``: ``contains_any`` on a column reads it. Its
    name holds the column and the pattern, so that ``add_searches`` knows what to compute
    from the expressions alone."""
    return f"{SEARCH_PREFIX}{column}:{pattern}"


def searches_in(exprs: Iterable[pl.Expr]) -> dict[str, tuple[str, str]]:
    """The search columns ``exprs`` read: name -> (column searched, pattern)."""
    found: dict[str, tuple[str, str]] = {}
    for expr in exprs:
        for name in expr.meta.root_names():
            if name.startswith(SEARCH_PREFIX):
                column, _, pattern = name.removeprefix(SEARCH_PREFIX).partition(":")
                found[name] = (column, pattern)
    return found


def add_searches(frame: pl.DataFrame, exprs: Iterable[pl.Expr]) -> pl.DataFrame:
    """``frame`` with the search columns (``search_name``) that ``exprs`` read. Each distinct
    text is folded and searched once, and rows are matched by their integer code: payment
    reasons repeat a great deal, and regular expressions are costly per row. A searched
    column may be text or categorical."""
    searches = searches_in(exprs)
    found = []
    for column in sorted({column for column, _ in searches.values()}):
        codes = pl.col(column).cast(pl.Categorical)
        distinct = frame.select(codes.drop_nulls().unique()).to_series()
        texts = distinct.cast(pl.String).to_frame("text").select(fold_expr(pl.col("text")))
        for name, (searched, pattern) in searches.items():
            if searched == column:
                matching = distinct.filter(texts.to_series().str.contains(pattern))
                found.append(codes.is_in(matching.implode()).alias(name))
    return frame.with_columns(found)


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
