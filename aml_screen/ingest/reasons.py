"""Quarantine reasons as sentences in a given language, built per row with polars, and
as codes with parameters (JSON) that any edge tells again in its reader's language.

A message template is rendered once through ``translate()`` with marker placeholders, then cut at
the markers and reassembled with ``concat_str`` around the row's own values: one
vectorised expression per reason instead of formatting row by row.
"""

from __future__ import annotations

import json
import re
from typing import Any

import polars as pl

from aml_screen.i18n import translate

_MARK = re.compile("\x00(\\d+)\x00")

# reason code -> the row values its sentence names (placeholder -> column)
_PARAMS: dict[str, dict[str, str]] = {
    "missing_id": {},
    "duplicate_id": {"id": "transaction_id", "first_line": "_first_line"},
    "implausible_date": {"value": "_date_text", "earliest": "_earliest", "latest": "_latest"},
    "bad_date": {"value": "_date_text"},
    "missing_currency": {},
    "unknown_currency": {"currency": "currency"},
    "bad_amount": {"value": "amount"},
    "negative_amount": {"value": "amount"},
    "bad_scale": {"value": "amount", "decimals": "_decimals", "currency": "currency",
                  "allowed": "_minor"},
}
REASON_CODES = (*_PARAMS, "bad_field_count")


def sentence(key: str, lang: str, **values: pl.Expr) -> pl.Expr:
    """Message ``key`` in ``lang``, each placeholder filled from the matching expression."""
    exprs = list(values.values())
    template = translate(key, lang, **{name: f"\x00{i}\x00" for i, name in enumerate(values)})
    parts = _MARK.split(template)
    pieces = [
        exprs[int(part)].cast(pl.String).fill_null("") if i % 2 else pl.lit(part)
        for i, part in enumerate(parts)
        if i % 2 or part
    ]
    return pl.concat_str(pieces) if pieces else pl.lit("")


def reason_sentences(code: pl.Expr, lang: str) -> pl.Expr:
    """The sentence in ``lang`` for each row's reason code (the columns of ``_PARAMS`` must
    exist)."""
    chosen = [
        pl.when(code == reason).then(
            sentence(f"ingest.reason.{reason}", lang,
                     **{name: pl.col(column) for name, column in params.items()})
        )
        for reason, params in _PARAMS.items()
    ]
    return pl.coalesce(chosen)


def reason_params(code: pl.Expr) -> pl.Expr:
    """The values each row's reason sentence names, as a JSON object (``{}`` when none)."""
    chosen = [
        pl.when(code == reason).then(
            pl.struct([pl.col(column).cast(pl.String).alias(name)
                       for name, column in params.items()]).struct.json_encode()
            if params else pl.lit("{}"))
        for reason, params in _PARAMS.items()
    ]
    return pl.coalesce(chosen)


def note_sentences(stored: str | None, lang: str) -> list[str]:
    """A row's ``ingest_notes`` in ``lang``, one sentence per KYC value left out (stored as a
    JSON list of ``{"field", "value"}``); a note stored as a sentence, before notes were
    kept as data, as it is."""
    if not stored:
        return []
    if not stored.startswith("["):
        return [stored]
    said = []
    for item in json.loads(stored):
        role, attribute = str(item["field"]).split("_", 1)
        said.append(translate(f"ingest.note.{attribute}", lang, role={"key": f"role.{role}"},
                              value=item["value"]))
    return said


def quarantine_reason(code: str, params: str | None, lang: str, stored: str) -> str:
    """A quarantined row's reason in ``lang``, from its code and parameters; ``stored`` (the
    sentence written at ingest) when the row carries no parameters (stored before them)."""
    if not params:
        return stored
    values: dict[str, Any] = json.loads(params)
    if "error_key" in values:  # a file refused whole (a ZIP member): its error, told again
        return translate(values["error_key"], lang, **values.get("error_params", {}))
    return translate(f"ingest.reason.{code}", lang,
                     **{k: "" if v is None else v for k, v in values.items()})
