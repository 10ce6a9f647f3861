"""``read_batch``: a batch file of any format in ``formats.FORMATS`` -> canonical frame +
quarantine.

The format is detected from the file's content (``input_format`` overrides it); its reader
gives a table of text rows (``source.BatchSource``) that is validated here the same way
whatever the format. A ZIP's members are read as files of their own: a member that cannot
be read at all is refused whole, as one quarantine row (``FILE_REFUSED``) naming the member
and why, counted as one row read, while the other members load."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from itertools import repeat
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from aml_screen.errors import ConfigError, IngestError
from aml_screen.i18n import translate
from aml_screen.ingest import dates
from aml_screen.ingest.csv_reader import LINE_COLUMN, BrokenRow, TextBatch, empty_text
from aml_screen.ingest.currencies import minor_units
from aml_screen.ingest.formats import ZIP, batch_reader, detect_format
from aml_screen.ingest.headers import resolve_columns
from aml_screen.ingest.limits import DEFAULT_LIMITS, InputLimits
from aml_screen.ingest.mapping import ColumnMapping
from aml_screen.ingest.quarantine import compact, quarantined_rows
from aml_screen.ingest.sniff import HEAD_BYTES
from aml_screen.ingest.source import Table
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
from aml_screen.ingest.zipped import zip_members
from aml_screen.schema import PARTY_ONLY_COLUMN, QUARANTINE_SCHEMA, TRANSACTION_SCHEMA, empty


@dataclass(frozen=True)
class IngestResult:
    frame: pl.DataFrame
    """``TRANSACTION_SCHEMA`` columns first, then the batch's other columns as text."""
    quarantine: pl.DataFrame
    """``QUARANTINE_SCHEMA``, ordered by line."""
    rows_read: int
    """Rows in the file (blank lines aside): always ``frame.height`` plus the rows the
    quarantine stands for (``quarantine.quarantined_rows``)."""
    encoding: str
    """Encoding used: ``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``cp1252``... or, for a
    format that is not text, its name (``parquet``, ``xlsx``, ``goaml``, ``zip``...)."""
    sha256: str
    """Of the file's bytes."""
    format: str = "csv"
    """The format read (``formats.FORMATS``): detected, or the one asked for."""
    unmapped: Counter[str] = field(default_factory=Counter)
    """Elements of a message file no column was read from, by path, with their count."""
    members: tuple[tuple[str, str], ...] = ()
    """A ZIP's members: (name, format read, or ``FILE_REFUSED``)."""


FILE_REFUSED = "file_refused"
"""Reason code of a ZIP member that could not be read at all (one quarantine row)."""


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
    input_format: str = "auto",
    source: str | None = None,
    plausible: tuple[datetime, datetime] | None = None,
    language: str = "en",
    limits: InputLimits = DEFAULT_LIMITS,
) -> IngestResult:
    """Read and validate one batch; rows that fail a check go to the quarantine frame.

    ``timezone``/``date_order`` are the settings' values; the mapping's, when set, win.
    A file that is not a batch at all raises ``IngestError``. The file is read and
    validated in chunks of ``chunk_rows`` rows, ``WORKERS`` at a time (a CSV file is
    memory-mapped, a Parquet file scanned by row range), so memory follows the result, not
    the file's text; the result is the same whatever the chunking. ``columns`` names the
    columns to load (canonical names, or the batch's own for its other columns); None
    loads all. Every row is checked whatever is loaded, and a quarantined row's raw text
    is always the whole row. ``input_format`` is a ``formats.FORMATS`` name or ``auto``
    (detected from the content). ``source`` names the file in messages and in
    ``source_file`` (default: its path, and its name).
    ``plausible`` bounds booking dates (``dates.plausible_range``, its default when None).
    ``language`` is the one quarantine reasons are written in (each also keeps its code and
    values, to be told again in any reader's language). A file past one of ``limits`` is
    refused (``IngestError``) as soon as reading shows it.
    """
    mapping = mapping or ColumnMapping()
    zone = _zone(mapping.timezone or timezone)
    order = mapping.date_order or date_order
    if order not in ("dmy", "mdy"):
        raise ConfigError("config.bad_value", name="date_order", value=order, detail="dmy | mdy")
    digest, head = _digest(path)
    name = source or str(path)
    found = detect_format(head, name) if input_format == "auto" else input_format
    if found == ZIP:
        return _read_zip(path, digest, name, language, limits, partial(
            read_batch, mapping=mapping, timezone=timezone, date_order=date_order,
            chunk_rows=chunk_rows, columns=columns, plausible=plausible, language=language,
            limits=limits))
    opened = batch_reader(found)(path, mapping, name, limits)
    reader = opened.table
    headers = reader.headers
    limits.check_columns(len(headers), name)
    limits.check_rows(reader.height, name)
    resolved = (dict(opened.columns) if opened.columns is not None
                else resolve_columns(headers, mapping.columns, name))
    delimiter = opened.delimiter
    options = ValidationOptions(
        source_file=source or path.name,
        columns=resolved,
        date_formats=dates.formats_for(mapping.date_formats, order),
        timezone=zone,
        decimal_separator=opened.decimal_separator or mapping.decimal_separator,
        delimiter=delimiter,
        minor_units=minor_units(),
        rank_date_formats=not mapping.date_formats,
        date_order=order,
        plausible=plausible or dates.plausible_range(),
        language=language,
    )
    starts = range(0, reader.height, chunk_rows)
    wanted = _wanted_headers(headers, resolved, columns)
    id_index = headers.index(resolved["transaction_id"]) if "transaction_id" in resolved else None

    def load(first: int, facts: BatchFacts | str) -> _Loaded:
        """One chunk validated with the batch's ``facts``, or with its own and this
        decimal separator (``auto``: the one its amounts vote for)."""
        chunk = reader.chunk(first, chunk_rows, wanted)
        limits.check_fields(chunk.frame, LINE_COLUMN, name)
        own = chunk_facts(chunk.frame, options)
        if isinstance(facts, str):
            facts = combine_facts([own], replace(options, decimal_separator=facts))
        whole = None if wanted is None else partial(_whole, reader, first, chunk_rows)
        frame, quarantine = validate_chunk(chunk.frame, options, facts, full_text=whole,
                                           keep=columns)
        broken = _broken_rows(chunk, id_index, len(headers), options.source_file, language)
        rows = chunk.frame.height + len(chunk.broken)
        return _Loaded(frame, compact(quarantine), compact(broken), rows, own, facts.separator)

    # Each chunk is validated on its own facts, with the decimal separator the first
    # chunk's amounts vote for: the whole batch's answer unless the batch's votes go the
    # other way or a transaction id repeats one from an earlier chunk. Then every chunk is
    # validated again with the batch's facts, so the result never depends on chunking.
    loaded = [load(0, options.decimal_separator)] if starts else []
    separator = loaded[0].separator if loaded else options.decimal_separator
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        loaded += pool.map(load, starts[1:], repeat(separator))
        facts = combine_facts([item.facts for item in loaded], options)
        local = sum(quarantined_rows(item.quarantine.filter(
            pl.col("reason_code") == "duplicate_id")) for item in loaded)
        if facts.separator != separator or facts.duplicate_lines.len() != local:
            loaded = list(pool.map(load, starts, repeat(facts)))
    frames = [item.frame for item in loaded]
    quarantines = [q for item in loaded for q in (item.quarantine, item.broken)]
    rows_read = sum(item.rows for item in loaded)
    if not frames:
        frame, quarantine = validate_chunk(empty_text(headers, delimiter).frame, options, facts)
        frames, quarantines = [frame], [quarantine]
    frame = pl.concat(frames, rechunk=False)
    quarantine = compact(pl.concat(quarantines).sort("line_number", maintain_order=True))
    if rows_read != frame.height + quarantined_rows(quarantine):  # a bug, never the file's
        raise AssertionError(f"ingest of {name}: {rows_read} rows read, {frame.height} loaded "
                             f"+ {quarantined_rows(quarantine)} quarantined")
    return IngestResult(frame, quarantine, rows_read, opened.encoding, digest, found,
                        opened.unmapped)


def _read_zip(path: Path, digest: str, name: str, language: str, limits: InputLimits,
              read: Callable[..., IngestResult]) -> IngestResult:
    """Every member of the ZIP ``path`` read as a file of its own (``read(file,
    source=member)``), the results one after the other; a member refused whole is one
    quarantine row naming it and the reason. The members' rows together are held to the
    batch's row limit: the archive is refused once they pass it."""
    results: list[IngestResult] = []
    refused: list[dict[str, object]] = []
    members: list[tuple[str, str]] = []
    rows = 0
    with TemporaryDirectory(prefix="aml-screen-zip-") as folder:
        for member, extracted in zip_members(path, name, Path(folder), limits.unpacked_bytes):
            try:
                if isinstance(extracted, IngestError):
                    raise extracted
                result = read(extracted, source=member,
                              limits=replace(limits, rows=limits.rows - rows))
            except IngestError as exc:
                if exc.key == "ingest.limit.rows":  # the bound is the batch's, not a member's
                    raise IngestError("ingest.limit.rows", path=name,
                                      count=rows + exc.params["count"],
                                      limit=limits.rows) from exc
                refused.append({"source_file": member, "reason_code": FILE_REFUSED,
                                "reason": exc.message(language), "reason_params": json.dumps(
                                    {"error_key": exc.key, "error_params": {
                                        k: str(v) for k, v in exc.params.items()}},
                                    ensure_ascii=False), "repeats": 1})
                members.append((member, FILE_REFUSED))
            else:
                results.append(result)
                members.append((member, result.format))
                rows += result.rows_read
            finally:
                if not isinstance(extracted, IngestError):
                    extracted.unlink(missing_ok=True)
    frames = [r.frame for r in results]
    frame = (pl.concat(frames, how="diagonal_relaxed", rechunk=False) if frames
             else empty(TRANSACTION_SCHEMA))
    quarantine = pl.concat([*(r.quarantine for r in results),
                            pl.DataFrame(refused, schema=QUARANTINE_SCHEMA)])
    unmapped: Counter[str] = sum((r.unmapped for r in results), Counter())
    return IngestResult(frame, quarantine, sum(r.rows_read for r in results) + len(refused),
                        ZIP, digest, ZIP, unmapped, tuple(members))


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
    keep |= {h for h in headers if h not in mapped
             and extra_name(h) in (*columns, PARTY_ONLY_COLUMN)}
    return [h for h in headers if h in keep]


def _whole(reader: Table, first: int, rows: int) -> pl.DataFrame:
    return reader.chunk(first, rows).frame


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError("config.bad_value", name="timezone", value=name,
                          detail="IANA zone, e.g. Africa/Niamey") from exc
    return name


def _digest(path: Path) -> tuple[str, bytes]:
    """The file's SHA-256 and its first bytes, read as a stream."""
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
            stream.seek(0)
            return hashlib.file_digest(stream, "sha256").hexdigest(), head
    except FileNotFoundError as exc:
        raise IngestError("ingest.file_missing", path=path) from exc
    except OSError as exc:
        raise IngestError("ingest.unreadable", path=path, detail=exc.strerror) from exc


def _broken_rows(text: TextBatch, id_index: int | None, columns: int, source_file: str,
                 language: str) -> pl.DataFrame:
    """Quarantine rows for lines whose field count differs from the header's."""

    def row(broken: BrokenRow) -> dict[str, object]:
        tx_id = (broken.fields[id_index].strip()
                 if id_index is not None and id_index < len(broken.fields) else "")
        return {
            "source_file": source_file,
            "line_number": broken.line,
            "transaction_id": tx_id or None,
            "reason_code": "bad_field_count",
            "reason": translate("ingest.reason.bad_field_count", language,
                                fields=len(broken.fields), columns=columns),
            "raw": broken.raw,
            "reason_params": json.dumps({"fields": len(broken.fields), "columns": columns}),
            "repeats": 1,
        }

    return pl.DataFrame([row(b) for b in text.broken], schema=QUARANTINE_SCHEMA)
