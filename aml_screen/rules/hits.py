"""Turning what fired into ``RULE_HIT_SCHEMA`` rows: the subject (an account, or a party by
its normalised name, the same id its watchlist alerts carry) and the evidence JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from aml_screen.names.normalise import normalise_names
from aml_screen.rules.model import NAME_OF, SUBJECT_KEYS, Rule
from aml_screen.schema import RULE_HIT_SCHEMA, conform


def subject_exprs(key: str) -> list[pl.Expr]:
    """``_subject`` and ``_subject_name`` of a row for a rule about ``key``. A row without the
    account (a cash depositor) falls back to the party's name."""
    name = pl.col(NAME_OF[key])
    if SUBJECT_KEYS[key] == "party":
        return [name.alias("_subject"), name.alias("_subject_name"),
                pl.lit("party").alias("_subject_type")]
    account = pl.col(key)
    return [
        pl.coalesce(account, name).alias("_subject"),
        name.alias("_subject_name"),
        pl.when(account.is_null()).then(pl.lit("party")).otherwise(pl.lit("account"))
        .alias("_subject_type"),
    ]


def jsonable(value: Any) -> Any:
    """``value`` with Decimals as exact text, floats rounded and times in ISO 8601."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return round(value, 4)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def evidence_json(rule: Rule, rows: Sequence[dict[str, Any]]) -> list[str]:
    """One JSON text per fired row: the rule's kind and parameters with the row's values."""
    base = {"kind": rule.kind, "rule_id": rule.id, "parameters": rule_parameters(rule)}
    return [json.dumps({**base, **{k: jsonable(v) for k, v in row.items()}},
                       ensure_ascii=False, sort_keys=True) for row in rows]


def rule_parameters(rule: Rule) -> dict[str, Any]:
    return {name: jsonable(value) for name, value in rule.parameters_used.items()}


def finish(rule: Rule, fired: pl.DataFrame, evidence: list[str]) -> pl.DataFrame:
    """RULE_HIT_SCHEMA rows from ``fired`` (``_subject``, ``_subject_type``,
    ``_subject_name``, ``transaction_ids``,
    ``window_start``, ``window_end``; ``_subject_id`` when the party name is already
    normalised)."""
    if fired.is_empty():
        return pl.DataFrame(schema=RULE_HIT_SCHEMA)
    if "_subject_id" not in fired.columns:
        names = fired.filter(pl.col("_subject_type") == "party").get_column("_subject").unique()
        normalised = dict(zip(names.to_list(), normalise_names(names).to_list(), strict=True))
        fired = fired.with_columns(
            _subject_id=pl.when(pl.col("_subject_type") == "party")
            .then(pl.col("_subject").replace(normalised)).otherwise(pl.col("_subject")))
    frame = fired.with_columns(
        rule_id=pl.lit(rule.id), typology=pl.lit(rule.typology),
        severity_score=pl.lit(rule.severity),
        subject_type=pl.col("_subject_type"),
        subject_id=pl.col("_subject_id"),
        subject_name=pl.col("_subject_name"),
        evidence=pl.Series(evidence, dtype=pl.String),
    )
    return conform(frame, RULE_HIT_SCHEMA).select(list(RULE_HIT_SCHEMA))
