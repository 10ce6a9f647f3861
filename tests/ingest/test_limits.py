"""Bounds on one batch file, checked while it is read: the probe's small files that made huge
work (a 50 MB field, a header of a million columns, a Parquet file of 30M identical rows, a ZIP
member inflating to gigabytes) are refused with one line naming the bound, and never reach
the parser with their whole size."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from aml_screen.cli import main
from aml_screen.errors import ConfigError, IngestError
from aml_screen.ingest import read_batch
from aml_screen.ingest.limits import InputLimits, input_limits
from aml_screen.settings import load_settings
from tests.ingest.conftest import HEADER, WriteBatch, batch_text

REPO = Path(__file__).resolve().parents[2]
ROW = ("VIR-0001", "03/03/2025", "150000", "XOF", "Moussa Traoré", "Awa Sangaré", "ML")
MB = 1 << 20


def _rows(count: int) -> list[tuple[str, ...]]:
    return [(f"VIR-{i:06d}", *ROW[1:]) for i in range(count)]


def _screen(batch: Path, out: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"), *options,
                                       "screen", str(batch), "--out", str(out),
                                       "--no-progress"])
    return result.exit_code, result.stderr


def _refused(read: pytest.ExceptionInfo[IngestError], key: str) -> dict[str, object]:
    assert read.value.key == key
    return read.value.params


def test_a_50_mb_field_is_refused_before_parsing_with_exit_2(tmp_path: Path) -> None:
    batch = tmp_path / "long.csv"
    with batch.open("w", encoding="utf-8") as out:
        out.write(batch_text(_rows(3)))
        out.write(";".join(("VIR-X", "03/03/2025", "1", "XOF", "A" * (50 * MB), "B", "ML")))
        out.write("\n")
    code, stderr = _screen(batch, tmp_path / "out")
    assert code == 2
    assert stderr.count("\n") == 1, stderr
    assert "line 5" in stderr
    assert "max_line_bytes" in stderr
    assert "Traceback" not in stderr


def test_a_quote_left_open_is_refused_as_one_record_too_long(tmp_path: Path) -> None:
    """An unclosed quote makes one record of the rest of the file."""
    text = batch_text(_rows(20_000)).replace("Moussa Traoré", '"Moussa Traoré', 1)
    batch = tmp_path / "open-quote.csv"
    batch.write_text(text, encoding="utf-8")
    with pytest.raises(IngestError) as read:
        read_batch(batch, limits=InputLimits(line_bytes=100_000))
    assert _refused(read, "ingest.limit.line")["line"] == 2


def test_a_header_of_a_million_columns_is_refused(tmp_path: Path) -> None:
    header = [f"c{i}" for i in range(1_000_000)]
    batch = tmp_path / "wide.csv"
    batch.write_text(";".join(header) + "\n" + ";".join("x" * len(header)) + "\n",
                     encoding="utf-8")
    with pytest.raises(IngestError) as read:  # by its line length, with the defaults
        read_batch(batch)
    assert _refused(read, "ingest.limit.line")["line"] == 1
    with pytest.raises(IngestError) as read:  # by its columns, when lines may be that long
        read_batch(batch, limits=InputLimits(line_bytes=64 * MB))
    assert _refused(read, "ingest.limit.columns") == {
        "path": str(batch), "count": 1_000_000, "limit": 1_000}


def test_rows_past_the_bound_are_refused_and_at_the_bound_read(
        write_batch: WriteBatch) -> None:
    batch = write_batch(_rows(500))
    assert read_batch(batch, limits=InputLimits(rows=500)).frame.height == 500
    with pytest.raises(IngestError) as read:
        read_batch(batch, limits=InputLimits(rows=499))
    assert _refused(read, "ingest.limit.rows")["count"] == 500


def _parquet_bomb(path: Path, rows: int, group: int = 1_000_000) -> None:
    """``rows`` copies of one row, written a row group at a time (dictionary encoded)."""
    table = pa.table({name: pa.array([value] * group) for name, value in zip(HEADER, ROW,
                                                                            strict=True)})
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:
        for _ in range(rows // group):
            writer.write_table(table, row_group_size=group)


@pytest.mark.slow
def test_a_parquet_file_of_30m_identical_rows_is_refused_in_little_memory(
        tmp_path: Path) -> None:
    """The probe's 92 KB file of 30M rows ran 110 s and peaked at 16.7 GB."""
    bomb = tmp_path / "bomb.parquet"
    _parquet_bomb(bomb, 30_000_000)
    assert bomb.stat().st_size < 2 * MB
    with subprocess.Popen(
            [str(Path(sys.executable).with_name("aml-screen")), "--config",
             str(REPO / "aml-screen.toml"), "screen", str(bomb), "--out", str(tmp_path / "out"),
             "--no-progress"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO) as process:
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 2, stderr
    assert "30000000 rows" in stderr
    assert "max_batch_rows" in stderr
    assert usage.ru_maxrss * 1024 < 2 * 1024 * MB  # the child's own peak, in KiB on Linux


def test_a_long_field_in_a_parquet_file_is_refused_naming_where(tmp_path: Path) -> None:
    frame = pl.DataFrame({name: [value] * 3 for name, value in zip(HEADER, ROW, strict=True)})
    frame = frame.with_columns(pl.Series("beneficiary_name", ["B", "x" * 200_001, "C"]))
    batch = tmp_path / "field.parquet"
    frame.write_parquet(batch)
    with pytest.raises(IngestError) as read:
        read_batch(batch)
    assert _refused(read, "ingest.limit.field") == {
        "path": str(batch), "column": "beneficiary_name", "line": 2, "limit": 100_000}


def test_a_zip_member_that_inflates_past_the_bound_refuses_the_archive(
        tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("a.csv", batch_text(_rows(10)))
        zipped.writestr("zeros.csv", b"\0" * (3 * MB))
    assert archive.stat().st_size < 64 * 1024
    with pytest.raises(IngestError) as read:
        read_batch(archive, limits=InputLimits(unpacked_bytes=2 * MB))
    assert _refused(read, "ingest.limit.unpacked")["member"] == "zeros.csv"


def test_the_rows_of_every_zip_member_count_against_one_bound(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("march.csv", batch_text(_rows(600)))
        zipped.writestr("april.csv", batch_text(_rows(600)))
    archive = tmp_path / "months.zip"
    archive.write_bytes(buffer.getvalue())
    assert read_batch(archive, limits=InputLimits(rows=1_200)).rows_read == 1_200
    with pytest.raises(IngestError) as read:
        read_batch(archive, limits=InputLimits(rows=1_000))
    assert _refused(read, "ingest.limit.rows") == {
        "path": str(archive), "count": 1_200, "limit": 1_000}


def test_the_bounds_are_settings(tmp_path: Path) -> None:
    settings = load_settings(environ={"AML_SCREEN_MAX_BATCH_ROWS": "1000",
                                      "AML_SCREEN_MAX_UNPACKED_MB": "8"},
                             config_file=tmp_path / "none.toml")
    assert input_limits(settings) == InputLimits(rows=1_000, unpacked_bytes=8 * MB)
    with pytest.raises(ConfigError):
        load_settings(environ={"AML_SCREEN_MAX_FIELD_BYTES": "0"},
                      config_file=tmp_path / "none.toml")
