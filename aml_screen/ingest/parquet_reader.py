"""Parquet batch -> the same all-text frame the CSV reader gives (``LINE_COLUMN`` = row number).

Typed columns are written as text the validator reads exactly: decimals and integers as
digits, timestamps as ISO 8601 (with ``+00:00`` when the column has a zone, so it is not
read again in the batch's zone), dates as ``yyyy-mm-dd``. A float amount becomes its
shortest round-trip text (``1500.5``, like Python's ``str()``), never a binary expansion;
floats of 1e16 and above print in exponent form and are quarantined as ``bad_amount``.
Producers should write amounts as decimal or string columns.
"""

from __future__ import annotations

import io

import polars as pl

from aml_screen.errors import IngestError
from aml_screen.ingest.csv_reader import LINE_COLUMN, TextBatch

MAGIC = b"PAR1"


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return col.dt.to_string("%Y-%m-%dT%H:%M:%S%.6f")
        return col.dt.convert_time_zone("UTC").dt.to_string("%Y-%m-%dT%H:%M:%S%.6f%:z")
    if isinstance(dtype, pl.List | pl.Array):
        return col.cast(pl.List(pl.String)).list.join(", ")
    if isinstance(dtype, pl.Struct):
        return col.struct.json_encode()
    if isinstance(dtype, pl.Binary):
        return col.bin.encode("hex")
    return col.cast(pl.String)


def read_parquet_text(data: bytes, source: str) -> TextBatch:
    """Every column as text, in file order, plus the 1-based row number."""
    try:
        typed = pl.read_parquet(io.BytesIO(data))
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise IngestError("ingest.bad_parquet", path=source,
                          detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                          ) from exc
    frame = typed.select(
        *(_as_text(name, dtype).alias(name) for name, dtype in typed.schema.items()),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(LINE_COLUMN),
    ).with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    return TextBatch(frame, (), ",")
