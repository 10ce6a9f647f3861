"""Matching a large batch against a list of PEP size built from the real lists' tokens.

    python benchmarks/bench_large_list.py --list-names 1500000 --rows 1000000

The list (``--list-names`` names, one entry each) is generated from the real official lists
in ``../shared/data`` (UN, OFAC SDN 2021 and consolidated, EU, UK): entity types and name
kinds in the real proportions, each name as many words as a real name of its type has,
each word drawn by its frequency among the real names of that type. A share
``--pep-share`` of the names are PEP-like persons instead ("<given> [<given>] <family>",
each part from the Sahel name tables or the real lists' first and last words of person
names), since PEP lists are mostly persons of the regions a bank serves. The list is
generated once per (size, seed, generator code, lists) in a child process and cached as
Parquet under ``--cache``, as ``bench_screen`` caches its batches.

The distinct party names of a generated batch of ``--rows`` transactions are then matched
the way ``screening.screen_names`` matches them: at ``name_floor`` of the threshold, with
the reach budget of ``match_memory_mib`` (``--memory-mib``, default the setting's). Prints
distinct names/s, match wall and CPU seconds, peak resident memory (VmHWM of this process,
index built in it as the pipeline does), hits and names capped, with the machine and load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.match.index import build_index
from aml_screen.match.names import MatchStats, match_queries, prepare_queries, reach_budget
from aml_screen.screening import has_party_attributes, name_floor, party_names
from aml_screen.settings import Settings
from aml_screen.watchlists.frame import entries_frame
from benchmarks import eval_data, machine
from benchmarks import sahel_names as sn
from benchmarks.bench_screen import CACHE, SHARED, _cpu_seconds, cached_batch

PEP_SHARE = 1 / 3
"""Share of the generated names that are PEP-like persons rather than drawn from the real
lists' word frequencies."""
SAHEL_SHARE = 0.5
"""Share of a PEP-like name's parts taken from the Sahel name tables (the rest from the
real lists' person names)."""
SECOND_GIVEN_SHARE = 0.4


def _words(names: pl.Expr) -> pl.Expr:
    """A name's words as a list: split on spaces and commas ("QADHAFI, Aisha")."""
    return names.str.replace_all(",", " ").str.split(" ").list.eval(
        pl.element().filter(pl.element() != ""))


def _draw(rng: np.random.Generator, counts: pl.DataFrame, size: int) -> pl.Series:
    """``size`` values of ``counts`` (``value``, ``count``) drawn by their count."""
    weights = counts.get_column("count").to_numpy().astype(np.float64)
    picks = rng.choice(counts.height, size=size, p=weights / weights.sum())
    return counts.get_column("value").gather(picks)


def _frequencies(values: pl.Series) -> pl.DataFrame:
    return values.value_counts(name="count").rename({values.name: "value"}).sort("value")


def _real_names(rng: np.random.Generator, real: pl.DataFrame, size: int) -> pl.DataFrame:
    """``size`` names whose (entity type, name kind), word count and words follow ``real``."""
    kinds = _draw(rng, _frequencies(pl.Series("value", real.select(
        pl.concat_str("entity_type", "name_kind", separator="|")).to_series())), size)
    frame = pl.DataFrame({"kind": kinds}).with_row_index("row").with_columns(
        pl.col("kind").str.split_exact("|", 1).struct.rename_fields(
            ["entity_type", "name_kind"])).unnest("kind")
    parts = [pl.DataFrame(schema={"row": pl.UInt32, "entity_type": pl.String,
                                  "name_kind": pl.String, "name": pl.String})]
    for (entity_type,), group in frame.group_by("entity_type", maintain_order=True):
        words = real.filter(pl.col("entity_type") == entity_type).select(w=_words(pl.col("name")))
        lengths = _draw(rng, _frequencies(words.get_column("w").list.len().alias("value")),
                        group.height).to_numpy()
        tokens = _draw(rng, _frequencies(words.get_column("w").explode().alias("value")),
                       int(lengths.sum()))
        names = pl.DataFrame({"row": np.repeat(group.get_column("row").to_numpy(), lengths),
                              "w": tokens}).group_by("row", maintain_order=True).agg(
            name=pl.col("w").str.join(" "))
        parts.append(group.join(names, on="row"))
    return pl.concat(parts).sort("row").drop("row")


def _pep_names(rng: np.random.Generator, real: pl.DataFrame, size: int) -> pl.DataFrame:
    """``size`` persons "<given> [<given>] <family>", each part from the Sahel tables or from
    the real lists' person names (their first and last words)."""
    words = real.filter(pl.col("entity_type") == "person").select(w=_words(pl.col("name")))
    real_given = _frequencies(words.get_column("w").list.first().alias("value"))
    real_family = _frequencies(words.get_column("w").list.last().alias("value"))
    tables = sn.COUNTRIES.values()
    sahel_given = _frequencies(pl.Series("value", [n for c in tables
                                                   for n in (*c.male, *c.female)]))
    sahel_family = _frequencies(pl.Series("value", [n for c in tables for n in c.family]))

    def part(sahel: pl.DataFrame, listed: pl.DataFrame) -> pl.Series:
        from_sahel = pl.Series(rng.random(size) < SAHEL_SHARE)
        return pl.select(pl.when(from_sahel).then(_draw(rng, sahel, size))
                         .otherwise(_draw(rng, listed, size))).to_series()

    first, second, family = (part(sahel_given, real_given), part(sahel_given, real_given),
                             part(sahel_family, real_family))
    two = pl.Series(rng.random(size) < SECOND_GIVEN_SHARE)
    return pl.DataFrame({"first": first, "second": second, "family": family, "two": two}).select(
        entity_type=pl.lit("person"), name_kind=pl.lit("primary"),
        name=pl.when("two").then(pl.concat_str("first", "second", "family", separator=" "))
        .otherwise(pl.concat_str("first", "family", separator=" ")))


def large_list(size: int, real: pl.DataFrame, seed: int = 5,
               pep_share: float = PEP_SHARE) -> pl.DataFrame:
    """``size`` list-entry rows (list ``generated``, one name per entry) built from the real
    list rows ``real`` (``entity_type``, ``name_kind``, ``name``)."""
    rng = np.random.default_rng(seed)
    peps = round(size * pep_share)
    names = pl.concat([part for part in (_real_names(rng, real, size - peps),
                                         _pep_names(rng, real, peps)) if part.height])
    return entries_frame(names.with_row_index("n").select(
        list_id=pl.lit("generated"), entry_id=pl.format("G{}", "n"), entity_type="entity_type",
        name="name", name_kind="name_kind")).with_columns(list_version=pl.lit(f"large-{seed}"))


def cached_list(size: int, seed: int, pep_share: float, data: Path, cache: Path = CACHE) -> Path:
    """The Parquet file of ``large_list(size, ...)``, generated in a child process when not
    cached (loading the real lists and drawing is not this process's peak memory)."""
    code = machine.code_fingerprint("bench_large_list", "sahel_names")
    lists = hashlib.sha256(str(data.resolve()).encode()).hexdigest()[:6]
    path = cache / f"list-{size}-seed{seed}-pep{pep_share:.3f}-{lists}-{code}.parquet"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.stem + ".part.parquet")
        command = [sys.executable, str(Path(__file__).resolve()), "--write-list", str(partial),
                   "--list-names", str(size), "--seed", str(seed), "--pep-share",
                   str(pep_share), "--data", str(data)]
        subprocess.run(command, check=True)  # noqa: S603 - fixed argv, our own script
        partial.replace(path)
    return path


def bench(list_file: Path, batch_file: Path, threshold: float,
          memory_mib: int) -> dict[str, float]:
    """Index the list, then match the batch's distinct names as ``screen_names`` does."""
    clock = time.perf_counter()
    index = build_index(pl.read_parquet(list_file))
    index_seconds = time.perf_counter() - clock
    batch = pl.read_parquet(batch_file)
    floor = name_floor(threshold, has_attributes=has_party_attributes(batch))
    names = party_names(batch)
    del batch
    peak_before = machine.peak_memory_mib()
    stats = MatchStats()
    clock, cpu = time.perf_counter(), _cpu_seconds()
    queries = prepare_queries(names)
    hits = match_queries(queries, index, floor, budget=reach_budget(memory_mib), stats=stats)
    seconds = time.perf_counter() - clock
    capped = queries.names.filter(pl.col("query_id").is_in(sorted(stats.capped_keys))).height
    return {
        "list_names": index.names.height, "list_keys": index.size,
        "index_seconds": round(index_seconds, 1), "distinct_names": names.len(),
        "distinct_keys": queries.size, "floor": floor, "memory_mib_setting": memory_mib,
        "match_seconds": round(seconds, 1), "match_cpu_seconds": round(_cpu_seconds() - cpu, 1),
        "distinct_names_per_s": round(names.len() / seconds),
        "peak_before_match_mib": peak_before, "peak_mib": machine.peak_memory_mib(),
        "hits": hits.height, "names_hit": hits.get_column("party_name").n_unique(),
        "names_capped": capped,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list-names", type=int, default=1_500_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pep-share", type=float, default=PEP_SHARE)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=Settings().match_threshold)
    parser.add_argument("--memory-mib", type=int, default=Settings().match_memory_mib)
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--write-list", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write_list:
        real = eval_data.combined_entries(args.data).select("entity_type", "name_kind", "name")
        large_list(args.list_names, real, args.seed, args.pep_share).write_parquet(
            args.write_list)
        return
    list_file = cached_list(args.list_names, args.seed, args.pep_share, args.data, args.cache)
    batch_file = cached_batch(args.rows, args.seed, [], args.cache, "parquet")
    figures: dict[str, object] = {"load_average_before": [round(x, 2) for x in os.getloadavg()],
               "rows": args.rows, "threshold": args.threshold,
               **bench(list_file, batch_file, args.threshold, args.memory_mib),
               "load_average_after": [round(x, 2) for x in os.getloadavg()],
               "machine": machine.describe()}
    print(machine.table(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
