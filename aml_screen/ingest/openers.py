"""The readers of the table formats ``read_batch`` started with: CSV and Parquet."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

from aml_screen.errors import IngestError
from aml_screen.ingest.csv_reader import csv_layout
from aml_screen.ingest.encoding import utf8_bytes
from aml_screen.ingest.limits import InputLimits
from aml_screen.ingest.mapping import ColumnMapping
from aml_screen.ingest.parquet_reader import ParquetBatch
from aml_screen.ingest.source import BatchSource


def open_csv(path: Path, mapping: ColumnMapping, source: str,
             limits: InputLimits) -> BatchSource:
    """The file decoded to UTF-8 (its encoding detected unless the mapping names one) and
    cut into records; a memory-mapped file stays mapped, read chunk by chunk."""
    data, encoding = utf8_bytes(_map(path), mapping.encoding, source)
    layout = csv_layout(data, mapping.delimiter, source, limits)
    return BatchSource(layout, encoding, layout.delimiter)


def open_parquet(path: Path, mapping: ColumnMapping, source: str,
                 limits: InputLimits) -> BatchSource:
    return BatchSource(ParquetBatch(path, source), "parquet")


def _map(path: Path) -> bytes | mmap.mmap:
    """The file's bytes as a read-only memory map (its pages are read on demand and can
    be let go), or as bytes when it is empty (an empty file cannot be mapped)."""
    try:
        with path.open("rb") as stream:
            if os.fstat(stream.fileno()).st_size == 0:
                return b""
            return mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError as exc:
        raise IngestError("ingest.file_missing", path=path) from exc
    except OSError as exc:
        raise IngestError("ingest.unreadable", path=path, detail=exc.strerror) from exc
