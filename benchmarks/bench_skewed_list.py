"""Matching against a skewed national list: memory stays within the matching budget.

    python benchmarks/bench_skewed_list.py --list-names 200000 --rows 100000 \
        [--memory-mib 1024]

A national list whose family names come from a pool of eight (Traoré, Diallo, Coulibaly…)
and given names from the Sahel name tables: each family name is held by an eighth of the
list, so a query's probes reach a large share of it. The distinct names of a generated batch
are matched against it with ``match_memory_mib`` = ``--memory-mib`` (a very large value
matches every query key at once, as before the budget existed). Prints the match time, the
peak memory (VmHWM, this process), the number of hits and of names capped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.match.index import build_index
from aml_screen.match.names import MatchStats, match_queries, prepare_queries, reach_budget
from aml_screen.screening import party_names
from aml_screen.watchlists.frame import entries_frame
from benchmarks import machine
from benchmarks import sahel_names as sn
from benchmarks.generate_batch import generate_batch

FAMILY_NAMES = ("Traoré", "Diallo", "Coulibaly", "Keïta", "Maïga", "Touré", "Cissé", "Sidibé")
THRESHOLD = 88.0


def skewed_list(size: int, seed: int = 5) -> pl.DataFrame:
    """``size`` persons named "<given> <given> <family>" from the pools above."""
    rng = np.random.default_rng(seed)
    pool = sorted({name for attribute in dir(sn) if attribute.isupper()
                   and isinstance(getattr(sn, attribute), tuple)
                   for name in getattr(sn, attribute)
                   if isinstance(name, str) and name.isalpha()})
    given = rng.choice(pool, size=(size, 2))
    family = rng.choice(FAMILY_NAMES, size=size)
    names = [f"{a} {b} {c}" for (a, b), c in zip(given, family, strict=True)]
    return entries_frame(pl.DataFrame({
        "list_id": "national", "entry_id": [f"N{i}" for i in range(size)],
        "entity_type": "person", "name": names, "name_kind": "primary",
    })).with_columns(list_version=pl.lit("skewed"))


def bench(list_names: int, rows: int, memory_mib: int) -> dict[str, object]:
    index = build_index(skewed_list(list_names))
    queries = prepare_queries(party_names(generate_batch(rows, seed=7)))
    before = machine.peak_memory_mib()
    stats = MatchStats()
    started = time.perf_counter()
    hits = match_queries(queries, index, THRESHOLD, budget=reach_budget(memory_mib),
                         stats=stats)
    return {
        "list_names": list_names, "rows": rows, "distinct_keys": queries.size,
        "memory_mib_setting": memory_mib, "match_seconds": round(time.perf_counter() - started, 1),
        "peak_before_match_mib": before, "peak_mib": machine.peak_memory_mib(),
        "hits": hits.height, "keys_capped": len(stats.capped_keys),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list-names", type=int, default=200_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-mib", type=int, default=1024)
    args = parser.parse_args(argv)
    figures = {"load_average_before": [round(x, 2) for x in os.getloadavg()],
               **bench(args.list_names, args.rows, args.memory_mib),
               "load_average_after": [round(x, 2) for x in os.getloadavg()],
               "machine": machine.describe()}
    print(machine.table(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
