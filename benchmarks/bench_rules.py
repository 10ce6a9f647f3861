"""Rule-engine benchmark: the whole starter library over a synthetic batch with planted
structuring, fan-in, pass-through, cycle and funnel patterns.

    python benchmarks/bench_rules.py --rows 10000000 [--per-pattern 100]

The batch is generated, planted (``plant_patterns``), ingested and written as canonical
Parquet once per (rows, seed, per-pattern) under ``benchmarks/.cache/``. Rules are then
evaluated from that Parquet in a child process, so that its peak memory is the evaluation's
alone. Reported: seconds, rows/s, peak memory, the planted patterns found by their rule
(recall), and how many accounts/parties of ordinary activity alert. ``cpu_seconds`` (all
threads) and the load average tell a busy machine from a slow engine. Each step of the
evaluation (reading the batch, each plan of aggregate rules, each sequence or network
rule...) is listed with its seconds and the peak memory reached by its end, slowest first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.ingest import read_batch
from aml_screen.rules import load_rules
from aml_screen.rules.engine import combine, prepare, steps
from benchmarks import machine
from benchmarks.generate_batch import generate_batch
from benchmarks.plant_patterns import plant_patterns

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RULES = HERE.parent / "rules"
TIMEZONE = "Africa/Niamey"
T = TypeVar("T")


def cached_batch(rows: int, seed: int, per_pattern: int, cache: Path = CACHE) -> Path:
    """Canonical (ingested) Parquet of the planted batch; the truth is beside it."""
    code = machine.code_fingerprint("generate_batch", "parties", "sahel_names", "plant_patterns")
    path = cache / f"rules-{rows}-seed{seed}-plant{per_pattern}-{code}.parquet"
    if path.is_file():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    planted, truth = plant_patterns(generate_batch(rows, seed), per_pattern, seed=seed + 4)
    with tempfile.TemporaryDirectory(prefix="aml-bench-") as tmp:
        raw = Path(tmp) / "batch.parquet"
        planted.write_parquet(raw)
        del planted
        ingested = read_batch(raw, None, timezone=TIMEZONE)
    if ingested.quarantine.height:
        raise SystemExit(f"{ingested.quarantine.height} generated rows were quarantined")
    truth.write_parquet(path.with_suffix(".truth.parquet"))
    partial = path.with_suffix(".part")
    ingested.frame.write_parquet(partial)
    partial.replace(path)
    return path


def evaluate(batch: Path, rules: Path, out: Path) -> dict[str, object]:
    """Child process: load the rules, evaluate them from Parquet (as ``evaluate_rules`` does,
    step by step so that each step's time is known), write the hits."""
    rule_set = load_rules(rules)
    clock, cpu = time.perf_counter(), time.process_time()
    profile: list[dict[str, object]] = []
    frame = _timed(profile, "prepare (scan, derive, materialise)",
                   lambda: [prepare(rule_set, pl.scan_parquet(batch), TIMEZONE)])[0]
    found = [hits for step in steps(rule_set, frame) for hits in _timed(profile, step.name,
                                                                          step.run)]
    hits = combine(found)
    seconds, cpu_seconds = time.perf_counter() - clock, time.process_time() - cpu
    hits.write_parquet(out)
    return {"rules": len(rule_set.rules), "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu_seconds, 2), "peak_memory_mib": machine.peak_memory_mib(),
            "load_average": round(os.getloadavg()[0], 2), "steps": profile}


def _timed(profile: list[dict[str, object]], name: str, run: Callable[[], list[T]]) -> list[T]:
    """``run()``, its wall and CPU seconds and the peak memory so far added to ``profile``."""
    clock, cpu = time.perf_counter(), time.process_time()
    result = run()
    profile.append({"step": name, "seconds": round(time.perf_counter() - clock, 2),
                    "cpu_seconds": round(time.process_time() - cpu, 2),
                    "peak_memory_mib": machine.peak_memory_mib()})
    return result


def profile_table(profile: list[dict[str, object]]) -> str:
    """The steps, slowest first (CPU seconds), one line each."""
    ordered = sorted(profile, key=lambda s: -float(str(s["cpu_seconds"])))
    return "\n".join(f"{s['cpu_seconds']:>7} cpu-s {s['seconds']:>7} s "
                     f"{s['peak_memory_mib']:>8} MiB peak  {s['step']}" for s in ordered)


def score(batch: Path, hits: pl.DataFrame) -> dict[str, object]:
    """Recall of the planted patterns (by their rule) and the alert rate of the rest."""
    truth = pl.read_parquet(batch.with_suffix(".truth.parquet"))
    found = truth.join(hits.select("rule_id", "subject_id").unique(),
                       on=["rule_id", "subject_id"], how="semi")
    recall = {f"recall_{p}": f"{n_found}/{n}" for p, n, n_found in (
        truth.group_by("pattern").len().join(
            found.group_by("pattern").len("found"), on="pattern", how="left")
        .fill_null(0).sort("pattern").iter_rows())}
    frame = pl.scan_parquet(batch).filter(~pl.col("transaction_id").str.starts_with("PLT-"))
    subjects = pl.concat([
        frame.select(pl.col(c).alias("s")) for c in (
            "originator_account", "beneficiary_account")]).drop_nulls().unique().collect()
    ordinary = hits.filter(~pl.col("subject_id").str.starts_with("PLT-"))
    ordinary_subjects = ordinary.select("subject_type", "subject_id").n_unique()
    rows = frame.select(pl.len()).collect().item()
    return {
        **recall,
        "ordinary_rows": rows,
        "ordinary_accounts": subjects.height,
        "ordinary_rule_hits": ordinary.height,
        "ordinary_subjects_alerted": ordinary_subjects,
        "ordinary_alert_rate_pct": round(100 * ordinary_subjects / max(subjects.height, 1), 3),
        "rule_hits_per_10k_rows": round(10_000 * ordinary.height / max(rows, 1), 2),
    }



def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-pattern", type=int, default=100)
    parser.add_argument("--rules", type=Path, default=RULES)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--evaluate", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--hits", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.evaluate:  # the child process
        print(json.dumps(evaluate(args.evaluate, args.rules, args.hits)))
        return
    clock = time.perf_counter()
    batch = cached_batch(args.rows, args.seed, args.per_pattern, args.cache)
    prepare_seconds = round(time.perf_counter() - clock, 1)
    with tempfile.TemporaryDirectory(prefix="aml-bench-") as tmp:
        hits_file = Path(tmp) / "rule_hits.parquet"
        command = [sys.executable, str(Path(__file__).resolve()), "--evaluate", str(batch),
                   "--rules", str(args.rules), "--hits", str(hits_file)]
        done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
        child = json.loads(done.stdout.strip().splitlines()[-1])
        hits = pl.read_parquet(hits_file)
    rows = pl.scan_parquet(batch).select(pl.len()).collect().item()
    profile = child.pop("steps")
    figures = {"rows": rows, **child,
               "rows_per_s": round(rows / float(child["seconds"])),
               "rule_hits": hits.height, "batch_prepare_seconds": prepare_seconds,
               **score(batch, hits)}
    host = machine.describe()
    print(profile_table(profile))
    print(machine.table({**figures, **host}))
    print(json.dumps({**figures, "batch": str(batch), "machine": host, "steps": profile},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
