"""Canonical frame schemas shared by every stage: transactions, quarantine, list entries, hits.

Money is ``Decimal(38, AMOUNT_SCALE)``: four decimal places hold every ISO 4217 minor unit
(CLF has four); whether an amount has more places than its currency allows is checked at
ingest, so XOF/XAF amounts (no minor unit) keep exactly the value written in the batch.
"""

from __future__ import annotations

import polars as pl

AMOUNT_SCALE = 4
AMOUNT_DTYPE = pl.Decimal(38, AMOUNT_SCALE)
UTC_TIMESTAMP = pl.Datetime("us", "UTC")

TRANSACTION_SCHEMA: dict[str, pl.DataType] = {
    "transaction_id": pl.String(),
    "booked_at": UTC_TIMESTAMP,
    "amount": AMOUNT_DTYPE,
    "currency": pl.String(),
    "originator_name": pl.String(),
    "originator_account": pl.String(),
    "originator_country": pl.String(),
    "beneficiary_name": pl.String(),
    "beneficiary_account": pl.String(),
    "beneficiary_country": pl.String(),
    "channel": pl.String(),
    "purpose": pl.String(),
    "source_file": pl.String(),
    "source_line": pl.Int64(),
}
"""Ingest output. ``source_file``/``source_line`` point back to the row in the batch;
columns of the batch not mapped onto the schema follow these, kept as text."""

REQUIRED_TRANSACTION_COLUMNS = ("transaction_id", "booked_at", "amount", "currency")

PARTY_ROLES = ("originator", "beneficiary")
PARTY_ATTRIBUTES = ("birth_date", "nationality", "id_number", "phone")
PARTY_SCHEMA: dict[str, pl.DataType] = {
    f"{role}_{attribute}": pl.String() for role in PARTY_ROLES for attribute in PARTY_ATTRIBUTES
}
"""Optional KYC columns, present in the ingest output only when the batch has them (after
``TRANSACTION_SCHEMA``'s columns): ``birth_date`` is ISO ``yyyy-mm-dd`` or a year alone,
``nationality`` an ISO 3166 alpha-2 code, ``id_number`` the document number in capitals
without spaces or punctuation, ``phone`` digits with ``+`` when the country code is known.
A value that cannot be read is dropped and the row's ``ingest_notes`` says so (a JSON list of
``{"field", "value"}``, told in words by ``ingest.reasons.note_sentences``)."""
NOTES_COLUMN = "ingest_notes"

PARTY_ONLY_COLUMN = "party_only"
"""Optional marker column: a non-blank value makes the row a party to screen rather than
a transaction (the parties of a goAML activity report, which has none): its party is in
the originator columns, it needs no date, amount or currency, and rules do not see it."""

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "line_number": pl.Int64(),
    "transaction_id": pl.String(),
    "reason_code": pl.String(),
    "reason": pl.String(),
    "raw": pl.String(),
    "reason_params": pl.String(),
    "repeats": pl.Int64(),
}
"""One row per rejected batch row: where it was, why (a stable code, a sentence in the
user's language and, as JSON, the values the sentence names, so that it can be told again
in another language: ``ingest.reasons.quarantine_reason``) and the row's original text.
Copies of one rejected row (same text, same reason) are one row: the first copy's line and
``repeats``, how many rows of the file it stands for (``ingest.quarantine.compact``)."""
QUARANTINE_FILE_COLUMNS = ("source_file", "line_number", "transaction_id", "reason_code",
                           "reason", "raw", "repeats")
"""The columns of ``quarantine.csv`` (the parameters travel to the store, not the file)."""

ENTITY_TYPES = ("person", "organisation", "vessel", "aircraft", "other")
NAME_KINDS = ("primary", "alias", "weak_alias")

LIST_ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "list_id": pl.String(),
    "entry_id": pl.String(),
    "entity_type": pl.String(),
    "name": pl.String(),
    "name_kind": pl.String(),
    "birth_dates": pl.List(pl.String()),
    "nationalities": pl.List(pl.String()),
    "countries": pl.List(pl.String()),
    "programmes": pl.List(pl.String()),
    "listed_on": pl.Date(),
    "remarks": pl.String(),
}
"""One row per name (primary names and aliases) of a watchlist entry. ``entry_id`` is the
list's own public identifier (UN reference number, OFAC ent_num, EU logical id, UK group id).
``birth_dates`` are ISO dates or partial dates (``1971``, ``1971-05``); country fields hold
ISO 3166 alpha-2 codes where the list's text could be resolved, else the text as written."""

RELATION_DTYPE = pl.Struct({"kind": pl.String(), "role": pl.String(),
                            "other_entry_id": pl.String(), "other_name": pl.String()})
LIST_ENTRY_EXTRAS: dict[str, pl.DataType] = {
    "topics": pl.List(pl.String()),
    "relations": pl.List(RELATION_DTYPE),
}
"""Optional list-entry columns, given by the lists that state them (FollowTheMoney):
``topics`` as the list writes them (``sanction``, ``role.pep``, ``role.rca``, ``crime``...),
``relations`` the entries this one depends on (``kind``: family, associate, ownership,
directorship, employment, membership, representation, link; ``role`` as written, e.g.
``Daughter``; the other entry's id and primary name). Parsers of other lists leave them
out; ``with_entry_extras`` adds them as nulls where frames of several lists meet."""

HIT_SCHEMA: dict[str, pl.DataType] = {
    "transaction_id": pl.String(),
    "party_role": pl.String(),
    "party_name": pl.String(),
    "party_name_normalised": pl.String(),
    "list_id": pl.String(),
    "list_version": pl.String(),
    "entry_id": pl.String(),
    "matched_name": pl.String(),
    "matched_name_normalised": pl.String(),
    "name_kind": pl.String(),
    "entity_type": pl.String(),
    "programmes": pl.List(pl.String()),
    "score": pl.Float64(),
    "explanation": pl.String(),
    "topics": pl.List(pl.String()),
    "relation": pl.String(),
}
"""One row per (transaction, party role, list entry name) at or above the threshold.
``explanation`` is JSON: both normalised names, the scorer and its parts, token pairs.
``topics`` are the entry's (``LIST_ENTRY_EXTRAS``; empty for lists without them);
``relation`` is empty when the entry is listed without depending on another, else JSON: a
list of the entry's ``relations`` (codes and names; rendered by ``watchlists.topics``)."""


RULE_HIT_SCHEMA: dict[str, pl.DataType] = {
    "rule_id": pl.String(),
    "typology": pl.String(),
    "severity_score": pl.Float64(),
    "subject_type": pl.String(),
    "subject_id": pl.String(),
    "subject_name": pl.String(),
    "transaction_ids": pl.List(pl.String()),
    "window_start": UTC_TIMESTAMP,
    "window_end": UTC_TIMESTAMP,
    "evidence": pl.String(),
}
"""One row per rule firing on a subject (an account, a party, a corridor). ``evidence`` is
JSON: the aggregate values, the thresholds they crossed, the parameters used."""

SUBJECT_TYPES = ("account", "party")

ALERT_SCHEMA: dict[str, pl.DataType] = {
    "alert_id": pl.String(),
    "batch_key": pl.String(),
    "subject_type": pl.String(),
    "subject_id": pl.String(),
    "subject_name": pl.String(),
    "risk_score": pl.Float64(),
    "rule_ids": pl.List(pl.String()),
    "list_ids": pl.List(pl.String()),
    "typologies": pl.List(pl.String()),
    "transaction_ids": pl.List(pl.String()),
    "hit_count": pl.UInt32(),
    "max_match_score": pl.Float64(),
    "reasons": pl.String(),
}
"""One alert per subject per batch set, rolling up its watchlist hits and rule hits.
``alert_id`` is derived from ``batch_key`` (the batches' SHA-256) and the subject, so
re-running the same batches gives the same ids (no duplicate alerts). ``reasons`` is a JSON
list, strongest first: each watchlist entry matched and each rule fired, with its
contribution to ``risk_score``."""


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with ``schema``."""
    return pl.DataFrame(schema=schema)


def with_entry_extras(entries: pl.DataFrame) -> pl.DataFrame:
    """``entries`` conformed to ``LIST_ENTRY_SCHEMA`` then ``LIST_ENTRY_EXTRAS`` (nulls
    where the list has none), other columns after: frames of several lists line up."""
    return conform(entries, {**LIST_ENTRY_SCHEMA, **LIST_ENTRY_EXTRAS})


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select ``schema``'s columns in order, cast, adding missing ones as nulls; extra
    columns of ``frame`` are kept after them."""
    if not frame.width:  # a frame without columns has no rows to broadcast literals onto
        return empty(schema)
    cols = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    ]
    extra = [c for c in frame.columns if c not in schema]
    return frame.select([*cols, *extra])
