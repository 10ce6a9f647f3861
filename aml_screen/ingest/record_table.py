"""A message file's records (``records.RecordBatch``) as a ``source.Table``.

The records already carry canonical column names, so no header recognition runs: every
canonical column the reader filled is mapped onto itself, and the other columns
(``SOURCE_REF``, ``REPORT_COLUMNS``, ``AGENT_COLUMNS``) are kept as the batch's extra text
columns, stored with the transactions. ``SOURCE_REF`` comes first, so a quarantined
record's ``raw`` text starts with its XPath or message reference; its ``line_number`` is
the record's position in the file (1 for the first transaction).
"""

from __future__ import annotations

import polars as pl

from aml_screen.ingest.csv_reader import LINE_COLUMN
from aml_screen.ingest.mapping import MAPPABLE
from aml_screen.ingest.records import SOURCE_REF, RecordBatch
from aml_screen.ingest.source import BatchSource, FrameTable

RAW_SEPARATOR = " | "
"""Between a quarantined record's values in its ``raw`` text."""


def record_source(batch: RecordBatch) -> BatchSource:
    """What ``read_batch`` validates of ``batch``: its records, ``SOURCE_REF`` first, with
    their position in the file as line, canonical columns fixed."""
    frame = batch.frame
    table = FrameTable(frame.select(
        SOURCE_REF, pl.exclude(SOURCE_REF),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias(LINE_COLUMN)), RAW_SEPARATOR)
    columns = {c: c for c in MAPPABLE if c in table.headers}
    return BatchSource(table, batch.format, RAW_SEPARATOR, columns, ".", batch.unmapped)
