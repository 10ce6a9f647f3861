"""``read_batch``: a bank's transaction file (CSV or Parquet) -> canonical frame + quarantine."""

from __future__ import annotations

import hashlib
import mmap
import os
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from itertools import repeat
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from aml_screen.errors import ConfigError, IngestError
from aml_screen.i18n import t
from aml_screen.ingest import dates
from aml_screen.ingest.csv_reader import BrokenRow, CsvLayout, TextBatch, csv_layout, empty_text
from aml_screen.ingest.currencies import minor_units
from aml_screen.ingest.encoding import utf8_bytes
from aml_screen.ingest.headers import resolve_columns
from aml_screen.ingest.mapping import ColumnMapping
from aml_screen.ingest.parquet_reader import MAGIC, ParquetBatch
from aml_screen.ingest.validate import (
    CHECKED,
    BatchFacts,
    ChunkFacts,
    ValidationOptions,
    chunk_facts,
    combine_facts,
    extra_name,
    validate_chunk,
)
from aml_screen.schema import QUARANTINE_SCHEMA


@dataclass(frozen=True)
class IngestResult:
    frame: pl.DataFrame
    """``TRANSACTION_SCHEMA`` columns first, then the batch's other columns as text."""
    quarantine: pl.DataFrame
    """``QUARANTINE_SCHEMA``, ordered by line."""
    rows_read: int
    """Rows in the file (blank lines aside): always ``frame.height + quarantine.height``."""
    encoding: str
    """Encoding used: ``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``cp1252``... or ``parquet``."""
    sha256: str
    """Of the file's bytes."""


CHUNK_ROWS = 1_000_000
"""Rows validated at a time: the text of one chunk is the most held besides the result."""
WORKERS = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2)
"""Chunks read and validated at once (polars releases the GIL; many validation steps run
on one column, so two chunks at a time keep two cores busy)."""


def read_batch(
    path: Path,
    mapping: ColumnMapping | None = None,
    *,
    timezone: str = "UTC",
    date_order: str = "dmy",
    chunk_rows: int = CHUNK_ROWS,
    columns: Collection[str] | None = None,
    plausible: tuple[datetime, datetime] | None = None,
) -> IngestResult:
    """Read and validate one batch; rows that fail a check go to the quarantine frame.

    ``timezone``/``date_order`` are the settings' values; the mapping's, when set, win.
    A file that is not a batch at all raises ``IngestError``. The file is read and
    validated in chunks of ``chunk_rows`` rows, ``WORKERS`` at a time (a CSV file is
    memory-mapped, a Parquet file scanned by row range), so memory follows the result, not
    the file's text; the result is the same whatever the chunking. ``columns`` names the
    columns to load (canonical names, or the batch's own for its other columns); None
    loads all. Every row is checked whatever is loaded, and a quarantined row's raw text
    is always the whole row. ``plausible`` bounds booking dates (``dates.plausible_range``,
    its default when None).
    """
    mapping = mapping or ColumnMapping()
    zone = _zone(mapping.timezone or timezone)
    order = mapping.date_order or date_order
    if order not in ("dmy", "mdy"):
        raise ConfigError("config.bad_value", name="date_order", value=order, detail="dmy | mdy")
    digest, head = _digest(path)
    source = str(path)
    reader: ParquetBatch | CsvLayout
    if head.startswith(MAGIC) or path.suffix.lower() == ".parquet":
        reader = ParquetBatch(path, source)
        headers, encoding, delimiter = reader.headers, "parquet", ","
    else:
        data, encoding = utf8_bytes(_map(path), mapping.encoding, source)
        reader = csv_layout(data, mapping.delimiter, source)
        del data
        headers, delimiter = reader.names, reader.delimiter
    resolved = resolve_columns(headers, mapping.columns, source)
    options = ValidationOptions(
        source_file=path.name,
        columns=resolved,
        date_formats=dates.formats_for(mapping.date_formats, order),
        timezone=zone,
        decimal_separator=mapping.decimal_separator,
        delimiter=delimiter,
        minor_units=minor_units(),
        rank_date_formats=not mapping.date_formats,
        date_order=order,
        plausible=plausible or dates.plausible_range(),
    )
    starts = range(0, reader.height, chunk_rows)
    wanted = _wanted_headers(headers, resolved, columns)
    id_index = headers.index(resolved["transaction_id"])

    def load(first: int, facts: BatchFacts | str) -> _Loaded:
        """One chunk validated with the batch's ``facts``, or with its own and this
        decimal separator (``auto``: the one its amounts vote for)."""
        chunk = reader.chunk(first, chunk_rows, wanted)
        own = chunk_facts(chunk.frame, options)
        if isinstance(facts, str):
            facts = combine_facts([own], replace(options, decimal_separator=facts))
        whole = None if wanted is None else partial(_whole, reader, first, chunk_rows)
        frame, quarantine = validate_chunk(chunk.frame, options, facts, full_text=whole,
                                           keep=columns)
        broken = _broken_rows(chunk, id_index, len(headers), path.name)
        rows = chunk.frame.height + len(chunk.broken)
        return _Loaded(frame, quarantine, broken, rows, own, facts.separator)

    # Each chunk is validated on its own facts, with the decimal separator the first
    # chunk's amounts vote for: the whole batch's answer unless the batch's votes go the
    # other way or a transaction id repeats one from an earlier chunk. Then every chunk is
    # validated again with the batch's facts, so the result never depends on chunking.
    loaded = [load(0, options.decimal_separator)] if starts else []
    separator = loaded[0].separator if loaded else options.decimal_separator
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        loaded += pool.map(load, starts[1:], repeat(separator))
        facts = combine_facts([item.facts for item in loaded], options)
        local = sum(int((item.quarantine["reason_code"] == "duplicate_id").sum())
                    for item in loaded)
        if facts.separator != separator or facts.duplicate_lines.len() != local:
            loaded = list(pool.map(load, starts, repeat(facts)))
    frames = [item.frame for item in loaded]
    quarantines = [q for item in loaded for q in (item.quarantine, item.broken)]
    rows_read = sum(item.rows for item in loaded)
    if not frames:
        frame, quarantine = validate_chunk(empty_text(headers, delimiter).frame, options, facts)
        frames, quarantines = [frame], [quarantine]
    frame = pl.concat(frames, rechunk=False)
    quarantine = pl.concat(quarantines).sort("line_number", maintain_order=True)
    if rows_read != frame.height + quarantine.height:  # a bug, never a property of the file
        raise AssertionError(f"ingest of {source}: {rows_read} rows read, "
                             f"{frame.height} loaded + {quarantine.height} quarantined")
    return IngestResult(frame, quarantine, rows_read, encoding, digest)


class _Loaded(NamedTuple):
    frame: pl.DataFrame
    quarantine: pl.DataFrame
    broken: pl.DataFrame
    rows: int
    facts: ChunkFacts
    separator: str


def _wanted_headers(headers: list[str], resolved: dict[str, str],
                    columns: Collection[str] | None) -> list[str] | None:
    """The batch headers to read for ``columns`` plus those every row is checked on."""
    if columns is None:
        return None
    mapped = set(resolved.values())
    keep = {resolved[c] for c in (*CHECKED, *columns) if c in resolved}
    keep |= {h for h in headers if h not in mapped and extra_name(h) in columns}
    return [h for h in headers if h in keep]


def _whole(reader: ParquetBatch | CsvLayout, first: int, rows: int) -> pl.DataFrame:
    return reader.chunk(first, rows).frame


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError("config.bad_value", name="timezone", value=name,
                          detail="IANA zone, e.g. Africa/Niamey") from exc
    return name


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


def _digest(path: Path) -> tuple[str, bytes]:
    """The file's SHA-256 and its first bytes, read as a stream."""
    try:
        with path.open("rb") as stream:
            head = stream.read(len(MAGIC))
            stream.seek(0)
            return hashlib.file_digest(stream, "sha256").hexdigest(), head
    except FileNotFoundError as exc:
        raise IngestError("ingest.file_missing", path=path) from exc
    except OSError as exc:
        raise IngestError("ingest.unreadable", path=path, detail=exc.strerror) from exc


def _broken_rows(text: TextBatch, id_index: int, columns: int, source_file: str
                 ) -> pl.DataFrame:
    """Quarantine rows for lines whose field count differs from the header's."""

    def row(broken: BrokenRow) -> dict[str, object]:
        tx_id = broken.fields[id_index].strip() if id_index < len(broken.fields) else ""
        return {
            "source_file": source_file,
            "line_number": broken.line,
            "transaction_id": tx_id or None,
            "reason_code": "bad_field_count",
            "reason": t("ingest.reason.bad_field_count", fields=len(broken.fields),
                        columns=columns),
            "raw": broken.raw,
        }

    return pl.DataFrame([row(b) for b in text.broken], schema=QUARANTINE_SCHEMA)
