"""The labels the queue filters on, computed when alerts are stored: an alert's lists, rules,
typologies and the countries (either side) of its transactions.

Countries are data of the alert's transactions, copied onto the alert at load time so that
no queue view ever joins the transactions table (that join, per view, was what made the
queue take 43 s after one 100,000-row batch).
"""

from __future__ import annotations

import polars as pl

_LIST_LABELS = (("list", "list_ids"), ("rule", "rule_ids"), ("typology", "typologies"))
_COUNTRY_COLUMNS = ("originator_country", "beneficiary_country")
LABEL_SCHEMA = {"alert_id": pl.String, "kind": pl.String, "value": pl.String}


def label_rows(alerts: pl.DataFrame, transactions: pl.DataFrame) -> pl.DataFrame:
    """One row per (alert key, kind, value) of ``alerts`` (``ALERT_SCHEMA``); countries
    come from ``transactions`` of the same batch, joined on the alert's transaction ids."""
    parts = [alerts.select("alert_id", kind=pl.lit(kind), value=pl.col(column))
             .explode("value") for kind, column in _LIST_LABELS]
    countries = (alerts.select("alert_id", transaction_id=pl.col("transaction_ids"))
                 .explode("transaction_id")
                 .join(transactions.select("transaction_id", *_COUNTRY_COLUMNS),
                       on="transaction_id")
                 .unpivot(on=list(_COUNTRY_COLUMNS), index="alert_id", value_name="value")
                 .select("alert_id", kind=pl.lit("country"), value=pl.col("value")))
    found = pl.concat([*parts, countries]).cast(LABEL_SCHEMA)  # type: ignore[arg-type]
    return (found.filter(pl.col("value").is_not_null() & (pl.col("value") != ""))
            .unique().sort("alert_id", "kind", "value"))

