"""All-text batch frame -> (canonical transactions, quarantine). Pure: no I/O, polars only.

Each row gets the FIRST failing check, in this order: ``missing_id``, ``duplicate_id``,
``bad_date``, ``missing_currency``, ``unknown_currency``, ``bad_amount``,
``negative_amount``, ``bad_scale``. A later occurrence of a transaction id is the
duplicate; the first one is judged on its own merits. ``raw`` is the row's fields joined
with the batch's delimiter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from aml_screen.countries import normalise_country
from aml_screen.ingest import amounts, dates
from aml_screen.ingest.csv_reader import LINE_COLUMN
from aml_screen.ingest.mapping import MAPPABLE
from aml_screen.ingest.reasons import reason_sentences
from aml_screen.schema import QUARANTINE_SCHEMA, TRANSACTION_SCHEMA, conform

_NAMES = ("originator_name", "beneficiary_name")
_COUNTRIES = ("originator_country", "beneficiary_country")


@dataclass(frozen=True)
class ValidationOptions:
    source_file: str
    columns: Mapping[str, str]
    """Canonical column -> header of the batch (as resolved by ``headers.resolve_columns``)."""
    date_formats: tuple[str, ...]
    timezone: str
    decimal_separator: str
    delimiter: str
    minor_units: Mapping[str, int]
    rank_date_formats: bool = False
    """Try formats in order of sample hits: only for lists where no two formats match
    one string (the built-in list); a mapping's own formats keep their order."""


def validate(text: pl.DataFrame, options: ValidationOptions) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split the rows into loaded transactions and quarantined rows."""
    headers = [c for c in text.columns if c != LINE_COLUMN]
    extras = {h: _extra_name(h) for h in headers if h not in options.columns.values()}
    canonical = [
        (pl.col(options.columns[c]) if c in options.columns else pl.lit(None))
        .cast(pl.String).alias(c)
        for c in MAPPABLE
    ]
    work = text.select(
        *canonical,
        *(pl.col(h).alias(name) for h, name in extras.items()),
        pl.col(LINE_COLUMN).alias("source_line"),
    ).with_columns(*_tidy(), _amount_cleaned=amounts.clean(pl.col("amount")))
    separator = options.decimal_separator
    if separator == "auto":
        separator = amounts.decide_separator(work["_amount_cleaned"], options.delimiter)
    booked_at = dates.parse(work["booked_at"], options.date_formats, options.timezone,
                            rank=options.rank_date_formats)
    work = (
        work.with_columns(
            _date_text=pl.col("booked_at"),
            booked_at=booked_at,
            _plain=amounts.normalise(pl.col("_amount_cleaned"), separator),
            _minor=pl.col("currency").replace_strict(
                dict(options.minor_units), default=None, return_dtype=pl.Int32
            ),
        )
        .with_columns(_decimals=amounts.decimals(pl.col("_plain")))
        .with_columns(
            _amount=pl.when(pl.col("_decimals") <= 4).then(amounts.to_decimal(pl.col("_plain")))
        )
        .with_columns(_reason_code=_first_failure())
    )
    valid = work.filter(pl.col("_reason_code").is_null()).with_columns(
        amount=pl.col("_amount"), source_file=pl.lit(options.source_file)
    )
    frame = conform(_normalise_countries(valid).select([*TRANSACTION_SCHEMA, *extras.values()]),
                    TRANSACTION_SCHEMA)
    return frame, _quarantine(text, work, headers, options)


def _quarantine(
    text: pl.DataFrame, work: pl.DataFrame, headers: list[str], options: ValidationOptions
) -> pl.DataFrame:
    """Quarantine rows; raw text and first-occurrence lines are computed for them only."""
    rejected = work["_reason_code"].is_not_null()
    raw = text.filter(rejected)
    bad = work.filter(rejected).with_columns(
        _raw=raw.select(pl.concat_str([pl.col(h).fill_null("") for h in headers],
                                      separator=options.delimiter)).to_series()
    )
    duplicated = bad.filter(pl.col("_reason_code") == "duplicate_id")["transaction_id"]
    first_lines = (
        work.filter(pl.col("transaction_id").is_in(duplicated.implode()))
        .group_by("transaction_id")
        .agg(_first_line=pl.col("source_line").min())
    )
    bad = bad.join(first_lines, on="transaction_id", how="left", maintain_order="left")
    quarantine = bad.select(
        source_file=pl.lit(options.source_file),
        line_number=pl.col("source_line"),
        transaction_id=pl.col("transaction_id"),
        reason_code=pl.col("_reason_code"),
        reason=reason_sentences(pl.col("_reason_code")),
        raw=pl.col("_raw"),
    )
    return conform(quarantine, QUARANTINE_SCHEMA)


def _extra_name(header: str) -> str:
    """Extra columns keep their header, unless it clashes with a canonical column."""
    return f"{header}_batch" if header in TRANSACTION_SCHEMA else header


def _tidy() -> list[pl.Expr]:
    """Strip text fields (blank -> null); collapse whitespace inside names; upper currency."""
    stripped = [
        pl.col(c).str.strip_chars().replace("", None).alias(c)
        for c in MAPPABLE
        if c not in (*_NAMES, "currency", "amount", "booked_at")
    ]
    names = [
        pl.col(c).str.replace_all(r"\s+", " ").str.strip_chars().replace("", None).alias(c)
        for c in _NAMES
    ]
    currency = pl.col("currency").str.strip_chars().str.to_uppercase().replace("", None)
    return [*stripped, *names, currency]


def _first_failure() -> pl.Expr:
    checks = (
        ("missing_id", pl.col("transaction_id").is_null()),
        ("duplicate_id", ~pl.col("transaction_id").is_first_distinct()),
        ("bad_date", pl.col("booked_at").is_null()),
        ("missing_currency", pl.col("currency").is_null()),
        ("unknown_currency", pl.col("_minor").is_null()),
        ("bad_amount", pl.col("_plain").is_null()),
        ("negative_amount", pl.col("_plain").str.starts_with("-") & (pl.col("_amount") != 0)),
        ("bad_scale", pl.col("_decimals") > pl.col("_minor")),
    )
    return pl.coalesce([pl.when(cond).then(pl.lit(code)) for code, cond in checks])


def _normalise_countries(frame: pl.DataFrame) -> pl.DataFrame:
    """ISO alpha-2 via ``normalise_country``, computed once per distinct value."""
    for column in _COUNTRIES:
        values = frame[column].drop_nulls().unique().to_list()
        lookup = {value: normalise_country(value) for value in values}
        frame = frame.with_columns(
            pl.col(column).replace_strict(lookup, default=None, return_dtype=pl.String)
        )
    return frame
