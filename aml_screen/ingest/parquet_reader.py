"""Parquet batch -> the same all-text frame the CSV reader gives (``LINE_COLUMN`` = row number).

Typed columns are written as text the validator reads exactly: decimals and integers as
digits, timestamps as ISO 8601 (with ``+00:00`` when the column has a zone, so it is not
read again in the batch's zone), dates as ``yyyy-mm-dd``. A float amount becomes its
shortest round-trip text (``1500.5``, like Python's ``str()``), never a binary expansion;
floats of 1e16 and above print in exponent form and are quarantined as ``bad_amount``.
Producers should write amounts as decimal or string columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import polars as pl

from aml_screen.errors import IngestError
from aml_screen.ingest.csv_reader import LINE_COLUMN, TextBatch

MAGIC = b"PAR1"
T = TypeVar("T")


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


class ParquetBatch:
    """A Parquet batch read lazily: its column names and row count from the footer, then
    row chunks (optionally only some columns) as the all-text frame the CSV reader gives."""

    def __init__(self, path: Path, source: str) -> None:
        self.source = source
        self._scan = pl.scan_parquet(path)
        self.schema = self._guard(lambda: dict(self._scan.collect_schema()))
        self.headers = list(self.schema)
        self.height = int(self._guard(lambda: self._scan.select(pl.len()).collect().item()))

    def chunks(self, rows: int, columns: Sequence[str] | None = None) -> Iterator[TextBatch]:
        """Every row, ``rows`` at a time: see ``chunk``."""
        for first in range(0, self.height, rows):
            yield self.chunk(first, rows, columns)

    def chunk(self, first: int, rows: int, columns: Sequence[str] | None = None) -> TextBatch:
        """Rows ``first`` to ``first + rows`` (only ``columns`` when given);
        ``LINE_COLUMN`` is the 1-based row number."""
        names = self.headers if columns is None else list(columns)
        query = self._scan.slice(first, rows).select(
            *(_as_text(name, self.schema[name]).alias(name) for name in names),
            (pl.int_range(pl.len(), dtype=pl.Int64) + first + 1).alias(LINE_COLUMN),
        ).with_columns(pl.col(names).str.strip_chars().replace("", None))
        return TextBatch(self._guard(query.collect), (), ",")

    def _guard(self, read: Callable[[], T]) -> T:
        try:
            return read()
        except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
            raise IngestError("ingest.bad_parquet", path=self.source,
                              detail=str(exc).splitlines()[0] if str(exc)
                              else type(exc).__name__) from exc
