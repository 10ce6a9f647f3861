"""Remembered false positives: identity keys of a (party, listed entry) pair and removing the
hits an active exemption covers. Pure: frames in, frames out.

A pair is exempt only while both sides are what was judged. ``party_key`` digests the
party's normalised name with the details the batch gave for it (account, country);
``entry_digest`` digests the listed entry's content as screened (names with their kinds,
birth dates, nationalities, countries, programmes, remarks). Lists inside are sorted and
de-duplicated and the JSON has a fixed field order, so the same content always gives the
same digest, whether computed from a batch frame or from the rows the store kept.
"""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl

PAIR_KEYS = ("list_id", "entry_id", "party_key", "entry_digest")
ENTRY_KEYS = ("list_id", "list_version", "entry_id")
PARTY_ROLES = ("originator", "beneficiary")
PARTY_DETAILS = ("account", "country")
"""Batch columns ``<role>_<detail>`` that are part of a party's identity."""
ENTRY_LISTS = ("birth_dates", "nationalities", "countries", "programmes")

EXEMPTION_SCHEMA: dict[str, pl.DataType] = {
    "exemption_id": pl.Int64(),
    "list_id": pl.String(),
    "entry_id": pl.String(),
    "party_key": pl.String(),
    "entry_digest": pl.String(),
    "status": pl.String(),
    "expires_on": pl.Date(),
}
"""What ``apply_exemptions`` needs of each exemption (``store.exemptions.active_exemptions``)."""


def _sha256(texts: pl.Series) -> pl.Series:
    """SHA-256 (hex) of each text; hashed once per distinct value."""
    table = {v: hashlib.sha256(v.encode("utf-8")).hexdigest()
             for v in texts.unique().to_list()}
    return texts.replace_strict(table, return_dtype=pl.String)


def _text(column: str) -> pl.Expr:
    """Stripped text, empty as null: a blank cell and a missing one are the same detail."""
    value = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(value == "").then(None).otherwise(value)


def party_details(transactions: pl.DataFrame) -> pl.DataFrame:
    """One row per (transaction, party role): ``party_account`` and ``party_country`` as the
    batch gave them (a transaction id seen twice keeps its first row's details)."""
    frames = [
        transactions.select(
            pl.col("transaction_id"),
            pl.lit(role).alias("party_role"),
            *[(pl.col(f"{role}_{d}") if f"{role}_{d}" in transactions.columns
               else pl.lit(None)).cast(pl.String).alias(f"party_{d}") for d in PARTY_DETAILS],
        )
        for role in PARTY_ROLES
    ]
    return pl.concat(frames).unique(["transaction_id", "party_role"], keep="first",
                                    maintain_order=True)


def party_keys(parties: pl.DataFrame) -> pl.Series:
    """``party_key`` of each row of ``parties`` (``party_name_normalised``, ``party_account``,
    ``party_country``)."""
    canonical = parties.select(
        pl.struct(
            _text("party_account").alias("account"),
            _text("party_country").str.to_uppercase().alias("country"),
            pl.col("party_name_normalised").alias("name"),
        ).struct.json_encode().alias("canonical")
    ).get_column("canonical")
    return _sha256(canonical).alias("party_key")


def entry_digests(entries: pl.DataFrame) -> pl.Series:
    """``entry_digest`` of each listed entry of ``entries`` (one row per entry: ``names`` a
    list of {name, kind}, the list columns of ``ENTRY_LISTS``, ``remarks``)."""
    names = pl.col("names").list.eval(
        pl.element().struct.field("kind") + pl.lit(":") + pl.element().struct.field("name")
    ).list.unique().list.sort()
    canonical = entries.select(
        pl.struct(
            *[pl.col(c).fill_null([]).list.unique().list.sort().alias(c)
              for c in ENTRY_LISTS],
            names.fill_null([]).alias("names"),
            _text("remarks").alias("remarks"),
        ).struct.json_encode().alias("canonical")
    ).get_column("canonical")
    return _sha256(canonical).alias("entry_digest")


def listed_entries(names: pl.DataFrame, hits: pl.DataFrame) -> pl.DataFrame:
    """One row per listed entry that ``hits`` hit, with all its names and attributes, from
    ``names`` (list-entry rows, one per name, with ``list_version``)."""
    hit_keys = hits.select(ENTRY_KEYS).unique()
    return (
        names.join(hit_keys, on=list(ENTRY_KEYS), how="semi")
        .group_by(ENTRY_KEYS, maintain_order=True)
        .agg(
            pl.col("entity_type", "listed_on", "remarks").first(),
            pl.struct(name="name", kind="name_kind").alias("names"),
            *(pl.col(c).explode().drop_nulls().unique(maintain_order=True)
              for c in ENTRY_LISTS),
        )
    )


def with_pair_keys(hits: pl.DataFrame, details: pl.DataFrame,
                   entries: pl.DataFrame) -> pl.DataFrame:
    """``hits`` with ``party_key`` and ``entry_digest``: ``details`` from ``party_details``,
    ``entries`` from ``listed_entries`` (a hit whose entry is missing gets a null digest,
    which no exemption matches)."""
    if hits.is_empty():
        return hits.with_columns(party_key=pl.lit(None, pl.String),
                                 entry_digest=pl.lit(None, pl.String))
    parties = hits.select("transaction_id", "party_role", "party_name_normalised").join(
        details, on=["transaction_id", "party_role"], how="left", maintain_order="left")
    digests = entries.select(*ENTRY_KEYS, entry_digests(entries)) if not entries.is_empty() \
        else pl.DataFrame(schema={**dict.fromkeys(ENTRY_KEYS, pl.String()),
                                  "entry_digest": pl.String()})
    return hits.with_columns(party_keys(parties)).join(
        digests, on=list(ENTRY_KEYS), how="left", maintain_order="left")


def apply_exemptions(hits: pl.DataFrame, exemptions: pl.DataFrame,
                     today: date | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept, suppressed): the hits (with pair keys, see ``with_pair_keys``) that no active,
    unexpired exemption covers, and those it does with the ``exemption_id`` that covered
    them. A changed party detail or listed entry changes a key, so the hit is kept."""
    day = today or date.today()
    usable = (
        exemptions.filter((pl.col("status") == "active") & (pl.col("expires_on") >= day))
        .group_by(PAIR_KEYS).agg(pl.col("exemption_id").min())
    )
    marked = hits.join(usable, on=list(PAIR_KEYS), how="left", maintain_order="left")
    covered = pl.col("exemption_id").is_not_null()
    return (marked.filter(~covered).drop("exemption_id"), marked.filter(covered))
