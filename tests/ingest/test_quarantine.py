"""A file that is mostly one row repeated quarantines that row once, with its count: the
probe's Parquet file of identical rows wrote a 4.9 GB quarantine.csv of copies."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from aml_screen.ingest import read_batch
from aml_screen.ingest.quarantine import compact, quarantined_rows
from aml_screen.pipeline import run_screening
from tests.ingest.conftest import HEADER, WriteBatch

ROW = ("VIR-0001", "03/03/2025", "150000", "XOF", "Moussa Traoré", "Awa Sangaré", "ML")


def test_copies_of_one_row_are_quarantined_once_with_their_count(tmp_path: Path) -> None:
    copies = 120_000
    frame = pl.DataFrame({name: [value] * copies for name, value in zip(HEADER, ROW,
                                                                        strict=True)})
    other = pl.DataFrame([("VIR-0002", "04/03/2025", "douze", "XOF", "A", "B", "ML")],
                         schema=HEADER, orient="row")
    batch = tmp_path / "copies.parquet"
    pl.concat([frame, other, frame.head(2)]).write_parquet(batch)
    result = read_batch(batch, chunk_rows=25_000)  # copies in every chunk
    assert result.frame.get_column("transaction_id").to_list() == ["VIR-0001"]
    assert result.rows_read == copies + 3
    rows = result.quarantine.select("line_number", "reason_code", "repeats").rows()
    assert rows == [(2, "duplicate_id", copies + 1), (copies + 1, "bad_amount", 1)]
    assert quarantined_rows(result.quarantine) == copies + 2


def test_rows_that_differ_are_kept_apart(write_batch: WriteBatch) -> None:
    batch = write_batch([ROW, ROW, (*ROW[:2], "abc", *ROW[3:]), (*ROW[:2], "abd", *ROW[3:]),
                         ("", *ROW[1:]), ("", *ROW[1:])])
    quarantine = read_batch(batch).quarantine
    assert quarantine.select("line_number", "reason_code", "repeats").rows() == [
        (3, "duplicate_id", 1), (4, "duplicate_id", 1), (5, "duplicate_id", 1),
        (6, "missing_id", 2)]


def test_compacting_twice_changes_nothing(write_batch: WriteBatch) -> None:
    quarantine = read_batch(write_batch([ROW] * 50)).quarantine
    assert compact(compact(quarantine)).equals(quarantine)


def test_the_summary_counts_every_row_a_quarantined_row_stands_for(
        write_batch: WriteBatch) -> None:
    """(Screened against no list at all, which used to fail on an index without columns.)"""
    run = run_screening([write_batch([ROW] * 1_000)], [], threshold=88)
    assert (run.summary["rows_read"], run.summary["rows_loaded"],
            run.summary["rows_quarantined"]) == (1_000, 1, 999)
    assert run.quarantine.height == 1
