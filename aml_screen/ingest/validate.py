"""All-text batch frame -> (canonical transactions, quarantine). Pure: no I/O, polars only.

Each row gets the FIRST failing check, in this order: ``missing_id``, ``duplicate_id``,
``implausible_date`` (a real date outside the plausible range), ``bad_date``,
``missing_currency``, ``unknown_currency``, ``bad_amount``,
``negative_amount``, ``bad_scale``. A later occurrence of a transaction id is the
duplicate; the first one is judged on its own merits. ``raw`` is the row's fields joined
with the batch's delimiter. A party-only row (``schema.PARTY_ONLY_COLUMN``) is checked on
its transaction id alone: it has no date, amount or currency to check.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl

from aml_screen.countries import country_codes
from aml_screen.ingest import amounts, dates, party
from aml_screen.ingest.csv_reader import LINE_COLUMN
from aml_screen.ingest.mapping import MAPPABLE
from aml_screen.ingest.reasons import reason_params, reason_sentences
from aml_screen.schema import (
    NOTES_COLUMN,
    PARTY_ONLY_COLUMN,
    PARTY_SCHEMA,
    QUARANTINE_SCHEMA,
    TRANSACTION_SCHEMA,
    conform,
)

_NAMES = ("originator_name", "beneficiary_name")
_COUNTRIES = ("originator_country", "beneficiary_country")
CHECKED = ("transaction_id", "booked_at", "amount", "currency")
"""The columns every row is checked on, read whichever columns are loaded."""


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
    date_order: str = "dmy"
    """Day/month order of dates without a format of their own (KYC birth dates)."""
    today: date = field(default_factory=date.today)
    """The latest possible birth date."""
    plausible: tuple[datetime, datetime] = field(default_factory=dates.plausible_range)
    """First and last plausible booking instants (``dates.plausible_range``)."""
    language: str = "en"
    """The language quarantine reasons are written in (their codes and values are kept too)."""


@dataclass(frozen=True)
class BatchFacts:
    """What validating one row needs to know about the whole batch: the decimal separator
    its amounts use, and which rows repeat an earlier row's transaction id (with the line of
    that first occurrence). Chunks validated with the batch's facts give the result the
    whole batch gives in one piece; ``combine_facts`` gathers them from every chunk's."""

    separator: str
    duplicate_lines: pl.Series
    first_lines: pl.DataFrame
    """``transaction_id``, ``_first_line`` for every id that occurs more than once."""


@dataclass(frozen=True)
class ChunkFacts:
    """What one chunk contributes to ``BatchFacts``."""

    votes: tuple[int, int]
    ids: pl.DataFrame


def chunk_facts(text: pl.DataFrame, options: ValidationOptions) -> ChunkFacts:
    """Separator votes and (transaction id, line) of one chunk's rows (a chunk holding at
    least the transaction id and amount headers, when mapped, and ``LINE_COLUMN``)."""
    votes = (0, 0)
    if "amount" in options.columns:
        votes = amounts.separator_votes(
            text.select(amounts.clean(pl.col(options.columns["amount"]))).to_series())
    ids = text.select(
        transaction_id=_stripped(pl.col(options.columns["transaction_id"]))
        if "transaction_id" in options.columns else pl.lit(None, pl.String),
        source_line=pl.col(LINE_COLUMN),
    )
    return ChunkFacts(votes, ids)


def batch_facts(texts: Iterable[pl.DataFrame], options: ValidationOptions) -> BatchFacts:
    """``BatchFacts`` from the batch's text, in row order (see ``chunk_facts``)."""
    return combine_facts([chunk_facts(text, options) for text in texts], options)


def combine_facts(chunks: Sequence[ChunkFacts], options: ValidationOptions) -> BatchFacts:
    """``BatchFacts`` from every chunk's, in row order."""
    separator = options.decimal_separator
    if separator == "auto":
        separator = amounts.choose_separator(sum(c.votes[0] for c in chunks),
                                             sum(c.votes[1] for c in chunks), options.delimiter)
    every = pl.concat([c.ids for c in chunks]) if chunks else pl.DataFrame(
        schema={"transaction_id": pl.String, "source_line": pl.Int64})
    repeated = every.filter(pl.col("transaction_id").is_not_null()
                            & ~pl.col("transaction_id").is_first_distinct())
    first_lines = (
        every.join(repeated.select("transaction_id").unique(), on="transaction_id", how="semi")
        .group_by("transaction_id").agg(_first_line=pl.col("source_line").min())
    )
    return BatchFacts(separator, repeated.get_column("source_line"), first_lines)


def validate(text: pl.DataFrame, options: ValidationOptions) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split the rows into loaded transactions and quarantined rows."""
    return validate_chunk(text, options, batch_facts([text], options))


def validate_chunk(
    text: pl.DataFrame, options: ValidationOptions, facts: BatchFacts, *,
    full_text: Callable[[], pl.DataFrame] | None = None,
    keep: Collection[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``validate`` for one chunk of a batch whose ``facts`` are known.

    ``text`` may hold only some of the batch's columns (those to load, and at least the
    ones checked here): the others are null in the result, as are the checked columns not
    in ``keep`` (None keeps all). ``full_text`` then gives the chunk with every column, read
    only when a row is quarantined, for its raw text."""
    headers = [c for c in text.columns if c != LINE_COLUMN]
    extras = {h: extra_name(h) for h in headers if h not in options.columns.values()}
    present = [c for c in MAPPABLE if options.columns.get(c) in headers or c in CHECKED]
    canonical = [
        (pl.col(options.columns[c]) if options.columns.get(c) in headers else pl.lit(None))
        .cast(pl.String).alias(c)
        for c in present
    ]
    work = text.select(
        *canonical,
        *(pl.col(h).alias(name) for h, name in extras.items()),
        pl.col(LINE_COLUMN).alias("source_line"),
    ).with_columns(*_tidy(present), _amount_cleaned=amounts.clean(pl.col("amount")))
    booked_at = dates.parse(work["booked_at"], options.date_formats, options.timezone,
                            rank=options.rank_date_formats, window=options.plausible)
    earliest, latest = (instant.date().isoformat() for instant in options.plausible)
    work = (
        work.with_columns(
            _date_text=pl.col("booked_at"),
            booked_at=booked_at,
            _implausible=dates.implausible(work["booked_at"], booked_at, options.date_formats,
                                           options.timezone),
            _earliest=pl.lit(earliest), _latest=pl.lit(latest),
            _plain=amounts.normalise(pl.col("_amount_cleaned"), facts.separator),
            _minor=pl.col("currency").replace_strict(
                dict(options.minor_units), default=None, return_dtype=pl.Int32
            ),
            _duplicate=pl.col("source_line").is_in(facts.duplicate_lines.implode()),
        )
        .with_columns(_decimals=amounts.decimals(pl.col("_plain")))
        .with_columns(
            _amount=pl.when(pl.col("_decimals") <= 4).then(amounts.to_decimal(pl.col("_plain")))
        )
        .with_columns(_reason_code=_first_failure(
            pl.col(PARTY_ONLY_COLUMN).is_not_null() if PARTY_ONLY_COLUMN in work.columns
            else pl.lit(False)))
    )
    valid = work.filter(pl.col("_reason_code").is_null()).with_columns(
        amount=pl.col("_amount"), source_file=pl.lit(options.source_file)
    )
    loaded = [c for c in TRANSACTION_SCHEMA if c in valid.columns
              and (keep is None or c in keep or c in ("source_file", "source_line"))]
    kyc = [c for c in PARTY_SCHEMA if c in valid.columns and (keep is None or c in keep)]
    if kyc:
        valid = _read_party_columns(valid, kyc, options)
        loaded += [*kyc, NOTES_COLUMN]
    frame = conform(_normalise_countries(valid).select([*loaded, *extras.values()]),
                    TRANSACTION_SCHEMA)
    rejected = work.filter(pl.col("_reason_code").is_not_null())
    if full_text is not None and rejected.height:
        whole = full_text()
        text = whole.join(rejected.select(pl.col("source_line").alias(LINE_COLUMN)),
                          on=LINE_COLUMN, how="semi", maintain_order="left")
    else:
        text = text.filter(work["_reason_code"].is_not_null())
    raw_headers = [c for c in text.columns if c != LINE_COLUMN]
    return frame, _quarantine(text, rejected, raw_headers, options, facts)


def _quarantine(
    raw: pl.DataFrame, bad: pl.DataFrame, headers: list[str], options: ValidationOptions,
    facts: BatchFacts,
) -> pl.DataFrame:
    """Quarantine rows (``bad``, with their text ``raw``, row for row)."""
    bad = bad.with_columns(
        _raw=raw.select(pl.concat_str([pl.col(h).fill_null("") for h in headers],
                                      separator=options.delimiter)).to_series()
    ).join(facts.first_lines, on="transaction_id", how="left", maintain_order="left")
    quarantine = bad.select(
        source_file=pl.lit(options.source_file),
        line_number=pl.col("source_line"),
        transaction_id=pl.col("transaction_id"),
        reason_code=pl.col("_reason_code"),
        reason=reason_sentences(pl.col("_reason_code"), options.language),
        raw=pl.col("_raw"),
        reason_params=reason_params(pl.col("_reason_code")),
        repeats=pl.lit(1, pl.Int64),
    )
    return conform(quarantine, QUARANTINE_SCHEMA)


def _read_party_columns(frame: pl.DataFrame, columns: list[str], options: ValidationOptions
                        ) -> pl.DataFrame:
    """KYC columns in their screening forms (``party``); dropped values noted per row."""
    parsers = {
        "birth_date": lambda text: party.birth_date(text, options.date_order, options.today),
        "id_number": party.id_number,
        "phone": party.phone,
    }
    parsed = frame.with_columns(
        parsers[c.split("_", 1)[1]](pl.col(c)).alias(f"_{c}")
        for c in columns if c.split("_", 1)[1] in parsers
    ).with_columns(
        party.nationalities(frame.get_column(c)).alias(f"_{c}")
        for c in columns if c.endswith("_nationality")
    )
    notes = pl.concat_str([party.note(c, pl.col(c), pl.col(f"_{c}")) for c in columns],
                          separator=",", ignore_nulls=True)
    return parsed.with_columns(
        pl.when(notes != "").then(pl.concat_str([pl.lit("["), notes, pl.lit("]")]))
        .alias(NOTES_COLUMN)).drop(
        columns).rename({f"_{c}": c for c in columns})


def extra_name(header: str) -> str:
    """Extra columns keep their header, unless it clashes with a canonical column."""
    return f"{header}_batch" if header in TRANSACTION_SCHEMA else header


def _tidy(present: Sequence[str]) -> list[pl.Expr]:
    """Strip text fields (blank -> null); collapse whitespace inside names; upper currency."""
    stripped = [
        _stripped(pl.col(c)).alias(c)
        for c in present
        if c not in (*_NAMES, "currency", "amount", "booked_at")
    ]
    names = [_collapsed(pl.col(c)).str.strip_chars().replace("", None).alias(c)
             for c in _NAMES if c in present]
    currency = pl.col("currency").str.strip_chars().str.to_uppercase().replace("", None)
    return [*stripped, *names, currency]


def _collapsed(text: pl.Expr) -> pl.Expr:
    """Runs of whitespace as one space; the replacement runs only on the few values that
    have such a run (finding them is much cheaper than rewriting every value)."""
    return pl.when(text.str.contains(r"\s\s|[^\S ]")).then(text.str.replace_all(r"\s+", " ")
                                                          ).otherwise(text)


def _stripped(text: pl.Expr) -> pl.Expr:
    return text.str.strip_chars().replace("", None)


def _first_failure(party_only: pl.Expr) -> pl.Expr:
    """The first failing check's code; a party-only row is checked on its id alone."""
    checks = (
        ("missing_id", pl.col("transaction_id").is_null()),
        ("duplicate_id", pl.col("_duplicate")),
        ("implausible_date", pl.col("_implausible")),
        ("bad_date", pl.col("booked_at").is_null() & ~party_only),
        ("missing_currency", pl.col("currency").is_null() & ~party_only),
        ("unknown_currency", pl.col("_minor").is_null() & pl.col("currency").is_not_null()),
        ("bad_amount", pl.col("_plain").is_null() & ~party_only),
        ("negative_amount", pl.col("_plain").str.starts_with("-") & (pl.col("_amount") != 0)),
        ("bad_scale", pl.col("_decimals") > pl.col("_minor")),
    )
    return pl.coalesce([pl.when(cond).then(pl.lit(code)) for code, cond in checks])


def _normalise_countries(frame: pl.DataFrame) -> pl.DataFrame:
    """ISO alpha-2 where the text names a country, else the text as written."""
    return frame.with_columns(country_codes(frame[column])
                              for column in _COUNTRIES if column in frame.columns)
