"""``read_batch``: a bank's transaction file (CSV or Parquet) -> canonical frame + quarantine."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from aml_screen.errors import ConfigError, IngestError
from aml_screen.i18n import t
from aml_screen.ingest import dates
from aml_screen.ingest.csv_reader import LINE_COLUMN, BrokenRow, TextBatch, read_csv_text
from aml_screen.ingest.currencies import minor_units
from aml_screen.ingest.encoding import decode
from aml_screen.ingest.headers import resolve_columns
from aml_screen.ingest.mapping import ColumnMapping
from aml_screen.ingest.parquet_reader import MAGIC, read_parquet_text
from aml_screen.ingest.validate import ValidationOptions, validate
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


def read_batch(
    path: Path,
    mapping: ColumnMapping | None = None,
    *,
    timezone: str = "UTC",
    date_order: str = "dmy",
) -> IngestResult:
    """Read and validate one batch; rows that fail a check go to the quarantine frame.

    ``timezone``/``date_order`` are the settings' values; the mapping's, when set, win.
    A file that is not a batch at all raises ``IngestError``.
    """
    mapping = mapping or ColumnMapping()
    zone = _zone(mapping.timezone or timezone)
    order = mapping.date_order or date_order
    if order not in ("dmy", "mdy"):
        raise ConfigError("config.bad_value", name="date_order", value=order, detail="dmy | mdy")
    data = _read_bytes(path)
    source = str(path)
    if data.startswith(MAGIC) or path.suffix.lower() == ".parquet":
        text, encoding = read_parquet_text(data, source), "parquet"
    else:
        decoded, encoding = decode(data, mapping.encoding, source)
        text = read_csv_text(decoded, mapping.delimiter, source)
    headers = [c for c in text.frame.columns if c != LINE_COLUMN]
    columns = resolve_columns(headers, mapping.columns, source)
    options = ValidationOptions(
        source_file=path.name,
        columns=columns,
        date_formats=dates.formats_for(mapping.date_formats, order),
        timezone=zone,
        decimal_separator=mapping.decimal_separator,
        delimiter=text.delimiter,
        minor_units=minor_units(),
        rank_date_formats=not mapping.date_formats,
    )
    frame, quarantine = validate(text.frame, options)
    broken = _broken_rows(text, headers.index(columns["transaction_id"]), path.name)
    quarantine = pl.concat([quarantine, broken]).sort("line_number", maintain_order=True)
    rows_read = text.frame.height + len(text.broken)
    if rows_read != frame.height + quarantine.height:  # a bug, never a property of the file
        raise AssertionError(f"ingest of {source}: {rows_read} rows read, "
                             f"{frame.height} loaded + {quarantine.height} quarantined")
    return IngestResult(frame, quarantine, rows_read, encoding, hashlib.sha256(data).hexdigest())


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError("config.bad_value", name="timezone", value=name,
                          detail="IANA zone, e.g. Africa/Niamey") from exc
    return name


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise IngestError("ingest.file_missing", path=path) from exc
    except OSError as exc:
        raise IngestError("ingest.unreadable", path=path, detail=exc.strerror) from exc


def _broken_rows(text: TextBatch, id_index: int, source_file: str) -> pl.DataFrame:
    """Quarantine rows for lines whose field count differs from the header's."""
    columns = len(text.frame.columns) - 1

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
