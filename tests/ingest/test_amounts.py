"""Amount text to Decimal: separators, grouping, scale per currency; never through float."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from aml_screen.ingest import ColumnMapping, read_batch
from aml_screen.ingest.amounts import clean, decide_separator, normalise, to_decimal
from tests.ingest.conftest import WriteBatch


def _parse(values: list[str], separator: str) -> list[Decimal | None]:
    frame = pl.DataFrame({"v": values}).select(clean(pl.col("v")))
    return frame.select(to_decimal(normalise(pl.col("v"), separator)))["v"].to_list()


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("1 234,50", ",", "1234.50"),
        ("1.234,50", ",", "1234.50"),
        ("1234,5", ",", "1234.5"),
        ("150000,00", ",", "150000"),
        ("1\u00a0234\u00a0567,89", ",", "1234567.89"),
        ("1\u202f234,50", ",", "1234.50"),
        ("1'234'567.25", ".", "1234567.25"),
        ("1,234,567.25", ".", "1234567.25"),
        ("0.1", ".", "0.1"),
        ("+75", ".", "75"),
        (",5", ",", "0.5"),
        ("1234567890123456789012345678901234", ".", "1234567890123456789012345678901234"),
    ],
)
def test_amount_formats(text: str, separator: str, expected: str) -> None:
    assert _parse([text], separator) == [Decimal(expected)]


@pytest.mark.parametrize(
    ("text", "separator"),
    [("1,234.50", ","), ("12.34,5", ","), ("1.5E+11", "."), ("abc", "."), ("", ","),
     ("12 EUR", "."), ("1.2.3", "."), ("12345678901234567890123456789012345", ".")],
)
def test_malformed_amounts_are_null(text: str, separator: str) -> None:
    assert _parse([text], separator) == [None]


@pytest.mark.parametrize(
    ("values", "delimiter", "expected"),
    [
        (["150000,00", "25000,00"], ";", ","),
        (["1.234,50", "12"], ",", ","),
        (["1500.5", "1,234.50"], ";", "."),
        (["1,500", "2,000"], ";", ","),
        (["1,500", "2,000"], ",", "."),
        (["1500", "2000"], ";", ","),
    ],
)
def test_decimal_separator_is_decided_per_column(
    values: list[str], delimiter: str, expected: str
) -> None:
    assert decide_separator(pl.Series(values), delimiter) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "loaded"),
    [
        ("1500", "XOF", True), ("1500,00", "XOF", True), ("1500,50", "XOF", False),
        ("1500,5", "EUR", True), ("1500,505", "EUR", False), ("12,345", "TND", True),
        ("12,3456", "KWD", False), ("1,2345", "CLF", True), ("100", "JPY", True),
        ("100,5", "GNF", False), ("100,55", "MRU", True),
    ],
)
def test_scale_follows_the_currency(
    write_batch: WriteBatch, amount: str, currency: str, loaded: bool
) -> None:
    result = read_batch(write_batch([("T1", "2025-03-01", amount, currency, "A", "B", "Mali")]),
                        ColumnMapping(decimal_separator=","))
    assert result.frame.height == int(loaded)
    assert result.quarantine["reason_code"].to_list() == ([] if loaded else ["bad_scale"])


def test_semicolon_file_with_decimal_commas_loads_exact_amounts(write_batch: WriteBatch) -> None:
    rows = [(f"T{i}", "2025-03-01", amount, "EUR", "A", "B", "Mali")
            for i, amount in enumerate(["150000,00", "1 234,56", "0,01", "-0,00"])]
    frame = read_batch(write_batch(rows, delimiter=";")).frame
    assert frame["amount"].to_list() == [Decimal("150000"), Decimal("1234.56"), Decimal("0.01"),
                                         Decimal("0")]
