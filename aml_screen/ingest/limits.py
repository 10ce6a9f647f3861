"""Bounds on what one batch file may hold, checked while it is read: a small file must not
turn into huge work (a Parquet file of 30M identical rows in 92 KB, a CSV field of 50 MB, a
header of a million columns, a ZIP member that inflates to gigabytes). A file past a bound
is refused whole with one line naming the bound and the setting that raises it (exit 2 in
the CLI), before the work it would cost is done.

The defaults fit a 24 GiB machine with room to spare: 20M rows is about twice the largest
batch benchmarked (10M rows: 3.7 GiB with every rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from aml_screen.errors import IngestError
from aml_screen.settings import Settings


@dataclass(frozen=True)
class InputLimits:
    rows: int = 20_000_000
    """Rows of one batch (of all its members, for a ZIP): ``max_batch_rows``."""
    columns: int = 1_000
    """Columns of its header: ``max_batch_columns``."""
    field_bytes: int = 100_000
    """UTF-8 bytes of one field: ``max_field_bytes``."""
    line_bytes: int = 1_048_576
    """Bytes of one CSV record (its line, or lines when a quoted field holds newlines):
    ``max_line_bytes``."""
    unpacked_bytes: int = 4 << 30
    """Bytes a ZIP member may inflate to: ``max_unpacked_mb``."""

    def check_columns(self, count: int, source: str) -> None:
        if count > self.columns:
            raise IngestError("ingest.limit.columns", path=source, count=count,
                              limit=self.columns)

    def check_rows(self, count: int, source: str) -> None:
        if count > self.rows:
            raise IngestError("ingest.limit.rows", path=source, count=count, limit=self.rows)

    def check_fields(self, frame: pl.DataFrame, lines: str, source: str) -> None:
        """Refuse ``frame`` (text columns, the file's line numbers in column ``lines``) when
        one of its fields is longer than the bound, naming the first such row and column."""
        texts = [c for c, dtype in frame.schema.items() if dtype == pl.String]
        if not texts or frame.is_empty():
            return
        longest = frame.select(pl.max_horizontal(pl.col(texts).str.len_bytes()).max()).item()
        if longest is None or longest <= self.field_bytes:
            return
        for column in texts:
            too_long = frame.filter(pl.col(column).str.len_bytes() > self.field_bytes)
            if too_long.height:
                raise IngestError("ingest.limit.field", path=source, column=column,
                                  line=too_long.get_column(lines)[0], limit=self.field_bytes)


DEFAULT_LIMITS = InputLimits()
"""The bounds when no settings name them."""


def input_limits(settings: Settings) -> InputLimits:
    """The bounds a deployment set."""
    return InputLimits(rows=settings.max_batch_rows, columns=settings.max_batch_columns,
                       field_bytes=settings.max_field_bytes,
                       line_bytes=settings.max_line_bytes,
                       unpacked_bytes=settings.max_unpacked_mb << 20)
