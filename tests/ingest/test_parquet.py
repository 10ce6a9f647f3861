"""Parquet batches: typed columns converted exactly; unreadable files refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import IngestError
from aml_screen.ingest import read_batch
from aml_screen.schema import TRANSACTION_SCHEMA


def _write(tmp_path: Path, frame: pl.DataFrame, name: str = "batch.parquet") -> Path:
    path = tmp_path / name
    frame.write_parquet(path)
    return path


def test_typed_columns_become_canonical(tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "Transaction ID": ["T1", "T2", "T3"],
        "booked_at": [datetime(2025, 3, 1, 10, 0), datetime(2025, 3, 1, 11, 30),
                      datetime(2025, 3, 2, 0, 0)],
        "amount": [Decimal("1500.50"), Decimal("12.00"), Decimal("0.10")],
        "currency": ["eur", "XOF", "xof"],
        "branch_code": [101, 102, 103],
        "value_day": [date(2025, 3, 1), date(2025, 3, 1), date(2025, 3, 2)],
        "tags": [["a", "b"], [], None],
    }, schema_overrides={"amount": pl.Decimal(20, 2)})
    result = read_batch(_write(tmp_path, frame), timezone="Africa/Niamey")
    assert result.encoding == "parquet"
    assert dict(result.frame.schema) == {**TRANSACTION_SCHEMA, "branch_code": pl.String(),
                                         "value_day": pl.String(), "tags": pl.String()}
    assert result.frame["amount"].to_list() == [Decimal("1500.5"), Decimal("12")]
    assert result.frame["booked_at"].to_list() == [datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
                                                   datetime(2025, 3, 1, 10, 30, tzinfo=UTC)]
    assert result.frame.select("branch_code", "value_day", "tags").row(0) == (
        "101", "2025-03-01", "a, b")
    assert result.quarantine.select("line_number", "reason_code").rows() == [(3, "bad_scale")]


def test_zoned_timestamps_are_not_shifted_again(tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "id": ["T1"], "date": [datetime(2025, 3, 1, 10, 0)], "amount": ["10"], "devise": ["EUR"],
    }).with_columns(pl.col("date").dt.replace_time_zone("Africa/Lagos"))
    at = read_batch(_write(tmp_path, frame), timezone="America/New_York").frame["booked_at"]
    assert at.to_list() == [datetime(2025, 3, 1, 9, 0, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1500.5, Decimal("1500.5")), (0.1, Decimal("0.1")), (2.0, Decimal("2")),
     (1234567.89, Decimal("1234567.89")), (1e16, None), (float("nan"), None)],
)
def test_float_amounts_go_through_their_shortest_text(
    tmp_path: Path, value: float, expected: Decimal | None
) -> None:
    frame = pl.DataFrame({"id": ["T1"], "date": ["2025-03-01"], "amount": [value],
                          "currency": ["EUR"]})
    result = read_batch(_write(tmp_path, frame))
    assert result.frame["amount"].to_list() == ([] if expected is None else [expected])
    assert result.quarantine["reason_code"].to_list() == ([] if expected else ["bad_amount"])


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"PAR1 this is not really parquet PAR1", "batch.csv"), (b"PAR1\x15\x04", "x.parquet")],
)
def test_unreadable_parquet_is_one_error(tmp_path: Path, content: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as err:
        read_batch(path)
    assert err.value.key == "ingest.bad_parquet"
