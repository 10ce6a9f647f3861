"""Batch files -> staged transactions and quarantine, with the embedded engine's ``read_batch``.

Why per file and not per partition: ingest decides things over the whole file that a
partition cannot see: the encoding and delimiter, each row's physical line (quoted fields may
span lines, which Spark's CSV reader does not count), rows with a wrong field count, the
decimal separator (a vote over every amount of the file) and duplicate transaction ids
(the first occurrence in the file wins). So Spark reads each file as one binary row
(``binaryFile``: any store Spark reaches) and one task runs ``read_batch`` on it; the rows
then spread over the cluster for matching and rules. Quarantine reasons are therefore those of
the embedded engine by construction. A file must fit one executor's memory (Spark's binary
rows stop at 2 GB): split larger deliveries into several files.

Each task writes its file's rows to ``staging`` (Parquet, named after the file's position in
the run, so a retried task overwrites instead of adding) and returns one summary row; the
staging folder must be storage every executor and the driver see (a local folder in
``local[N]`` mode, a mounted volume or DBFS path on a cluster).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import polars as pl
import pyarrow as pa

from aml_screen.errors import AmlScreenError
from aml_screen.ingest import ColumnMapping, read_batch
from aml_screen.ingest.limits import DEFAULT_LIMITS, InputLimits
from aml_screen.ingest.quarantine import quarantined_rows
from aml_screen.spark.schema import spark_ddl, to_spark_batches

BATCH_ORDER = "_batch"
"""Position of a row's file among the run's files: with ``source_line``, the row's place in
the embedded engine's concatenated frame (rules break ties in row order)."""

FILE_SCHEMA: dict[str, pl.DataType] = {
    "path": pl.String(),
    "batch": pl.Int64(),
    "sha256": pl.String(),
    "encoding": pl.String(),
    "rows_read": pl.Int64(),
    "rows_loaded": pl.Int64(),
    "rows_quarantined": pl.Int64(),
    "error": pl.String(),
}
"""One row per batch file: what ``read_batch`` reported, or the message that stopped it."""
FILE_DDL = spark_ddl(FILE_SCHEMA)


@dataclass(frozen=True)
class IngestOptions:
    mapping: ColumnMapping | None
    timezone: str
    date_order: str
    plausible: tuple[datetime, datetime] | None = None
    language: str = "en"
    limits: InputLimits = DEFAULT_LIMITS


def file_key(uri: str) -> str:
    """A local path or a Spark file URI (``file:/a/b.csv``) as the same resolved text."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return str(Path(unquote(parsed.path)).resolve())
    return uri


def transactions_dir(staging: Path) -> Path:
    return staging / "transactions"


def quarantine_dir(staging: Path) -> Path:
    return staging / "quarantine"


def ingest_files(paths: Sequence[str], options: IngestOptions,
                 staging: Path) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function over ``binaryFile`` rows (``path``, ``content``...)."""
    order = {file_key(p): i for i, p in enumerate(paths)}

    def ingest(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for uri, content in zip(batch.column("path").to_pylist(),
                                    batch.column("content").to_pylist(), strict=True):
                row = _ingest_one(uri, content, order[file_key(uri)], options, staging)
                yield from to_spark_batches(pl.DataFrame([row], schema=FILE_SCHEMA),
                                            FILE_SCHEMA)

    return ingest


def _ingest_one(uri: str, content: bytes, position: int, options: IngestOptions,
                staging: Path) -> dict[str, object]:
    name = Path(unquote(urlparse(uri).path)).name
    with tempfile.TemporaryDirectory() as folder:
        local = Path(folder) / name  # read_batch names rows after the file: keep its name
        local.write_bytes(content)
        try:
            result = read_batch(local, options.mapping, timezone=options.timezone,
                                date_order=options.date_order, plausible=options.plausible,
                                language=options.language, limits=options.limits)
        except AmlScreenError as exc:  # the driver raises it again, told in its reader's words
            error = {"key": exc.key, "params": {k: str(v) for k, v in exc.params.items()}}
            return {"path": uri, "batch": position, "error": json.dumps(error)}
    for out_dir, frame in ((transactions_dir(staging), result.frame),
                           (quarantine_dir(staging), result.quarantine)):
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"part-{position:05d}.parquet"
        tmp = target.with_name(target.name + ".tmp")
        frame.with_columns(pl.lit(position, pl.Int64).alias(BATCH_ORDER)).write_parquet(tmp)
        tmp.replace(target)
    return {"path": uri, "batch": position, "sha256": result.sha256,
            "encoding": result.encoding, "rows_read": result.rows_read,
            "rows_loaded": result.frame.height,
            "rows_quarantined": quarantined_rows(result.quarantine)}

