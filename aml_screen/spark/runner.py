"""One screening run on Spark: the same inputs and the same result tables as
``pipeline.run_screening``, computed by Spark jobs around the engine's own functions.

Stages: files -> staged rows (``ingest``, one task per file); distinct names per partition,
matched on the driver, hits mapped back per partition (``names``); rules per subject partition
(``rules``); alert roll-up of the collected hits and rule hits on the driver (they are a small
fraction of the rows). ``summary["stage_seconds"]`` times each stage.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from pyspark.sql import SparkSession

from aml_screen import __version__
from aml_screen.alerts import batch_key, roll_up
from aml_screen.errors import InputError
from aml_screen.ingest import ColumnMapping
from aml_screen.match.names import match_queries, prepare_queries
from aml_screen.pipeline import StageClock, index_watchlists, result_counts
from aml_screen.rules import load_rules
from aml_screen.schema import HIT_SCHEMA, QUARANTINE_SCHEMA, RULE_HIT_SCHEMA, empty
from aml_screen.screening import has_party_attributes, name_floor
from aml_screen.spark.ingest import (
    BATCH_ORDER,
    FILE_DDL,
    FILE_SCHEMA,
    IngestOptions,
    ingest_files,
    quarantine_dir,
    transactions_dir,
)
from aml_screen.spark.names import (
    NAMES_SCHEMA,
    gathered_names,
    hits_of_partition,
    names_of_partition,
    ordered_hits,
    screening_columns,
)
from aml_screen.spark.rules import rule_hits_frame
from aml_screen.spark.schema import from_spark, spark_ddl
from aml_screen.watchlists.loader import Watchlist


@dataclass(frozen=True)
class SparkRun:
    hits: pl.DataFrame
    quarantine: pl.DataFrame
    alerts: pl.DataFrame
    rule_hits: pl.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, pl.DataFrame]:
        """The result tables written as files, by file stem (as ``ScreeningRun.tables``)."""
        return {"hits": self.hits, "alerts": self.alerts, "rule_hits": self.rule_hits}


@dataclass(frozen=True)
class SparkOptions:
    partitions: int = 4
    """Partitions of the shuffles by subject."""
    staging: Path | None = None
    """Folder every executor and the driver see; default: a temporary local folder."""


def run_spark_screening(
    spark: SparkSession,
    batch_paths: Sequence[str],
    watchlists: Sequence[Watchlist],
    *,
    threshold: float,
    timezone: str = "UTC",
    date_order: str = "dmy",
    mapping: ColumnMapping | None = None,
    rules_dir: Path | None = None,
    rule_parameters: Path | None = None,
    options: SparkOptions | None = None,
) -> SparkRun:
    """``pipeline.run_screening`` (without exemptions) on ``spark``."""
    options = options or SparkOptions()
    started, clock, stages = datetime.now(UTC), time.perf_counter(), StageClock()
    rule_set = load_rules(rules_dir, rule_parameters) if rules_dir is not None else None
    index = index_watchlists(watchlists)
    staging = options.staging or Path(tempfile.mkdtemp(prefix="aml-screen-spark-"))
    try:
        files = _ingest(spark, batch_paths, IngestOptions(mapping, timezone, date_order),
                        staging)
        stages.lap("ingest")
        transactions = spark.read.option("mergeSchema", "true").parquet(
            str(transactions_dir(staging)))
        screened = transactions.select(*screening_columns(transactions.columns))
        gathered = from_spark(screened.mapInArrow(names_of_partition, spark_ddl(NAMES_SCHEMA))
                              .toArrow(), NAMES_SCHEMA)
        assert gathered is not None  # noqa: S101  (a table always converts)
        names, parties_screened = gathered_names(gathered)
        stages.lap("distinct_names")
        attributes = has_party_attributes(pl.DataFrame(schema=dict.fromkeys(
            transactions.columns, pl.String())))
        floor = name_floor(threshold, has_attributes=attributes)
        queries = prepare_queries(names)
        name_hits = match_queries(queries, index, floor) if queries.size else None
        stages.lap("match_on_driver")
        hits = empty(HIT_SCHEMA)
        if name_hits is not None and name_hits.height:
            mapped = from_spark(screened.mapInArrow(hits_of_partition(name_hits, threshold),
                                                    spark_ddl(HIT_SCHEMA)).toArrow(), HIT_SCHEMA)
            assert mapped is not None  # noqa: S101
            hits = ordered_hits(mapped)
        stages.lap("map_back")
        rules_clock = time.perf_counter()
        rule_hits = pl.DataFrame(schema=RULE_HIT_SCHEMA)
        if rule_set is not None:
            found = rule_hits_frame(transactions, rule_set, hits, options.partitions,
                                    timezone)
            if found is not None:
                collected = from_spark(found.toArrow(), RULE_HIT_SCHEMA)
                assert collected is not None  # noqa: S101
                rule_hits = collected.sort(
                    ["severity_score", "rule_id", "subject_id", "window_start"],
                    descending=[True, False, False, False])
        rules_seconds = time.perf_counter() - rules_clock
        stages.lap("rules")
        quarantine = _quarantine(spark, staging)
    finally:
        if options.staging is None:
            shutil.rmtree(staging, ignore_errors=True)
    key = batch_key(files.get_column("sha256").to_list())
    alerts = roll_up(hits, rule_hits, key)
    stages.lap("quarantine_and_alerts")
    summary: dict[str, Any] = {
        "engine": "spark",
        "spark_master": spark.conf.get("spark.master", None),
        "engine_version": __version__,
        "started_at": started.isoformat(timespec="seconds"),
        "elapsed_seconds": round(time.perf_counter() - clock, 3),
        "threshold": threshold,
        "batch_key": key,
        "batches": [{"file": p, **{k: r[k] for k in ("sha256", "encoding", "rows_read",
                                                     "rows_loaded", "rows_quarantined")}}
                    for p, r in zip(batch_paths, files.iter_rows(named=True), strict=True)],
        "rows_read": int(files.get_column("rows_read").sum()),
        "rows_loaded": int(files.get_column("rows_loaded").sum()),
        "rows_screened": int(files.get_column("rows_loaded").sum()),
        "rows_quarantined": quarantine.height,
        "parties_screened": parties_screened,
        "distinct_names": queries.names.height,
        "names_matched": queries.names.height,
        **result_counts(index=index, hits=hits, rule_set=rule_set, rules_dir=rules_dir,
                        rules_seconds=rules_seconds, rule_hits=rule_hits, alerts=alerts,
                        watchlists=watchlists),
        "exempt_hits": 0,
        "exemptions_used": [],
        "stage_seconds": stages.seconds,
    }
    return SparkRun(hits=hits, quarantine=quarantine, alerts=alerts, rule_hits=rule_hits,
                    summary=summary)


def _ingest(spark: SparkSession, batch_paths: Sequence[str], options: IngestOptions,
            staging: Path) -> pl.DataFrame:
    """One row per file (``FILE_SCHEMA``), in the order of ``batch_paths``; the rows are
    staged. A file that is not a batch stops the run, as in the embedded engine."""
    binary = spark.read.format("binaryFile").load(list(batch_paths))
    table = binary.mapInArrow(ingest_files(batch_paths, options, staging), FILE_DDL).toArrow()
    files = from_spark(table, FILE_SCHEMA)
    assert files is not None  # noqa: S101
    files = files.sort("batch")
    for path, error in files.select("path", "error").iter_rows():
        if error is not None:
            raise InputError("spark.ingest_failed", path=path, detail=error)
    if files.height != len(batch_paths):
        raise InputError("spark.files_missing", expected=len(batch_paths), found=files.height)
    return files


def _quarantine(spark: SparkSession, staging: Path) -> pl.DataFrame:
    table = spark.read.parquet(str(quarantine_dir(staging))).toArrow()
    frame = from_spark(table, QUARANTINE_SCHEMA)
    assert frame is not None  # noqa: S101
    return frame.sort(BATCH_ORDER, "line_number", maintain_order=True).select(
        list(QUARANTINE_SCHEMA))
