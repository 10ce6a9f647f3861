"""Amount text -> Decimal, with polars expressions only (never through float).

Grouping characters (spaces, NBSP U+00A0, narrow NBSP U+202F, apostrophes) are removed;
the decimal separator is declared or, with ``auto``, decided per column from its values:
``150000,00`` or ``1.234,50`` vote for a decimal comma, ``1500.5`` or ``1,234.50`` for a
point; ``1,500`` and ``1.500`` are ambiguous and do not vote. A tie goes to the comma in a
``;``-delimited file (the French Excel export) and to the point otherwise.
"""

from __future__ import annotations

import polars as pl

from aml_screen.schema import AMOUNT_DTYPE, AMOUNT_SCALE

_GROUPING = r"[\s\u00a0\u202f'’]"
_MAX_INTEGER_DIGITS = 38 - AMOUNT_SCALE
_PATTERN = {
    ",": r"^[+-]?(\d{1,3}(\.\d{3})+|\d*)(,\d*)?$",
    ".": r"^[+-]?(\d{1,3}(,\d{3})+|\d*)(\.\d*)?$",
}


def clean(text: pl.Expr) -> pl.Expr:
    """The amount text without grouping characters (rewritten only where it has some)."""
    return pl.when(text.str.contains(_GROUPING)).then(text.str.replace_all(_GROUPING, "")
                                                      ).otherwise(text)


def decide_separator(cleaned: pl.Series, delimiter: str) -> str:
    """``","`` or ``"."``: which separator the column's values use for decimals."""
    return choose_separator(*separator_votes(cleaned), delimiter)


def separator_votes(cleaned: pl.Series) -> tuple[int, int]:
    """(values voting for a decimal comma, values voting for a decimal point). A value
    votes only if it holds that separator, so the patterns run on those values only."""
    values = pl.DataFrame({"v": cleaned})
    comma = values.filter(pl.col("v").str.contains(",", literal=True)).select(
        (pl.col("v").str.contains(r"^[+-]?[\d.]*,\d*$")
         & ~pl.col("v").str.contains(r"^[+-]?\d{1,3}(,\d{3})+$")).sum()).item()
    point = values.filter(pl.col("v").str.contains(".", literal=True)).select(
        (pl.col("v").str.contains(r"^[+-]?[\d,]*\.\d*$")
         & ~pl.col("v").str.contains(r"^[+-]?\d{1,3}(\.\d{3})+$")).sum()).item()
    return int(comma), int(point)


def choose_separator(comma: int, point: int, delimiter: str) -> str:
    """The majority's separator; a tie goes to the comma in a ``;``-delimited file."""
    if comma != point:
        return "," if comma > point else "."
    return "," if delimiter == ";" else "."


def normalise(cleaned: pl.Expr, separator: str) -> pl.Expr:
    """Plain ``-1234.5`` text, or null when the value is not a well-formed number."""
    grouping = "." if separator == "," else ","
    plain = pl.when(cleaned.str.contains(grouping, literal=True)).then(
        cleaned.str.replace_all(grouping, "", literal=True)).otherwise(cleaned)
    if separator != ".":
        plain = plain.str.replace(separator, ".", literal=True)
    integer_digits = plain.str.extract(r"^[+-]?(\d*)", 1).str.len_chars()
    ok = (
        cleaned.str.contains(_PATTERN[separator])
        & cleaned.str.contains(r"\d")
        & (integer_digits <= _MAX_INTEGER_DIGITS)
    )
    return pl.when(ok).then(plain)


def decimals(plain: pl.Expr) -> pl.Expr:
    """Decimal places that matter (trailing zeros do not): ``1500.50`` -> 1, ``1500`` -> 0."""
    fraction = plain.str.extract(r"\.(\d*)$", 1).str.strip_chars_end("0")
    return fraction.str.len_chars().fill_null(0).cast(pl.Int32)


def to_decimal(plain: pl.Expr) -> pl.Expr:
    """The plain text as ``Decimal(38, 4)`` (callers check the scale first)."""
    return plain.str.to_decimal(scale=AMOUNT_SCALE).cast(AMOUNT_DTYPE)
