"""What resolution keeps of earlier batches: a compact summary per subject, never the records.

A store holds these six frames as tables and hands them back with the next batch
(``resolve(new_records, known)``), so that a batch is resolved against everything seen
before without reloading a single earlier record:

* ``subjects``: ``subject_id``, ``records`` (how many records it holds), ``name`` (the first
  spelling seen);
* ``profiles``: one row per distinct (``subject_id``, ``name_key``, ``birth_date``,
  ``nationality``, ``id_number``) the subject's records showed, with ``birth_year``: what
  name evidence compares (an ID number here only keeps namesakes apart);
* ``identifiers``: one row per distinct (``subject_id``, ``kind``, ``value``,
  ``name_key``) with the number of ``records`` that showed it: each ID number, phone and
  account with the names it came with (what the hub guard counts); identifiers found to be
  hubs are kept in ``hubs`` only;
* ``counterparties``: one row per distinct (``subject_id``, ``name_key``,
  ``counterparty``, ``account``) with its ``records``: the accounts a subject's records
  paid or were paid by, under each name and from which own account (counterparties
  dealing with too many names are in ``hubs`` only);
* ``hubs``: ``space``, ``value``, ``names``: identifiers used under too many names to be
  one person's (an agent's or merchant's account), and counterparty accounts dealing with
  too many names (space ``counterparty``); they never link again;
* ``tokens``: ``skeleton``, ``df``: in how many distinct name keys each name token occurs,
  over all batches (``key_count`` keys in all): what says whether a name is rare.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SUBJECTS: dict[str, pl.DataType] = {
    "subject_id": pl.String(), "records": pl.UInt32(), "name": pl.String()}
PROFILES: dict[str, pl.DataType] = {
    "subject_id": pl.String(), "name_key": pl.String(), "birth_date": pl.String(),
    "birth_year": pl.Int32(), "nationality": pl.String(), "id_number": pl.String()}
IDENTIFIERS: dict[str, pl.DataType] = {
    "subject_id": pl.String(), "kind": pl.String(), "value": pl.String(),
    "name_key": pl.String(), "records": pl.UInt32()}
COUNTERPARTIES: dict[str, pl.DataType] = {
    "subject_id": pl.String(), "name_key": pl.String(), "counterparty": pl.String(),
    "account": pl.String(), "records": pl.UInt32()}
HUBS: dict[str, pl.DataType] = {"space": pl.String(), "value": pl.String(), "names": pl.UInt32()}
TOKENS: dict[str, pl.DataType] = {"skeleton": pl.String(), "df": pl.UInt32()}
IDENTIFIER_KINDS = ("id_number", "phone", "account")
SPACES = {"id_number": "document", "phone": "contact", "account": "contact"}
"""Phones and accounts are one space: a mobile-money account is its holder's phone."""


@dataclass(frozen=True)
class KnownSubjects:
    subjects: pl.DataFrame
    profiles: pl.DataFrame
    identifiers: pl.DataFrame
    counterparties: pl.DataFrame
    hubs: pl.DataFrame
    tokens: pl.DataFrame
    key_count: int

    @classmethod
    def empty(cls) -> KnownSubjects:
        subjects, profiles, identifiers, counterparties, hubs, tokens = (
            pl.DataFrame(schema=s)
            for s in (SUBJECTS, PROFILES, IDENTIFIERS, COUNTERPARTIES, HUBS, TOKENS))
        return cls(subjects, profiles, identifiers, counterparties, hubs, tokens, key_count=0)


def token_counts(keys: pl.Series) -> pl.DataFrame:
    """``TOKENS`` over distinct name ``keys`` (a key's tokens are its space-separated
    skeletons)."""
    return (keys.drop_nulls().unique().str.split(" ").explode().value_counts(name="df")
            .rename({keys.name: "skeleton"}).cast(TOKENS))  # type: ignore[arg-type]


def updated_tokens(known: KnownSubjects, keys: pl.Series) -> tuple[pl.DataFrame, int]:
    """Token counts and key count with the name ``keys`` of a new batch added (keys seen
    before count once)."""
    distinct = keys.drop_nulls().unique()
    fresh = distinct.filter(~distinct.is_in(known.profiles.get_column("name_key").implode()))
    counts = pl.concat([known.tokens, token_counts(fresh)]).group_by("skeleton").agg(
        pl.col("df").sum()).cast(TOKENS)  # type: ignore[arg-type]
    return counts, known.key_count + fresh.len()
