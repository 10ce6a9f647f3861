"""Subjects at volume in the store: batches loaded with resolution, then search and profiles.

```sh
.venv/bin/python benchmarks/bench_subject_store.py --rows 1000000 --batches 2 \\
    --url postgresql+psycopg://postgres@127.0.0.1:5432/aml_bench_subjects
```

One generated set of ``rows × batches`` transactions (``generate_batch``: the same pool of
parties, so people recur from batch to batch, as months of one bank's reports do) is cut
into ``batches`` Parquet files and each is loaded with ``aml-screen load --wait`` — the
whole job a web upload runs: screening, storing (COPY on PostgreSQL), subject resolution
against every earlier batch, alerts. Then, on the filled store: ``search`` for names as
another bank would write them (capitals, surname first), for accounts and transaction ids;
the profile and the link chart (two and three hops) of the busiest subjects and of typical
ones. ``--keep`` keeps the store, ``--reads-only`` measures a kept store again. Prints a
table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from sqlalchemy import func, select

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.store import open_database
from aml_screen.store.models import Batch, PartySubject, Subject, Transaction
from aml_screen.store.subject_graph import subject_graph
from aml_screen.store.subject_profile import subject_profile
from aml_screen.store.subject_search import search_subjects
from benchmarks import machine
from benchmarks.bench_queue import postgres_database
from benchmarks.generate_batch import generate_batch

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "benchmarks" / ".cache"


def batch_files(rows: int, batches: int, seed: int) -> list[Path]:
    """``batches`` Parquet files of ``rows`` transactions each, cut from one generated set
    (cached)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    paths = [CACHE / f"subjects_{rows}_{batches}_{seed}_{i}.parquet" for i in range(batches)]
    if all(p.exists() for p in paths):
        return paths
    frame = generate_batch(rows * batches, seed)
    for i, path in enumerate(paths):
        frame.slice(i * rows, rows).write_parquet(path)
    return paths


def load(url: str, data_dir: Path, path: Path) -> dict[str, float]:
    """``aml-screen load PATH --wait`` in its own process: wall seconds and peak memory."""
    env = {**os.environ, "AML_SCREEN_DATABASE_URL": url, "AML_SCREEN_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    command = Path(sys.executable).with_name("aml-screen")
    subprocess.run(  # noqa: S603 (our own command, on our own generated file)
        [str(command), "--config", str(REPO / "aml-screen.toml"), "load", str(path), "--wait"],
        check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": round(seconds, 1), "peak_mib": round(peak)}


def last_stages(url: str) -> dict[str, float]:
    """``stage_seconds`` of the batch loaded last: where its load went."""
    database = open_database(url)
    try:
        with database.transaction() as session:
            summary = session.scalars(select(Batch.summary).order_by(Batch.id.desc())).first()
        return {k: round(v, 1) for k, v in ((summary or {}).get("stage_seconds") or {}).items()}
    finally:
        database.dispose()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def as_another_bank(name: str, rng: random.Random) -> str:
    """A name written another way: capitals, or surname first."""
    words = name.split()
    if len(words) > 1 and rng.random() < 0.5:
        words = [words[-1].upper(), *words[:-1]]
    return " ".join(words).upper() if rng.random() < 0.5 else " ".join(words)


def measure_reads(url: str, queries: int, seed: int) -> dict[str, object]:
    database = open_database(url)
    rng = random.Random(seed)
    try:
        with database.transaction() as session:
            names = [n for n in session.scalars(select(Transaction.originator_name).limit(
                20_000)) if n]
            accounts = session.scalars(select(Transaction.beneficiary_account).limit(
                20_000)).all()
            ids = session.scalars(select(Transaction.transaction_id).limit(20_000)).all()
            busiest = session.execute(select(Subject.id, Subject.records).order_by(
                Subject.records.desc()).limit(5)).all()
            typical = session.scalars(select(Subject.id).where(
                Subject.records.between(20, 200)).limit(15)).all()
            parties = session.scalar(select(func.count()).select_from(PartySubject))
            subjects = session.scalar(select(func.count()).select_from(Subject))
        asked = ([as_another_bank(rng.choice(names), rng) for _ in range(queries)]
                 + [rng.choice([a for a in accounts if a]) for _ in range(queries // 4)]
                 + [rng.choice(ids) for _ in range(queries // 4)])
        search_seconds = []
        for query in asked:
            with database.transaction() as session:
                started = time.perf_counter()
                search_subjects(session, query)
                search_seconds.append(time.perf_counter() - started)
        profile_seconds, largest = [], 0
        chart_seconds: dict[int, list[float]] = {2: [], 3: []}
        for subject_id in [sid for sid, _ in busiest] + list(typical):
            with database.transaction() as session:
                started = time.perf_counter()
                found = subject_profile(session, subject_id)
                profile_seconds.append(time.perf_counter() - started)
                largest = max(largest, found.activity.height)
            for hops, seconds in chart_seconds.items():
                with database.transaction() as session:
                    started = time.perf_counter()
                    subject_graph(session, subject_id, hops=hops)
                    seconds.append(time.perf_counter() - started)
        return {
            "parties": parties, "subjects": subjects,
            "search_queries": len(asked),
            "search_p50_ms": round(1000 * statistics.median(search_seconds)),
            "search_p95_ms": round(1000 * _p95(search_seconds)),
            "profiles": len(profile_seconds),
            "profile_p95_ms": round(1000 * _p95(profile_seconds)),
            "busiest_profile_transactions": largest,
            "busiest_profile_ms": round(1000 * profile_seconds[0]),
            **{f"chart_{hops}_hops_{stat}_ms": round(1000 * value)
               for hops, seconds in chart_seconds.items()
               for stat, value in (("p50", statistics.median(seconds)),
                                   ("p95", _p95(seconds)), ("busiest", seconds[0]))},
        }
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="transactions per batch")
    parser.add_argument("--batches", type=int, default=2)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/"
                                         "aml_bench_subjects",
                        help="a PostgreSQL database (created, dropped unless --keep), or "
                             "'sqlite' for a temporary SQLite store")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--reads-only", action="store_true",
                        help="measure search, profiles and link charts on a store kept by "
                             "an earlier run (--keep), loading nothing")
    args = parser.parse_args(argv)
    figures: dict[str, object] = {}
    if args.reads_only:
        figures.update(measure_reads(args.url, args.queries, args.seed))
        figures["machine"] = machine.describe()
        print(machine.table(figures))
        print(json.dumps(figures))
        return figures
    figures.update(rows_per_batch=args.rows, batches=args.batches)
    paths = batch_files(args.rows, args.batches, args.seed)
    postgres = args.url.startswith("postgresql")
    with tempfile.TemporaryDirectory() as folder, (
            postgres_database(args.url, args.keep) if postgres else nullcontext()):
        url = args.url if postgres else f"sqlite:///{folder}/store.db"
        for i, path in enumerate(paths, start=1):
            loaded = load(url, Path(folder) / "data", path)
            figures[f"load_{i}_seconds"] = loaded["seconds"]
            figures[f"load_{i}_peak_mib"] = loaded["peak_mib"]
            figures[f"load_{i}_stages"] = last_stages(url)
            print(f"batch {i}: {loaded['seconds']} s, {loaded['peak_mib']} MiB, "
                  f"{figures[f'load_{i}_stages']}", file=sys.stderr)
        figures.update(measure_reads(url, args.queries, args.seed))
    figures["machine"] = machine.describe()
    print(machine.table(figures))
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
