"""End-to-end screening benchmark on a synthetic Sahel batch and the real combined lists.

    python benchmarks/bench_screen.py --rows 10000000 --format parquet [--lists un,ofac,eu,uk]
    python benchmarks/bench_screen.py --names 1000000       # distinct-name matching speed

The batch is generated once per (rows, seed, planted names) and cached as CSV or Parquet
under ``--cache`` (generation is not timed). About 50 real UN names are planted in it,
spelled as banks write them, so the run produces hits. The run is ``run_screening`` with
rules off, loading only the columns screening needs; the figures are its per-stage wall
times (read, index, dedupe, normalise, match, map back), the process's CPU time and peak
resident memory, printed as a table and as one JSON line. Run one format per process: peak
memory is the process's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.match.names import match_queries, prepare_queries
from aml_screen.outputs import write_outputs
from aml_screen.pipeline import index_watchlists, run_screening
from aml_screen.settings import Settings, load_settings
from aml_screen.watchlists.loader import Watchlist, load_watchlist, load_watchlists
from benchmarks import machine, parties

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
SHARED = HERE.parent.parent / "shared" / "data"
LISTS = {
    "un": Path("un_consolidated/consolidated.xml"),
    "ofac": Path("ofac_sdn/bench_2021"),
    "ofac_cons": Path("ofac_consolidated_non_sdn"),
    "eu": Path("eu_fsf/eu_fsf_csv_v1_2018-07-04_first1000.csv"),
    "uk": Path("uk_ofsi/sanctionsconlist_2018-04-13.csv"),
}
TIMEZONE = "Africa/Niamey"
PLANTED = 50


def planted_names(un_list: Watchlist, count: int = PLANTED, seed: int = 7) -> list[str]:
    """``count`` primary names of UN-listed people (two to four words), chosen by ``seed``."""
    names = (
        un_list.entries.filter(
            (pl.col("entity_type") == "person") & (pl.col("name_kind") == "primary")
            & pl.col("name").str.split(" ").list.len().is_between(2, 4)
        )
        .get_column("name").unique().sort()
    )
    return names.sample(n=min(count, names.len()), seed=seed).sort().to_list()


def cached_batch(rows: int, seed: int, listed: Sequence[str], cache: Path = CACHE,
                 fmt: str = "csv") -> Path:
    """The batch file (``fmt``: ``csv`` or ``parquet``) for these arguments, generated in a
    child process when not cached (so that generating it does not count in this process's
    peak memory). Both formats hold the same rows (the generator is seeded)."""
    digest = hashlib.sha256("\n".join(listed).encode()).hexdigest()[:10]
    code = machine.code_fingerprint("generate_batch", "parties", "sahel_names")
    path = cache / f"batch-{rows}-seed{seed}-{digest}-{code}.{fmt}"
    if path.is_file():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    names_file = cache / f"listed-{digest}.txt"
    names_file.write_text("\n".join(listed) + "\n", encoding="utf-8")
    partial = path.with_name(f"{path.stem}.part.{fmt}")
    command = [sys.executable, str(HERE / "generate_batch.py"), "--rows", str(rows),
               "--seed", str(seed), "--listed", str(names_file), "--out", str(partial)]
    subprocess.run(command, check=True)  # noqa: S603 - fixed argv, our own script
    partial.replace(path)
    return path


def bench(batch: Path, watchlists: Sequence[Watchlist], threshold: float) -> dict[str, object]:
    """Time one screening-only run of ``batch`` (hits and alerts written to a scratch folder
    like the CLI does)."""
    clock, cpu = time.perf_counter(), _cpu_seconds()
    run = run_screening([batch], watchlists, threshold=threshold, timezone=TIMEZONE,
                        screen_only=True)
    with tempfile.TemporaryDirectory(prefix="aml-bench-") as out:
        write_outputs(Path(out), run.tables, run.quarantine, run.summary)
    total = time.perf_counter() - clock
    summary = run.summary
    rows = int(summary["rows_read"])
    stages = dict(summary["stage_seconds"])
    return {
        "format": batch.suffix.lstrip("."),
        "rows": rows,
        "seconds": round(total, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu, 2),
        "rows_per_s": round(rows / total),
        **{f"{stage}_seconds": seconds for stage, seconds in stages.items()},
        "rows_quarantined": summary["rows_quarantined"],
        "parties": summary["parties_screened"],
        "distinct_names": summary["distinct_names"],
        "list_names": summary["list_names"],
        "list_keys": summary["list_keys"],
        "distinct_names_per_s": round(summary["distinct_names"]
                                      / max(stages["normalise"] + stages["match"], 1e-9)),
        "hits": summary["hits"],
        "transactions_with_hits": summary["transactions_with_hits"],
        "entries_hit": summary["entries_hit"],
        "peak_memory_mib": machine.peak_memory_mib(),
        "load_average": _load(),
    }


def bench_names(count: int, seed: int, watchlists: Sequence[Watchlist], threshold: float,
                cache: Path = CACHE) -> dict[str, object]:
    """Match ``count`` distinct Sahel names (people and businesses) against the lists."""
    names = pl.read_parquet(cached_names(count, seed, cache)).to_series()
    index = index_watchlists(watchlists)
    clock, cpu = time.perf_counter(), _cpu_seconds()
    queries = prepare_queries(names)
    normalise = time.perf_counter() - clock
    hits = match_queries(queries, index, threshold)
    total = time.perf_counter() - clock
    return {
        "names": names.len(),
        "distinct_keys": queries.size,
        "list_names": index.names.height,
        "list_keys": index.size,
        "normalise_seconds": round(normalise, 2),
        "match_seconds": round(total - normalise, 2),
        "seconds": round(total, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu, 2),
        "distinct_names_per_s": round(names.len() / total),
        "names_with_hits": hits.get_column("party_name").n_unique(),
        "peak_memory_mib": machine.peak_memory_mib(),
        "load_average": _load(),
    }


def cached_names(count: int, seed: int, cache: Path = CACHE) -> Path:
    """The Parquet file of ``distinct_names(count, seed)``, generated in a child process
    when not cached (its memory is not this process's peak)."""
    code = machine.code_fingerprint("bench_screen", "parties", "sahel_names")
    path = cache / f"names-{count}-seed{seed}-{code}.parquet"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.stem + ".part.parquet")
        command = [sys.executable, str(Path(__file__).resolve()), "--write-names",
                   str(partial), "--names", str(count), "--seed", str(seed)]
        subprocess.run(command, check=True)  # noqa: S603 - fixed argv, our own script
        partial.replace(path)
    return path


def distinct_names(count: int, seed: int, rounds: int = 20) -> pl.Series:
    """Up to ``count`` distinct names of Sahel people and businesses (about one in nine a
    business), drawn in rounds until there are enough (the generator repeats common names,
    as banks' customers do)."""
    rng = np.random.default_rng(seed)
    names = pl.Series("name", [], dtype=pl.String)
    for _ in range(rounds):
        if names.len() >= count:
            break
        draw = pl.concat([parties.persons(rng, count), parties.companies(rng, count // 8)])
        names = pl.concat([names, draw.get_column("name")]).unique(maintain_order=True)
    return names.head(count)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("csv", "parquet"), default="parquet")
    parser.add_argument("--names", type=int, default=0,
                        help="instead of a batch, match this many distinct names")
    parser.add_argument("--lists", default="un,ofac,eu,uk",
                        help=f"comma-separated among: {', '.join(LISTS)}")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=Settings().match_threshold,
                        help="minimum score (default: the settings default)")
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--write-names", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write_names:
        distinct_names(args.names, args.seed).to_frame().write_parquet(args.write_names)
        return
    chosen = [name.strip() for name in args.lists.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in LISTS]
    if unknown or not chosen:
        parser.error(f"--lists takes names among {', '.join(LISTS)}; got {args.lists!r}")
    missing = [args.data / LISTS[name] for name in {"un", *chosen}
               if not (args.data / LISTS[name]).exists()]
    if missing:
        parser.error(f"list files not found: {', '.join(map(str, missing))}")

    settings = load_settings(environ={})
    clock = time.perf_counter()
    watchlists = load_watchlists([str(args.data / LISTS[name]) for name in chosen], settings)
    list_seconds = time.perf_counter() - clock
    figures: dict[str, object] = {"lists": ",".join(chosen), "threshold": args.threshold,
                                  "list_load_seconds": round(list_seconds, 2)}
    if args.names:
        figures |= bench_names(args.names, args.seed, watchlists, args.threshold, args.cache)
        batch = None
    else:
        un_list = next((w for w in watchlists if w.list_id == "un_sc"), None)
        un_list = un_list or load_watchlist(str(args.data / LISTS["un"]), settings)
        batch = cached_batch(args.rows, args.seed, planted_names(un_list, seed=args.seed),
                             args.cache, args.format)
        figures |= bench(batch, watchlists, args.threshold)
    host = machine.describe()
    print(machine.table({**figures, **host}))
    print(json.dumps({**figures, "batch": str(batch) if batch else None, "machine": host},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
