"""One screening run on Spark: the same inputs and the same result tables as
``pipeline.run_screening``, computed by Spark jobs around the engine's own functions.

Stages: files -> staged rows (``ingest``, one task per file); distinct names, the batch's
token statistics added up on the driver, names matched per partition of keys and hits mapped
back per partition of transactions (``names``); rules per subject partition (``rules``);
alert roll-up of the collected hits and rule hits on the driver (they are a small fraction
of the rows). ``summary["stage_seconds"]`` times each stage.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812  (Spark's documented alias)

from aml_screen import __version__
from aml_screen.alerts import batch_key, roll_up
from aml_screen.errors import IngestError, InputError
from aml_screen.exemptions import PARTY_DETAILS, PARTY_ROLES
from aml_screen.ingest import ColumnMapping
from aml_screen.ingest.limits import DEFAULT_LIMITS, InputLimits
from aml_screen.ingest.quarantine import quarantined_rows
from aml_screen.pipeline import StageClock, index_watchlists, remove_exempt_hits, result_counts
from aml_screen.rules import load_rules
from aml_screen.rules.engine import combine
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
    KEYED_SCHEMA,
    NAMES_SCHEMA,
    ORDER,
    hits_of_partition,
    keys_of_names,
    matched_names,
    merged_statistics,
    name_hit_schema,
    names_of_partition,
    ordered_hits,
    screening_columns,
    statistics_of_partition,
    statistics_schema,
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
    exemptions: pl.DataFrame | None = None,
    plausible: tuple[datetime, datetime] | None = None,
    language: str = "en",
    limits: InputLimits = DEFAULT_LIMITS,
) -> SparkRun:
    """``pipeline.run_screening`` on ``spark``. Exemptions are applied on the driver to the
    gathered hits, with the party details of the hit transactions only."""
    options = options or SparkOptions()
    started, clock, stages = datetime.now(UTC), time.perf_counter(), StageClock()
    rule_set = load_rules(rules_dir, rule_parameters) if rules_dir is not None else None
    index = index_watchlists(watchlists)
    staging = options.staging or Path(tempfile.mkdtemp(prefix="aml-screen-spark-"))
    cached: list[DataFrame] = []
    try:
        files = _ingest(spark, batch_paths, IngestOptions(mapping, timezone, date_order,
                                                              plausible, language, limits),
                        staging)
        stages.lap("ingest")
        transactions = spark.read.option("mergeSchema", "true").parquet(
            str(transactions_dir(staging)))
        screened = transactions.select(*screening_columns(transactions.columns))
        named = transactions.select(*screened.columns, BATCH_ORDER, "source_line").mapInArrow(
            names_of_partition, spark_ddl(NAMES_SCHEMA)).cache()
        cached.append(named)
        parties_screened = int(named.agg(F.sum("parties")).collect()[0][0] or 0)
        first_seen = F.min(F.struct(*ORDER)).alias("first")
        keyed = (named.filter(F.col("party_name").isNotNull()).groupBy("party_name")
                 .agg(first_seen).select("party_name", "first.*")
                 .mapInArrow(keys_of_names, spark_ddl(KEYED_SCHEMA))
                 .repartition(options.partitions, "key").cache())
        cached.append(keyed)
        distinct_names = keyed.count()
        stages.lap("distinct_names")
        statistics_columns = statistics_schema()
        statistics = merged_statistics(_collected(
            keyed.mapInArrow(statistics_of_partition(statistics_columns),
                             spark_ddl(statistics_columns)), statistics_columns))
        stages.lap("batch_statistics")
        attributes = has_party_attributes(pl.DataFrame(schema=dict.fromkeys(
            transactions.columns, pl.String())))
        floor = name_floor(threshold, has_attributes=attributes)
        hit_schema = name_hit_schema(index)
        name_hits = _collected(keyed.mapInArrow(matched_names(index, floor, statistics),
                                                spark_ddl(hit_schema)), hit_schema)
        stages.lap("match")
        hits = empty(HIT_SCHEMA)
        if name_hits.height:
            hits = ordered_hits(_collected(screened.mapInArrow(
                hits_of_partition(name_hits, threshold), spark_ddl(HIT_SCHEMA)), HIT_SCHEMA))
        stages.lap("map_back")
        suppressed = pl.DataFrame(schema={"exemption_id": pl.Int64()})
        if exemptions is not None:
            hits, suppressed = remove_exempt_hits(_hit_rows(transactions, hits), hits,
                                                  watchlists, exemptions)
        stages.lap("exemptions")
        rules_clock = time.perf_counter()
        rule_hits = pl.DataFrame(schema=RULE_HIT_SCHEMA)
        if rule_set is not None:
            found = rule_hits_frame(transactions, rule_set, hits, options.partitions,
                                    timezone, cached)
            if found is not None:
                rule_hits = combine([_collected(found, RULE_HIT_SCHEMA)])
        rules_seconds = time.perf_counter() - rules_clock
        stages.lap("rules")
        quarantine = _quarantine(spark, staging)
    finally:
        for frame in cached:
            frame.unpersist()
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
        "rows_quarantined": quarantined_rows(quarantine),
        "parties_screened": parties_screened,
        "distinct_names": distinct_names,
        "names_matched": distinct_names,
        "names_capped": None,  # executors match within their own budget; not counted yet
        **result_counts(index=index, hits=hits, rule_set=rule_set, rules_dir=rules_dir,
                        rules_seconds=rules_seconds, rule_hits=rule_hits, alerts=alerts,
                        watchlists=watchlists),
        "exempt_hits": suppressed.height,
        "exemptions_used": sorted(suppressed.get_column("exemption_id").unique().to_list()),
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
    for error in files.get_column("error").drop_nulls():
        found = json.loads(error)
        raise IngestError(found["key"], **found["params"])
    if files.height != len(batch_paths):
        raise InputError("spark.files_missing", expected=len(batch_paths), found=files.height)
    return files


def _hit_rows(transactions: DataFrame, hits: pl.DataFrame) -> pl.DataFrame:
    """The rows of the transactions ``hits`` are about, with the columns exemption keys read
    (``exemptions.party_details``), in file order (a repeated id keeps its first row's
    details)."""
    wanted = ["transaction_id", *(f"{role}_{detail}" for role in PARTY_ROLES
                                  for detail in PARTY_DETAILS)]
    ids = hits.get_column("transaction_id").unique().to_list()
    rows = transactions.select(*(c for c in wanted if c in transactions.columns), BATCH_ORDER,
                               "source_line").filter(F.col("transaction_id").isin(ids))
    collected = from_spark(rows.toArrow())
    assert collected is not None  # noqa: S101
    return collected.sort(BATCH_ORDER, "source_line").drop(BATCH_ORDER, "source_line")


def _collected(frame: DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """``frame`` gathered on the driver with the engine's types (``schema``)."""
    collected = from_spark(frame.toArrow(), schema)
    assert collected is not None  # noqa: S101  (a table always converts)
    return collected


def _quarantine(spark: SparkSession, staging: Path) -> pl.DataFrame:
    table = spark.read.parquet(str(quarantine_dir(staging))).toArrow()
    frame = from_spark(table, QUARANTINE_SCHEMA)
    assert frame is not None  # noqa: S101
    return frame.sort(BATCH_ORDER, "line_number", maintain_order=True).select(
        list(QUARANTINE_SCHEMA))
