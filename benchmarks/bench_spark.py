"""Embedded engine vs the Spark engine (``local[2]``) on one synthetic batch, names and rules.

    python benchmarks/bench_spark.py --rows 1000000 [--master local[2]] [--partitions 4]

Both runs use the repository's settings (bundled sample lists, rules folder) and the same
generated batch, with names of the sample lists planted in it. On one machine Spark pays for
the JVM, Arrow transfers and shuffles: the figures show that overhead, not a cluster's gain.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.pipeline import run_screening
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.settings import load_settings
from aml_screen.spark.runner import SparkOptions, run_spark_screening
from aml_screen.spark.session import spark_session
from aml_screen.watchlists.loader import load_watchlists
from benchmarks import machine
from benchmarks.bench_screen import cached_batch

REPO = Path(__file__).resolve().parents[1]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args(argv)
    settings = load_settings(config_file=REPO / "aml-screen.toml")
    lists = load_watchlists(list(settings.default_watchlists), settings)
    listed = (pl.concat([w.entries for w in lists]).filter(pl.col("name_kind") == "primary")
              .get_column("name").unique().sort().to_list())
    batch = cached_batch(args.rows, args.seed, listed)
    threshold, zone, order = settings.match_threshold, settings.timezone, settings.date_order
    rules, parameters = configured_rules(settings), parameters_override(settings)
    clock = time.perf_counter()
    embedded = run_screening([batch], lists, threshold=threshold, timezone=zone,
                             date_order=order, rules_dir=rules, rule_parameters=parameters)
    embedded_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    spark = spark_session(args.master, shuffle_partitions=args.partitions)
    session_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    on_spark = run_spark_screening(spark, [str(batch)], lists, threshold=threshold,
                                   timezone=zone, date_order=order, rules_dir=rules,
                                   rule_parameters=parameters,
                                   options=SparkOptions(partitions=args.partitions))
    spark_seconds = time.perf_counter() - clock
    spark.stop()
    rows = int(embedded.summary["rows_read"])
    figures: dict[str, object] = {
        "rows": rows,
        "embedded_seconds": round(embedded_seconds, 2),
        "embedded_rows_per_second": round(rows / embedded_seconds),
        "spark_master": args.master,
        "spark_session_seconds": round(session_seconds, 2),
        "spark_seconds": round(spark_seconds, 2),
        "spark_rows_per_second": round(rows / spark_seconds),
        "spark_overhead": round(spark_seconds / embedded_seconds, 2),
        "embedded_stage_seconds": embedded.summary.get("stage_seconds"),
        "spark_stage_seconds": on_spark.summary["stage_seconds"],
        "hits": embedded.hits.height,
        "same_hits": on_spark.hits.equals(embedded.hits),
        "rule_hits": [embedded.rule_hits.height, on_spark.rule_hits.height],
        "alerts": [embedded.alerts.height, on_spark.alerts.height],
        "machine": machine.describe(),
    }
    print(machine.table(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
