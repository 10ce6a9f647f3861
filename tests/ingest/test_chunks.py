"""Reading a batch in chunks, and loading only some columns, changes nothing else: the same
rows load, the same rows are quarantined for the same reasons with their whole raw text."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from aml_screen.ingest import read_batch
from aml_screen.schema import TRANSACTION_SCHEMA
from tests.ingest.conftest import HEADER, WriteBatch

ROWS = [
    ("VIR-0001", "01/03/2025 10:00", "150000", "XOF", "Aïssata Maïga", "Moussa Traoré", "Niger"),
    ("VIR-0002", "01/03/2025 10:05", "1 500,50", "EUR", "Oumar Ould Mohamed",
     "Keïta\nAminata", "Mali"),
    ("VIR-0003", "31/02/2025", "2500", "XOF", "Hamidou Diallo", "Fatouma Cissé", "Niger"),
    ("", "", "", "", "", "", ""),
    ("VIR-0004", "02/03/2025 08:00", "2,5", "XOF", "Ibrahim Ag Alghabass", "SARL Sahel",
     "Burkina Faso"),
    ("VIR-0001", "02/03/2025 09:00", "100", "XOF", "Aïssata Maïga", "Adama Sawadogo", "Niger"),
    ("VIR-0005", "02/03/2025 09:30", "75000", "XOF", "Mariam Touré"),
    ("VIR-0003", "02/03/2025 10:00", "99,99", "EUR", "Boubacar Diallo", "Awa Ba", "Tchad"),
    ("VIR-0006", "02/03/2025 11:00", "12,25", "EUR", "", "  ", "Niger"),
    ("VIR-0007", "03/03/2025 12:00", "-40", "EUR", "Sidi Ould Ahmed", "El Hadj Oumarou", "Mali"),
]
SCREENING = ("transaction_id", "originator_name", "beneficiary_name")


def _assert_same(chunked: pl.DataFrame, whole: pl.DataFrame) -> None:
    assert_frame_equal(chunked.rechunk(), whole.rechunk())


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 1000])
def test_csv_chunks_give_the_whole_file_result(write_batch: WriteBatch, chunk_rows: int) -> None:
    path = write_batch(ROWS)
    whole = read_batch(path)
    chunked = read_batch(path, chunk_rows=chunk_rows)
    _assert_same(chunked.frame, whole.frame)
    _assert_same(chunked.quarantine, whole.quarantine)
    assert chunked.rows_read == whole.rows_read == 9  # the blank row is not a row
    assert whole.quarantine.select("line_number", "reason_code").rows() == [
        (5, "bad_date"), (7, "bad_scale"), (8, "duplicate_id"), (9, "bad_field_count"),
        (10, "duplicate_id"), (12, "negative_amount")]
    # VIR-0003 first appears on line 5 (quarantined there for its date): line 10 repeats it
    assert "line 5" in whole.quarantine.row(4, named=True)["reason"]
    assert whole.frame["transaction_id"].to_list() == ["VIR-0001", "VIR-0002", "VIR-0006"]


@pytest.mark.parametrize("chunk_rows", [2, 1000])
def test_loading_some_columns_keeps_checks_and_raw_text(
    write_batch: WriteBatch, chunk_rows: int
) -> None:
    path = write_batch(ROWS)
    whole = read_batch(path)
    some = read_batch(path, chunk_rows=chunk_rows, columns=SCREENING)
    assert dict(some.frame.schema) == TRANSACTION_SCHEMA
    _assert_same(some.quarantine, whole.quarantine)
    assert some.quarantine["raw"][0].startswith("VIR-0003;31/02/2025;2500;XOF;Hamidou")
    _assert_same(some.frame.select(*SCREENING, "source_line"),
                 whole.frame.select(*SCREENING, "source_line"))
    assert some.frame["booked_at"].null_count() == some.frame.height
    assert some.frame["beneficiary_country"].null_count() == some.frame.height


def test_parquet_chunks_and_columns_give_the_whole_file_result(tmp_path: Path) -> None:
    rows = [r for r in ROWS if len(r) == len(HEADER)]
    frame = pl.DataFrame([dict(zip(HEADER, r, strict=True)) for r in rows]).with_columns(
        extra=pl.int_range(pl.len()))
    path = tmp_path / "batch.parquet"
    frame.write_parquet(path)
    whole = read_batch(path)
    for chunked in (read_batch(path, chunk_rows=2), read_batch(path, chunk_rows=3)):
        _assert_same(chunked.frame, whole.frame)
        _assert_same(chunked.quarantine, whole.quarantine)
    some = read_batch(path, chunk_rows=2, columns=(*SCREENING, "extra"))
    _assert_same(some.quarantine, whole.quarantine)
    assert some.frame.columns == [*TRANSACTION_SCHEMA, "extra"]
    _assert_same(some.frame.select(*SCREENING, "extra"), whole.frame.select(*SCREENING, "extra"))
    assert whole.quarantine["reason_code"].to_list() == [
        "bad_date", "missing_id", "bad_scale", "duplicate_id", "duplicate_id", "negative_amount"]


def test_the_decimal_separator_is_the_whole_batch_s_choice(write_batch: WriteBatch) -> None:
    # The first row alone ("1,500") would read as a decimal comma in a ;-separated file;
    # the batch's other amounts show a decimal point, which every chunk must follow.
    rows = [("T1", "01/03/2025", "1,500", "EUR", "Awa Ba", "Moussa Traoré", "Mali"),
            ("T2", "01/03/2025", "1500.50", "EUR", "Awa Ba", "Moussa Traoré", "Mali"),
            ("T3", "01/03/2025", "12.25", "EUR", "Awa Ba", "Moussa Traoré", "Mali")]
    path = write_batch(rows)
    whole = read_batch(path)
    assert [str(a) for a in whole.frame["amount"]] == ["1500.0000", "1500.5000", "12.2500"]
    for chunk_rows in (1, 2):
        _assert_same(read_batch(path, chunk_rows=chunk_rows).frame, whole.frame)


def test_line_numbers_after_a_quoted_newline_in_a_file_without_final_newline(
    write_batch: WriteBatch, tmp_path: Path
) -> None:
    text = ("transaction_id;booked_at;amount;currency;originator_name\n"
            'T1;01/03/2025;100;XOF;"Keïta\nAminata"\n'
            "T2;01/03/2025;200;XOF;Awa Ba")
    path = tmp_path / "no_final_newline.csv"
    path.write_text(text, encoding="utf-8")
    frame = read_batch(path).frame
    assert frame.select("transaction_id", "source_line").rows() == [("T1", 2), ("T2", 4)]
