"""KYC columns of a batch (party birth date, nationality, ID document number, phone) read
into the forms screening compares with the lists, as polars expressions.

A value that cannot be read is dropped and the row gets a note naming the column and the
value (as data, told in words by ``reasons.note_sentences``): the row itself is loaded and
screened. Quarantining it would take its names out of
screening for the sake of secondary evidence, which only adjusts a name match's score.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from aml_screen.countries import country_codes

_DATE_FORMATS = {
    "dmy": ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"),
    "mdy": ("%m/%d/%Y", "%m-%d-%Y", "%d.%m.%Y"),
}
_ISO = ("%Y-%m-%d", "%Y/%m/%d")
_ID_LABEL = r"^(?:CNI|NINA|PASSEPORT|PASSPORT|PASS|NO|N°|NUM|NUMERO|NUMÉRO|ID)\b[\s:.#°-]*"
_PHONE_DIGITS = (8, 15)


def birth_date(text: pl.Expr, date_order: str, today: date) -> pl.Expr:
    """ISO ``yyyy-mm-dd`` (or ``yyyy`` for a year alone), null when the text is no date
    between 1900 and ``today``. Day/month order is the batch's (``dmy`` or ``mdy``);
    ``yyyy-mm-dd`` (also at the start of a timestamp) is always read as ISO."""
    iso_prefix = pl.when(text.str.contains(r"^\d{4}-\d{2}-\d{2}[T ]")).then(
        text.str.slice(0, 10)).otherwise(text)
    parsed = pl.coalesce(
        [iso_prefix.str.to_date(f, strict=False) for f in _ISO]
        + [text.str.to_date(f, strict=False) for f in _DATE_FORMATS[date_order]]
    )
    full = pl.when(parsed.is_between(date(1900, 1, 1), today)).then(
        parsed.dt.to_string("%Y-%m-%d"))
    year = text.str.extract(r"^(\d{4})$").cast(pl.Int32, strict=False)
    year_only = pl.when(year.is_between(1900, today.year)).then(year.cast(pl.String))
    return pl.coalesce(full, year_only)


def nationalities(values: pl.Series) -> pl.Series:
    """ISO alpha-2 codes (Mali, malienne, MLI, ML -> ML), null where not a country."""
    return country_codes(values, keep_unknown=False)


def id_number(text: pl.Expr) -> pl.Expr:
    """Capitals and digits only, a leading document label ("CNI", "N°") removed; null
    without a digit or shorter than 5 characters ("néant", "N/A")."""
    bare = (text.str.to_uppercase().str.replace(_ID_LABEL, "")
            .str.replace_all(r"[^0-9A-Z]", ""))
    return pl.when(bare.str.contains(r"\d") & bare.str.len_chars().is_between(5, 30)
                   ).then(bare)


def phone(text: pl.Expr) -> pl.Expr:
    """E.164-like: ``+`` and the digits when the number is international (``+227…`` or
    ``00227…``), the digits alone when written locally; a ``(0)`` trunk prefix is
    dropped. Null unless 8 to 15 digits remain."""
    cleaned = text.str.replace_all(r"\(0\)", "")
    digits = cleaned.str.replace_all(r"\D", "")
    international = cleaned.str.contains(r"^\s*\+") | digits.str.starts_with("00")
    number = pl.when(cleaned.str.contains(r"^\s*\+")).then(digits).when(
        digits.str.starts_with("00")).then(digits.str.slice(2)).otherwise(digits)
    low, high = _PHONE_DIGITS
    valid = number.str.len_chars().is_between(low, high) & ~cleaned.str.contains(r"[A-Za-z]")
    return pl.when(valid).then(pl.when(international).then(pl.lit("+") + number)
                               .otherwise(number))


def note(column: str, raw: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    """``{"field": column, "value": raw}`` as JSON when ``raw`` was dropped from ``column``
    (null when it was read)."""
    return pl.when(raw.is_not_null() & parsed.is_null()).then(
        pl.struct(field=pl.lit(column), value=raw).struct.json_encode())
