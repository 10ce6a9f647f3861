"""Embedded engine vs the Spark engine (``local[2]``) on one synthetic batch, names and rules.

    python benchmarks/bench_spark.py --rows 1000000 [--master local[2]] [--partitions 4]
        [--format csv|parquet] [--driver-memory 6g]

Both runs use the repository's settings (bundled sample lists, rules folder) and the same
generated batch, with names of the sample lists planted in it. On one machine Spark pays for
the JVM, Arrow transfers and shuffles: the figures show that overhead, not a cluster's gain.

CPU seconds are counted for the whole work: this process (``process_time``, every thread)
and, for Spark, the JVM and its Python workers (``/proc``, every descendant process, read
before the session stops; workers that already exited are in their parent's children
time). Peak memory: this process's for the embedded run, and the JVM and Python workers'
together, sampled every half second, for Spark. The machine's load average is printed
before and after: other work on the machine slows wall times, not CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
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
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 1024**2


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (None once it has exited)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def descendants(root: int) -> list[int]:
    """Every live process under ``root`` (not ``root`` itself)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else None
        if fields is not None:
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def tree_cpu_seconds(root: int) -> float:
    """User and system CPU of ``root``'s descendants and of the children they reaped."""
    total = 0
    for pid in descendants(root):
        fields = _stat(pid)
        if fields is not None:
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def resident_mib(pids: list[int]) -> float:
    return sum(int(f[21]) for f in map(_stat, pids) if f is not None) * PAGE_MIB


class PeakMemory(threading.Thread):
    """Samples, every half second, the resident memory of this process (the driver) and of
    its descendants (the JVM and Python workers), keeping each peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.driver = self.spark = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.driver = max(self.driver, resident_mib([os.getpid()]))
            self.spark = max(self.spark, resident_mib(descendants(os.getpid())))


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def differing_rules(left: pl.DataFrame, right: pl.DataFrame) -> dict[str, list[int]]:
    """Rule id -> [left, right] counts of the rules whose hits differ (subjects and windows)."""
    keys = ["rule_id", "subject_id", "window_start", "window_end"]
    only = pl.concat([left.select(keys).join(right.select(keys), on=keys, how="anti",
                                             nulls_equal=True),
                      right.select(keys).join(left.select(keys), on=keys, how="anti",
                                              nulls_equal=True)])
    counts = {side: dict(frame.group_by("rule_id").len().iter_rows())
              for side, frame in (("left", left), ("right", right))}
    return {rule: [counts["left"].get(rule, 0), counts["right"].get(rule, 0)]
            for rule in sorted(set(only.get_column("rule_id")))}


def same(left: pl.DataFrame, right: pl.DataFrame) -> bool:
    """Equal rows, whatever their order (list columns compared as text)."""
    def flat(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.col(c).list.join("|") for c, t in frame.schema.items()
                                  if isinstance(t, pl.List)).sort(pl.all())
    return left.schema == right.schema and flat(left).equals(flat(right))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv",
                        help="batch file format (Spark reads each file as one binary row, "
                             "at most 2 GB: a 10M-row CSV is 1.5 GB, its Parquet 0.3 GB)")
    parser.add_argument("--driver-memory", default="6g",
                        help="heap of the local JVM (driver and executor in local mode)")
    args = parser.parse_args(argv)
    os.environ["PYSPARK_SUBMIT_ARGS"] = f"--driver-memory {args.driver_memory} pyspark-shell"
    settings = load_settings(config_file=REPO / "aml-screen.toml")
    lists = load_watchlists(list(settings.default_watchlists), settings)
    listed = (pl.concat([w.entries for w in lists]).filter(pl.col("name_kind") == "primary")
              .get_column("name").unique().sort().to_list())
    batch = cached_batch(args.rows, args.seed, listed, fmt=args.format)
    threshold, zone, order = settings.match_threshold, settings.timezone, settings.date_order
    rules, parameters = configured_rules(settings), parameters_override(settings)
    load_before = load()
    clock, cpu = time.perf_counter(), time.process_time()
    embedded = run_screening([batch], lists, threshold=threshold, timezone=zone,
                             date_order=order, rules_dir=rules, rule_parameters=parameters)
    embedded_seconds = time.perf_counter() - clock
    embedded_cpu = time.process_time() - cpu
    embedded_peak = machine.peak_memory_mib()
    load_between = load()
    memory = PeakMemory()
    memory.start()
    clock = time.perf_counter()
    spark = spark_session(args.master, shuffle_partitions=args.partitions)
    session_seconds = time.perf_counter() - clock
    spark_cpu_before = tree_cpu_seconds(os.getpid())
    clock, cpu = time.perf_counter(), time.process_time()
    on_spark = run_spark_screening(spark, [str(batch)], lists, threshold=threshold,
                                   timezone=zone, date_order=order, rules_dir=rules,
                                   rule_parameters=parameters,
                                   options=SparkOptions(partitions=args.partitions))
    spark_seconds = time.perf_counter() - clock
    driver_cpu = time.process_time() - cpu
    jvm_cpu = tree_cpu_seconds(os.getpid()) - spark_cpu_before
    memory.done.set()
    memory.join()
    spark.stop()
    rows = int(embedded.summary["rows_read"])
    figures: dict[str, object] = {
        "rows": rows,
        "load_average_before": load_before,
        "embedded_seconds": round(embedded_seconds, 2),
        "embedded_cpu_seconds": round(embedded_cpu, 1),
        "embedded_peak_mib": embedded_peak,
        "embedded_rows_per_second": round(rows / embedded_seconds),
        "load_average_between": load_between,
        "spark_master": args.master,
        "spark_partitions": args.partitions,
        "batch_format": args.format,
        "spark_driver_memory": args.driver_memory,
        "spark_session_seconds": round(session_seconds, 2),
        "spark_seconds": round(spark_seconds, 2),
        "spark_driver_cpu_seconds": round(driver_cpu, 1),
        "spark_jvm_and_workers_cpu_seconds": round(jvm_cpu, 1),
        "spark_cpu_seconds": round(driver_cpu + jvm_cpu, 1),
        "spark_driver_peak_mib": round(memory.driver, 1),
        "spark_jvm_and_workers_peak_mib": round(memory.spark, 1),
        "spark_rows_per_second": round(rows / spark_seconds),
        "spark_overhead": round(spark_seconds / embedded_seconds, 2),
        "spark_cpu_overhead": round((driver_cpu + jvm_cpu) / embedded_cpu, 2),
        "load_average_after": load(),
        "embedded_stage_seconds": embedded.summary.get("stage_seconds"),
        "spark_stage_seconds": on_spark.summary["stage_seconds"],
        "hits": embedded.hits.height,
        "same_hits": on_spark.hits.equals(embedded.hits),
        "rule_hits": [embedded.rule_hits.height, on_spark.rule_hits.height],
        "same_rule_hits": same(embedded.rule_hits, on_spark.rule_hits),
        "rule_hits_differing_by_rule": differing_rules(embedded.rule_hits, on_spark.rule_hits),
        "alerts": [embedded.alerts.height, on_spark.alerts.height],
        "same_alerts": same(embedded.alerts.drop("reasons"), on_spark.alerts.drop("reasons")),
        "machine": machine.describe(),
    }
    print(machine.table(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
