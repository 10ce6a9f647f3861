"""Party records: what subject resolution reads, one row per (batch, transaction, role).

``party_records`` turns an ingest transactions frame (``TRANSACTION_SCHEMA`` plus the
optional ``PARTY_SCHEMA`` KYC columns) into ``RECORD_SCHEMA`` rows; ``prepared`` adds the
keys resolution compares: the name's skeleton key (the matcher's normalisation, particles
dropped, transliterations folded, tokens sorted, so Mohamed Ould Ahmed, MOHAMMED WULD AHMED
and Ahmed Mouhamed are one key) and the identifiers in the forms ingest writes them (ID
numbers in capitals and digits, phones with ``+`` when international). Ingest has already
normalised the KYC columns; normalising again is idempotent and lets callers hand in
records from elsewhere.
"""

from __future__ import annotations

import polars as pl

from aml_screen.ingest.party import id_number, phone
from aml_screen.match.index import token_keys
from aml_screen.names.normalise import normalise_names
from aml_screen.names.tokens import honorific_skeletons, name_tokens
from aml_screen.schema import PARTY_ATTRIBUTES, PARTY_ROLES

RECORD_SCHEMA: dict[str, pl.DataType] = {
    "record_id": pl.String(),
    "batch_id": pl.String(),
    "transaction_id": pl.String(),
    "party_role": pl.String(),
    "name": pl.String(),
    "account": pl.String(),
    "phone": pl.String(),
    "id_number": pl.String(),
    "birth_date": pl.String(),
    "nationality": pl.String(),
    "country": pl.String(),
    "counterparty": pl.String(),
}
"""``record_id`` is ``batch_id|transaction_id|party_role``: the one string decisions and
links name a record by (a store may use its own surrogate key instead: any unique string).
``counterparty`` is the account on the other side of the transaction."""
_TRANSACTION_FIELDS = ("name", "account", "country")


def record_id(batch_id: pl.Expr, transaction_id: pl.Expr, role: pl.Expr) -> pl.Expr:
    return pl.concat_str([batch_id, transaction_id, role], separator="|")


def party_records(transactions: pl.DataFrame, batch_id: str) -> pl.DataFrame:
    """One record per party of each transaction that has a name or an identifier."""
    frames = []
    for role, other in zip(PARTY_ROLES, reversed(PARTY_ROLES), strict=True):
        fields = {
            field: (pl.col(f"{role}_{field}") if f"{role}_{field}" in transactions.columns
                    else pl.lit(None, pl.String))
            for field in (*_TRANSACTION_FIELDS, *PARTY_ATTRIBUTES)
        }
        frames.append(transactions.select(
            record_id=record_id(pl.lit(batch_id), pl.col("transaction_id"), pl.lit(role)),
            batch_id=pl.lit(batch_id), transaction_id="transaction_id",
            party_role=pl.lit(role), **fields,
            counterparty=(pl.col(f"{other}_account") if f"{other}_account" in transactions.columns
                          else pl.lit(None, pl.String))))
    records = pl.concat(frames, how="vertical_relaxed").cast(
        RECORD_SCHEMA).select(list(RECORD_SCHEMA))  # type: ignore[arg-type]
    evidence = ("name", "account", "phone", "id_number")
    return records.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in evidence))


def name_keys(names: pl.Series) -> pl.Series:
    """Each name's skeleton key (null for a null or empty name), computed once per
    distinct name. Honorifics are left out wherever they stand: normalisation drops them
    at the front only (further in they may be part of a listed name), but a bank writing
    the surname first leaves "El Hadj" inside (TRAORE El Hadj Moussa), and the person is
    the same."""
    distinct = names.drop_nulls().unique()
    tokens = name_tokens(normalise_names(distinct))
    honorific = pl.col("skeleton").is_in(sorted(honorific_skeletons()))
    tokens = tokens.filter(~honorific | honorific.all().over("row"))
    keys = token_keys(tokens, distinct.len(), "skeleton")
    table = dict(zip(distinct.to_list(), keys.to_list(), strict=True))
    return names.replace_strict(table, default=None, return_dtype=pl.String)


def account_key(account: pl.Expr) -> pl.Expr:
    """An account as compared: capitals and digits, ``+`` kept in front, so that a
    mobile-money account written as the phone number (``+223 76 12 34 56``) is that phone."""
    upper = account.str.to_uppercase()
    bare = upper.str.replace_all(r"[^0-9A-Z]", "")
    return (pl.when(upper.str.contains(r"^\s*\+")).then(pl.lit("+") + bare).otherwise(bare)
            .pipe(lambda key: pl.when(key.str.len_chars() >= 5).then(key)))


def prepared(records: pl.DataFrame) -> pl.DataFrame:
    """``records`` (``RECORD_SCHEMA``) with ``name_key``, identifiers in compared form and
    ``birth_year``."""
    return records.with_columns(
        name_key=name_keys(records.get_column("name")),
        id_number=id_number(pl.col("id_number")),
        phone=phone(pl.col("phone")),
        account=account_key(pl.col("account")),
        counterparty=account_key(pl.col("counterparty")),
        birth_year=pl.col("birth_date").str.slice(0, 4).cast(pl.Int32, strict=False),
    )
