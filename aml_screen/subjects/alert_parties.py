"""Which sides of which transactions an alert is about: what ties an alert to the subjects
those parties resolved to.

An alert names its subject as screening saw it: a party by its normalised name, or an
account by its number, with the transactions involved. The sides are found again in those
transactions: the side whose normalised name (``names.normalise``, as screening and the
rules normalise it) or whose account is the alert's subject.
"""

from __future__ import annotations

import polars as pl

from aml_screen.alerts import alert_subject
from aml_screen.names.normalise import normalise_names
from aml_screen.schema import PARTY_ROLES

ALERT_PARTIES: dict[str, pl.DataType] = {
    "alert_id": pl.String(), "transaction_id": pl.String(), "party_role": pl.String()}


def alert_parties(alerts: pl.DataFrame, transactions: pl.DataFrame,
                  same_party: pl.DataFrame | None = None) -> pl.DataFrame:
    """(``alert_id``, ``transaction_id``, ``party_role``) for ``alerts`` (``ALERT_SCHEMA``)
    over the batch's ``transactions``; names that ``same_party`` (``alerts.SAME_PARTY``)
    grouped under one alert are found under it."""
    involved = alerts.select("alert_id", "subject_type", "subject_id",
                             transaction_id="transaction_ids").explode("transaction_id")
    wanted = transactions.join(involved.select("transaction_id").unique(), on="transaction_id",
                               how="semi")
    sides = pl.concat([wanted.select(
        "transaction_id", party_role=pl.lit(role), name=pl.col(f"{role}_name"),
        account=pl.col(f"{role}_account")) for role in PARTY_ROLES])
    names = sides.get_column("name").drop_nulls().unique()
    table = dict(zip(names.to_list(), normalise_names(names).to_list(), strict=True))
    sides = sides.with_columns(normalised=alert_subject(pl.col("name").replace_strict(
        table, default=None, return_dtype=pl.String), same_party))
    by_name = involved.filter(pl.col("subject_type") == "party").join(
        sides, left_on=["transaction_id", "subject_id"],
        right_on=["transaction_id", "normalised"])
    by_account = involved.filter(pl.col("subject_type") == "account").join(
        sides, left_on=["transaction_id", "subject_id"], right_on=["transaction_id", "account"])
    return pl.concat([frame.select(list(ALERT_PARTIES)) for frame in (by_name, by_account)]
                     ).unique().sort(list(ALERT_PARTIES))
