"""Batch ingest: a transaction file (CSV, Parquet, Excel, goAML report, a ZIP of them:
``formats.FORMATS``) -> the canonical transaction frame and a quarantine of rows that cannot
be loaded (every row read is one or the other)."""

from aml_screen.ingest.batch import IngestResult, read_batch
from aml_screen.ingest.mapping import ColumnMapping, load_mapping

__all__ = ["ColumnMapping", "IngestResult", "load_mapping", "read_batch"]
