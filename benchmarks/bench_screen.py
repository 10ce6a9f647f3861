"""End-to-end screening benchmark on a synthetic Sahel batch and the real UN/OFAC lists.

    python benchmarks/bench_screen.py --rows 1000000 [--lists un,ofac]

The batch is generated once per (rows, seed, planted names) and cached as CSV under
``benchmarks/.cache/``. About 50 real UN names are planted in it, spelled as banks write
them, so the run produces hits. Figures are printed as a table and as one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.ingest import read_batch
from aml_screen.match.names import match_queries, prepare_queries
from aml_screen.outputs import write_outputs
from aml_screen.pipeline import index_watchlists, run_screening
from aml_screen.screening import parties
from aml_screen.settings import load_settings
from aml_screen.watchlists.loader import Watchlist, load_watchlist, load_watchlists
from benchmarks import machine

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
SHARED = HERE.parent.parent / "shared" / "data"
LISTS = {
    "un": Path("un_consolidated/consolidated.xml"),
    "ofac": Path("ofac_sdn/bench_2021/sdn.csv"),
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


def cached_batch(rows: int, seed: int, listed: Sequence[str], cache: Path = CACHE) -> Path:
    """The batch CSV for these arguments, generated in a child process when not cached
    (so that generating it does not count in this process's peak memory)."""
    digest = hashlib.sha256("\n".join(listed).encode()).hexdigest()[:10]
    code = machine.code_fingerprint("generate_batch", "parties", "sahel_names")
    path = cache / f"batch-{rows}-seed{seed}-{digest}-{code}.csv"
    if path.is_file():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    names_file = cache / f"listed-{digest}.txt"
    names_file.write_text("\n".join(listed) + "\n", encoding="utf-8")
    partial = path.with_name(path.stem + ".part.csv")
    command = [sys.executable, str(HERE / "generate_batch.py"), "--rows", str(rows),
               "--seed", str(seed), "--listed", str(names_file), "--out", str(partial)]
    subprocess.run(command, check=True)  # noqa: S603 - fixed argv, our own script
    partial.replace(path)
    return path


def bench(batch: Path, watchlists: Sequence[Watchlist], threshold: float) -> dict[str, object]:
    """Time the whole run (ingest + screen + write), then ingest and matching on their own."""
    clock = time.perf_counter()
    run = run_screening([batch], watchlists, threshold=threshold, timezone=TIMEZONE)
    with tempfile.TemporaryDirectory(prefix="aml-bench-") as out:
        write_outputs(Path(out), run.tables, run.quarantine, run.summary)
    total = time.perf_counter() - clock
    peak = machine.peak_memory_mib()
    summary = run.summary
    del run
    gc.collect()

    clock = time.perf_counter()
    ingest = read_batch(batch, timezone=TIMEZONE)
    ingest_seconds = time.perf_counter() - clock
    index = index_watchlists(watchlists)
    names = parties(ingest.frame).get_column("party_name")
    del ingest
    clock = time.perf_counter()
    queries = prepare_queries(names)
    match_queries(queries, index, threshold)
    match_seconds = time.perf_counter() - clock

    rows = int(summary["rows_read"])
    return {
        "rows": rows,
        "seconds": round(total, 2),
        "rows_per_s": round(rows / total),
        "ingest_seconds": round(ingest_seconds, 2),
        "ingest_rows_per_s": round(rows / ingest_seconds),
        "rows_quarantined": summary["rows_quarantined"],
        "parties": summary["parties_screened"],
        "distinct_names": queries.names.height,
        "distinct_keys": queries.size,
        "list_names": index.names.height,
        "list_keys": index.size,
        "match_seconds": round(match_seconds, 2),
        "distinct_names_per_s": round(queries.names.height / match_seconds),
        "hits": summary["hits"],
        "transactions_with_hits": summary["transactions_with_hits"],
        "entries_hit": summary["entries_hit"],
        "peak_memory_mib": peak,
    }



def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lists", default="un,ofac", help="comma-separated: un, ofac, eu, uk")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=85.0)
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.lists.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in LISTS]
    if unknown or not chosen:
        parser.error(f"--lists takes names among {', '.join(LISTS)}; got {args.lists!r}")
    missing = [args.data / LISTS[name] for name in {"un", *chosen}
               if not (args.data / LISTS[name]).is_file()]
    if missing:
        parser.error(f"list files not found: {', '.join(map(str, missing))}")

    settings = load_settings(environ={})
    clock = time.perf_counter()
    watchlists = load_watchlists([str(args.data / LISTS[name]) for name in chosen], settings)
    list_seconds = time.perf_counter() - clock
    un_list = next((w for w in watchlists if w.list_id == "un_sc"), None)
    un_list = un_list or load_watchlist(str(args.data / LISTS["un"]), settings)
    batch = cached_batch(args.rows, args.seed, planted_names(un_list, seed=args.seed),
                         args.cache)

    figures = {"lists": ",".join(chosen), "threshold": args.threshold,
               "list_load_seconds": round(list_seconds, 2),
               **bench(batch, watchlists, args.threshold)}
    host = machine.describe()
    print(machine.table({**figures, **host}))
    print(json.dumps({**figures, "batch": str(batch), "machine": host}, ensure_ascii=False))


if __name__ == "__main__":
    main()
