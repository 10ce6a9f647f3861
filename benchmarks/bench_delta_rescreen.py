"""Delta re-screening benchmark: a list version arriving at a store of millions of parties.

    python benchmarks/bench_delta_rescreen.py --parties 100000          # SQLite, temporary
    python benchmarks/bench_delta_rescreen.py --parties 10000000 \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_delta

Builds a list of real sanctioned names (the UN consolidated list and the OFAC SDN list of
``../shared/data``, or ``--list`` files) and a newer version of it differing by
``--changed`` entries: 60% added, 20% removed, 20% given one more alias. Fills a store
(PostgreSQL at ``--url``: the database is created, filled with COPY and dropped at the end
unless ``--keep``; SQLite in a temporary folder by default) with ``--parties`` stored
parties, two per transaction, in batches of ``TRANSACTIONS_PER_BATCH``: Sahel persons and
businesses from ``benchmarks/parties.py`` (a pool of ``POOL_SHARE`` of the parties, drawn
with repeats as customers come back), among which ``--planted`` of the added persons' names
and new aliases are planted in bank spellings (capitals, surname first, a particle dropped,
a typo; each spelling in ``PLANTED_TIMES`` transactions), and the
distinct party names as the store keeps them (``party_names``). The two versions are
stored as a source's versions, and the delta re-screen runs as the job queue runs it
(``jobs.list_delta.run_list_delta``), in a process of its own so that its peak memory is
its own.

Prints the wall time, the CPU seconds of the re-screening process (the database server's
are not counted), its peak resident memory, the distinct stored names read per second, the
list names matched, the hits and alerts created and the machine with its load average,
then the same figures as one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import polars as pl
from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url

from aml_screen.jobs.list_delta import run_list_delta
from aml_screen.settings import Settings, load_settings
from aml_screen.store import open_database
from aml_screen.store.base import Base
from aml_screen.store.bulk import bulk_insert
from aml_screen.store.list_delta import request_delta
from aml_screen.store.models import Batch, ListDelta, PartyName, Transaction
from aml_screen.store.statistics import refresh_statistics
from aml_screen.watchlists import registry
from aml_screen.watchlists.loader import load_watchlist
from aml_screen.watchlists.registry import StoredFile, Version
from benchmarks import machine
from benchmarks.bench_queue import postgres_database
from benchmarks.parties import bank_variants, companies, persons

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
DEFAULT_LISTS = (SHARED / "un_consolidated" / "consolidated.xml",
                 SHARED / "ofac_sdn" / "sdn_2022" / "sdn.csv")
SOURCE = "bench_list"
TRANSACTIONS_PER_BATCH = 100_000
POOL_SHARE = 0.25
"""Distinct parties drawn from, as a share of the stored parties (customers come back)."""
COMPANY_SHARE = 0.1
PLANTED_TIMES = 3
"""Transactions each planted spelling of a listed name turns up in."""
SHARES = {"added": 0.6, "removed": 0.2, "changed": 0.2}
LIST_COLUMNS = ("entry_id", "name", "entity_type", "name_kind", "birth_dates")
OLD_RETRIEVED, NEW_RETRIEVED = "2026-12-06T06:00:00.000000Z", "2026-12-07T06:00:00.000000Z"


# ---- the two list versions ----------------------------------------------------------------

def listed_names(paths: Sequence[Path]) -> pl.DataFrame:
    """The name rows (``LIST_COLUMNS``, birth dates joined by ``|``) of the list files."""
    settings = load_settings(environ={}, config_file=REPO / "absent.toml")
    frames = [load_watchlist(str(path), settings).entries for path in paths]
    return pl.concat([frame.select(
        entry_id=pl.lit(f"{i}-") + pl.col("entry_id"), name="name",
        entity_type="entity_type", name_kind="name_kind",
        birth_dates=pl.col("birth_dates").list.join("|")) for i, frame in enumerate(frames)])


@dataclass(frozen=True)
class ListPair:
    old: pl.DataFrame
    new: pl.DataFrame
    planted: list[str]
    """The added entries' primary names and the new aliases, to plant among the parties."""


def list_pair(names: pl.DataFrame, changed: int, rng: np.random.Generator) -> ListPair:
    """Two versions of ``names`` differing by ``changed`` entries (``SHARES``)."""
    ids = names.get_column("entry_id").unique().sort()
    picked = ids.gather(rng.choice(ids.len(), size=changed, replace=False))
    counts = [int(changed * share) for share in SHARES.values()]
    counts[0] += changed - sum(counts)
    added, removed, renamed = (picked.slice(start, count) for start, count in
                               zip(np.cumsum([0, *counts[:-1]]), counts, strict=True))
    primary = names.filter(pl.col("name_kind") == "primary").unique("entry_id", keep="first")
    aliases = primary.filter(pl.col("entry_id").is_in(renamed.implode())).with_columns(
        name=pl.Series([bank_variants(n, rng)[-1].title() for n in
                        primary.filter(pl.col("entry_id").is_in(renamed.implode()))
                        .get_column("name")], dtype=pl.String),
        name_kind=pl.lit("alias"))
    old = names.filter(~pl.col("entry_id").is_in(added.implode()))
    new = pl.concat([names.filter(~pl.col("entry_id").is_in(removed.implode())), aliases])
    persons_added = primary.filter(pl.col("entry_id").is_in(added.implode())
                                   & (pl.col("entity_type") == "person"))
    planted = [*persons_added.get_column("name"), *aliases.get_column("name")]
    return ListPair(old, new, planted)


def store_version(settings: Settings, frame: pl.DataFrame, retrieved_at: str) -> Version:
    """``frame`` committed as a stored ``custom_csv`` version of ``SOURCE``."""
    staging = registry.source_dir(settings, SOURCE) / f".download-{retrieved_at[:10]}"
    staging.mkdir(parents=True)
    path = staging / "list.csv"
    frame.sort("entry_id", "name_kind").write_csv(path)
    digest = registry.sha256_file(path)
    stored = StoredFile(name=path.name, url="https://lists.example/list.csv", sha256=digest,
                        bytes=path.stat().st_size)
    return registry.commit(staging, Version(
        folder=staging, source=SOURCE, format="custom_csv", sha256=digest,
        retrieved_at=retrieved_at, version_date=retrieved_at[:10],
        entries=frame.get_column("entry_id").n_unique(), names=frame.height, files=(stored,)))


# ---- the stored parties ------------------------------------------------------------------

def stored_transactions(parties: int, planted: Sequence[str], rng: np.random.Generator
                        ) -> pl.DataFrame:
    """``parties // 2`` transactions (``batch_id``, ``transaction_id``, both parties' name,
    account and country) between parties of a Sahel pool, the ``planted`` names in bank
    spellings among them."""
    pool_size = max(10, int(parties * POOL_SHARE))
    firms = int(pool_size * COMPANY_SHARE)
    pool = pl.concat([persons(rng, pool_size - firms), companies(rng, firms)])
    spellings = [v for name in planted for v in bank_variants(name.strip(), rng) if v.strip()]
    count = parties // 2
    sides = {}
    for role in ("originator", "beneficiary"):
        drawn = pool.gather(rng.integers(0, pool.height, size=count))
        sides[role] = drawn.select(**{f"{role}_{c}": c for c in ("name", "account", "country")})
    frame = pl.concat([sides["originator"], sides["beneficiary"]], how="horizontal")
    slots = rng.choice(count, size=min(count, len(spellings) * PLANTED_TIMES), replace=False)
    names = frame.get_column("originator_name").scatter(
        slots, np.resize(np.array(spellings, dtype=object), slots.size))
    return frame.with_columns(originator_name=names).with_row_index("row").select(
        batch_id=(pl.col("row") // TRANSACTIONS_PER_BATCH + 1).cast(pl.Int64),
        transaction_id=pl.format("TX{}", pl.col("row")),
        **{c: c for c in frame.columns})


@contextmanager
def indexes_dropped(engine: Engine, table: str) -> Iterator[None]:
    """The secondary indexes of ``table`` dropped during a bulk load and built after."""
    indexes = list(Base.metadata.tables[table].indexes)
    for index in indexes:
        index.drop(engine)
    try:
        yield
    finally:
        for index in indexes:
            index.create(engine)


def fill(url: str, transactions: pl.DataFrame) -> dict[str, float]:
    """The batches, their transactions and the distinct party names, as loading keeps them;
    returns seconds per step."""
    database = open_database(url)
    times: dict[str, float] = {}
    try:
        batches = transactions.get_column("batch_id").unique().sort().to_list()
        with database.transaction() as session:
            session.execute(insert(Batch), [{
                "id": b, "file_name": f"virements-{b:03d}.csv", "status": "done",
                "sha256": hashlib.sha256(f"bench delta batch {b}".encode()).hexdigest(),
                "batch_key": hashlib.sha256(f"bench delta key {b}".encode()).hexdigest(),
                "size_bytes": TRANSACTIONS_PER_BATCH * 200} for b in batches])
        started = time.perf_counter()
        postgres = database.engine.dialect.name == "postgresql"
        names = pl.concat([transactions.get_column("originator_name"),
                           transactions.get_column("beneficiary_name")]).unique(
            maintain_order=True).to_frame("name")
        with indexes_dropped(database.engine, "transactions") if postgres else _nothing():
            for start in range(0, transactions.height, 1_000_000):
                with database.transaction() as session:
                    bulk_insert(session, Transaction, transactions.slice(start, 1_000_000))
            with database.transaction() as session:
                bulk_insert(session, PartyName, names)
            times["write_seconds"] = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
        if postgres:
            with database.engine.connect() as connection:
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('batches', "
                                        f"'id'), {max(batches)})"))
                connection.commit()
        refresh_statistics(database.engine)
        times["index_seconds"] = round(time.perf_counter() - started, 1)
    finally:
        database.dispose()
    return times


@contextmanager
def _nothing() -> Iterator[None]:
    yield


# ---- the run -----------------------------------------------------------------------------

def bench_settings(url: str, folder: Path) -> Settings:
    return load_settings(environ={}, config_file=REPO / "aml-screen.toml", database_url=url,
                         data_dir=folder / "var", default_watchlists=(SOURCE,))


def measure(url: str, folder: Path) -> dict[str, Any]:
    """Run the delta re-screen of ``SOURCE``'s two stored versions; its figures."""
    settings = bench_settings(url, folder)
    old, new = registry.latest_two(settings, SOURCE)
    database = open_database(url)
    try:
        with database.transaction() as session:
            delta_id = request_delta(session, old, new, None).id
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        run_list_delta(settings, database, delta_id)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        with database.transaction() as session:
            delta = session.get_one(ListDelta, delta_id)
            if delta.status != "done":
                raise RuntimeError(f"delta re-screen {delta.status}: {delta.error_key} "
                                   f"{delta.error_params}")
            found = {"entries_added": delta.entries_added,
                     "entries_changed": delta.entries_changed,
                     "entries_removed": delta.entries_removed,
                     "list_names_matched": delta.index_names,
                     "names_read": delta.names_read, "hits": delta.new_hits,
                     "alerts": delta.new_alerts, "retired_hits": delta.retired_hits}
    finally:
        database.dispose()
    return {"wall_seconds": round(wall, 1),
            "cpu_seconds": round(after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime,
                                 1),
            "peak_rss_mib": machine.peak_memory_mib(),
            "names_read_per_s": round((found["names_read"] or 0) / wall), **found}


def run_benchmark(url: str, parties: int, changed: int, lists: Sequence[Path], folder: Path,
                  planted: int = 50, seed: int = 7) -> dict[str, Any]:
    """Build, fill, then measure in a child process; every figure."""
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    pair = list_pair(listed_names(lists), changed, rng)
    settings = bench_settings(url, folder)
    store_version(settings, pair.old, OLD_RETRIEVED)
    store_version(settings, pair.new, NEW_RETRIEVED)
    chosen = [pair.planted[i] for i in sorted(rng.choice(
        len(pair.planted), size=min(planted, len(pair.planted)), replace=False))]
    transactions = stored_transactions(parties, chosen, rng)
    generate = round(time.perf_counter() - started, 1)
    fill_times = fill(url, transactions)
    distinct = pl.concat([transactions.get_column("originator_name"),
                          transactions.get_column("beneficiary_name")]).n_unique()
    del transactions
    child = subprocess.run(  # noqa: S603 (this script, with arguments it made)
        [sys.executable, str(Path(__file__).resolve()), "--measure", url, str(folder)],
        check=True, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    figures = json.loads(child.stdout.splitlines()[-1])
    return {"benchmark": "delta_rescreen", "database": make_url(url).get_backend_name(),
            "parties": parties, "distinct_party_names": distinct,
            "changed_entries": changed, "planted_names": len(chosen),
            "generate_seconds": generate, **fill_times, **figures,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "machine": machine.describe()}


def report(figures: dict[str, Any]) -> str:
    head = {k: v for k, v in figures.items() if k != "machine"}
    return "\n".join([machine.table(head), "", machine.table(figures["machine"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=500)
    parser.add_argument("--planted", type=int, default=50,
                        help="added names and new aliases planted among the parties")
    parser.add_argument("--list", dest="lists", type=Path, action="append",
                        help="a list file to take names from (default: UN and OFAC SDN)")
    parser.add_argument("--url", help="PostgreSQL URL of a database to create and fill "
                        "(default: SQLite in a temporary folder)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the PostgreSQL database afterwards")
    parser.add_argument("--measure", nargs=2, metavar=("URL", "FOLDER"),
                        help=argparse.SUPPRESS)  # the child process that runs the delta
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    lists = args.lists or list(DEFAULT_LISTS)
    folder = Path(tempfile.mkdtemp(prefix="bench-delta-"))
    try:
        if args.url:
            with postgres_database(args.url, args.keep):
                figures = run_benchmark(args.url, args.parties, args.changed, lists, folder,
                                        args.planted)
        else:
            figures = run_benchmark(f"sqlite:///{folder / 'store.db'}", args.parties,
                                    args.changed, lists, folder, args.planted)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(report(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
