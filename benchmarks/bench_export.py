"""Export benchmark: a store of synthetic watchlist hits exported whole as CSV and XLSX.

    python benchmarks/bench_export.py --rows 1000000

Builds an SQLite store in a temporary folder (one batch per 100,000 hits, one alert per two
hits, one transaction per hit, Sahel names with a few Arabic and formula-looking ones), then
exports every hit in a fresh child process per format, so each peak resident memory is that
export's alone. The same is done with a tenth of the rows: memory that stays flat while the
rows grow tenfold is what "streamed" means. Figures are printed as a table and as one JSON
line. Other work on the machine slows the wall clock, so CPU seconds are printed too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from aml_screen.exports.filters import ExportFilter
from aml_screen.exports.info import ExportInfo
from aml_screen.exports.service import export_file
from aml_screen.store import open_database
from aml_screen.store.models import Alert, Batch, Hit, Transaction
from benchmarks import machine
from benchmarks.sahel_names import COUNTRIES

HITS_PER_BATCH = 100_000
INSERT_CHUNK = 20_000
ARABIC_NAMES = ("محمد ولد عبد الله", "أحمد بن علي", "عبد القادر بن حمودة")
HOSTILE_NAMES = ('=HYPERLINK("http://x")', "+2250707", "@SUM(A1)")
LISTS = (("un_sc", "QDi."), ("ofac_sdn", "SDN-"), ("national_ml", "ML-GEL-2026-"))
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _name(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.01:
        return rng.choice(ARABIC_NAMES)
    if draw < 0.012:
        return rng.choice(HOSTILE_NAMES)
    names = COUNTRIES[rng.choice(("ML", "NE", "BF", "TD", "MR", "SN"))]
    return f"{rng.choice(names.male)} {rng.choice(names.family)}"


def _list_versions() -> list[dict[str, Any]]:
    return [{"list_id": list_id, "sha256": hashlib.sha256(list_id.encode()).hexdigest(),
             "version_date": "2026-01-01T00:00:00Z", "entries": 1000} for list_id, _ in LISTS]


def _batch_rows(batch_id: int, first_hit: int, hits: int, first_alert: int,
                rng: random.Random) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """("alerts" | "transactions" | "hits", rows) in insert-sized chunks for one batch."""
    versions = {entry["list_id"]: entry["sha256"] for entry in _list_versions()}
    alerts: list[dict[str, Any]] = []
    transactions: list[dict[str, Any]] = []
    found: list[dict[str, Any]] = []
    for offset in range(hits):
        number = first_hit + offset
        alert_id = first_alert + offset // 2
        at = START + timedelta(minutes=number)
        name = _name(rng)
        list_id, prefix = rng.choice(LISTS)
        txn = f"TX-{batch_id:03d}-{number:08d}"
        if offset % 2 == 0:
            alerts.append({
                "id": alert_id, "alert_key": f"bench-{alert_id}", "batch_id": batch_id,
                "subject_type": "party", "subject_id": name.lower(), "subject_name": name,
                "risk_score": round(85 + rng.random() * 15, 1), "max_match_score": 95.0,
                "hit_count": 2, "rule_ids": [], "list_ids": [list_id],
                "typologies": ["sanctions"], "transaction_ids": [txn], "reasons": [],
                "status": rng.choice(("new", "in_review", "escalated", "closed")),
                "created_at": at, "updated_at": at, "version": 1})
        transactions.append({"batch_id": batch_id, "transaction_id": txn, "booked_at": at,
                             "originator_name": name, "beneficiary_name": "Société Sahel"})
        found.append({
            "alert_id": alert_id, "transaction_id": txn, "party_role": "originator",
            "party_name": name, "party_name_normalised": name.lower(), "list_id": list_id,
            "list_version": versions[list_id], "entry_id": f"{prefix}{rng.randrange(1000)}",
            "matched_name": name.upper(), "matched_name_normalised": name.lower(),
            "name_kind": "primary", "entity_type": "person", "programmes": ["SAHEL"],
            "score": round(85 + rng.random() * 15, 1), "explanation": {}})
        if len(found) == INSERT_CHUNK:
            yield "alerts", alerts
            yield "transactions", transactions
            yield "hits", found
            alerts, transactions, found = [], [], []
    if found:
        yield "alerts", alerts
        yield "transactions", transactions
        yield "hits", found


def build_store(url: str, hits: int, seed: int = 11) -> None:
    """A store at ``url`` holding ``hits`` hits (bulk inserts in chunks)."""
    rng = random.Random(seed)
    database = open_database(url)
    models = {"alerts": Alert, "transactions": Transaction, "hits": Hit}
    try:
        batches = max(1, -(-hits // HITS_PER_BATCH))
        for index in range(batches):
            batch_id = index + 1
            first = index * HITS_PER_BATCH
            count = min(HITS_PER_BATCH, hits - first)
            with database.transaction() as session:
                session.execute(insert(Batch), [{
                    "id": batch_id, "file_name": f"virements-{batch_id:03d}.csv",
                    "sha256": hashlib.sha256(f"batch {batch_id}".encode()).hexdigest(),
                    "size_bytes": count * 200, "status": "done",
                    "list_versions": _list_versions(),
                    "rule_digest": hashlib.sha256(b"rules").hexdigest(),
                    "summary": {"engine_version": "bench"}, "uploaded_at": START}])
                for table, rows in _batch_rows(batch_id, first, count, first // 2 + 1, rng):
                    session.execute(insert(models[table]), rows)
    finally:
        database.dispose()


class PeakSampler:
    """Samples this process's resident memory every ``interval`` seconds while active.

    ``ru_maxrss`` cannot be used here: Linux carries it over from the parent into a
    spawned child, so the child would report the parent's peak (the store build)."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = current_rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, current_rss_mib())

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, current_rss_mib())


def current_rss_mib() -> float:
    """Resident memory now (Linux /proc; the peak so far where there is no /proc)."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="utf-8").split()[1])
    except OSError:
        return machine.peak_memory_mib()
    return round(pages * resource.getpagesize() / 2**20, 1)


def run_export(url: str, fmt: str, out: Path) -> dict[str, Any]:
    """Export every hit to ``out``; returns rows, seconds and memory (MiB) before/peak."""
    database = open_database(url)
    try:
        info = ExportInfo("hits", ExportFilter(), "bench", "en")
        info.title()  # load the message catalogue before measuring
        before = current_rss_mib()
        started, cpu_started = time.perf_counter(), time.process_time()
        with PeakSampler() as sampler:
            result = export_file(database, fmt, info, out, actor_id=None)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    finally:
        database.dispose()
    return {"rows": result.rows, "seconds": round(seconds, 2),
            "rows_per_s": round(result.rows / seconds) if seconds else None,
            "cpu_seconds": round(cpu, 2),
            "rows_per_cpu_s": round(result.rows / cpu) if cpu else None,
            "load_average": round(os.getloadavg()[0], 1),
            "rss_before_mib": before, "peak_rss_mib": round(sampler.peak, 1),
            "growth_mib": round(sampler.peak - before, 1),
            "file_mib": round(out.stat().st_size / 2**20, 1)}


def _child(url: str, fmt: str, out: str, queue: Any) -> None:
    queue.put(run_export(url, fmt, Path(out)))


def export_in_child(url: str, fmt: str, out: Path) -> dict[str, Any]:
    """``run_export`` in a fresh interpreter, so its peak memory is the export's own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(url, fmt, str(out), queue))
    process.start()
    figures: dict[str, Any] = queue.get()
    process.join()
    return figures


def measure(folder: Path, rows: int, formats: tuple[str, ...]) -> dict[str, Any]:
    url = f"sqlite:///{folder / f'store-{rows}.db'}"
    started = time.perf_counter()
    build_store(url, rows)
    figures: dict[str, Any] = {"build_seconds": round(time.perf_counter() - started, 1)}
    for fmt in formats:
        out = folder / f"hits-{rows}.{fmt}"
        figures[fmt] = export_in_child(url, fmt, out)
        out.unlink()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,xlsx", help="comma-separated: csv, xlsx")
    args = parser.parse_args(argv)
    formats = tuple(args.formats.split(","))
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        small = measure(Path(tmp), max(1, args.rows // 10), formats)
        large = measure(Path(tmp), args.rows, formats)
    table: dict[str, object] = {}
    for label, figures in (("small", small), ("large", large)):
        for fmt in formats:
            run = figures[fmt]
            table[f"{fmt} {run['rows']:,} rows"] = (
                f"{run['seconds']} s ({run['cpu_seconds']} s CPU: "
                f"{run['rows_per_cpu_s']:,} rows per CPU second; load {run['load_average']}), "
                f"{run['rows_per_s']:,} rows/s, peak RSS "
                f"{run['peak_rss_mib']} MiB (+{run['growth_mib']} MiB over the "
                f"{run['rss_before_mib']} MiB before), file {run['file_mib']} MiB")
        table[f"store build {label}"] = f"{figures['build_seconds']} s"
    host = machine.describe()
    print(machine.table({**table, **host}))
    print(json.dumps({"small": small, "large": large, "machine": host}, ensure_ascii=False))


if __name__ == "__main__":
    main()
