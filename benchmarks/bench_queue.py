"""Alert-queue benchmark: investigators working a large store through the real web server.

    python benchmarks/bench_queue.py --alerts 10000                     # SQLite, temporary
    python benchmarks/bench_queue.py --alerts 1000000 --transactions 10000000 \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_queue

Fills a store (PostgreSQL at ``--url``: the database is created, filled with COPY, and
dropped at the end unless ``--keep``; SQLite in a temporary folder by default) with
``--alerts`` alerts over ``--transactions`` transactions: Sahel parties from
``benchmarks/parties.py``, each alert on one to four transactions of its subject, with
watchlist hits on listed entries, rule hits of the repository's rule packs, labels
(lists, rules, typologies, countries), statuses spread as in a working queue and
investigators assigned. Then it starts ``aml-screen serve`` (waitress, the production code
path) on that store and runs ``--clients`` investigators for ``--seconds``, each logged in
as its own user and repeating what an investigator does: open the queue, filter it by
typology and country, sort it by date, take the next alert, read it, escalate it.

Per endpoint it prints p50/p95/max latency, requests per second and errors, each
endpoint's latency alone (sequential, before the load), the machine and its load average,
and the same figures as one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import polars as pl
import psycopg
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from aml_screen.cli.serve import web_processes
from aml_screen.names.normalise import normalise_names
from aml_screen.rules.loader import load_rules
from aml_screen.settings import load_settings
from aml_screen.store import open_database
from aml_screen.store.accounts import create_user
from aml_screen.store.base import Base
from aml_screen.store.models import Batch
from aml_screen.store.statistics import refresh_statistics
from benchmarks import machine
from benchmarks.parties import persons

REPO = Path(__file__).resolve().parents[1]
LISTS = (("un_sc", "QDi."), ("ofac_sdn", "SDN-"), ("eu_fsf", "EU.27."),
         ("national_ml", "ML-GEL-2026-"))
ENTRIES_PER_LIST = 2000
TRANSACTIONS_PER_BATCH = 100_000
STATUSES = ("new", "in_review", "escalated", "closed")
STATUS_SHARES = (0.5, 0.15, 0.05, 0.3)
"""A queue a team has been working for months: half new, a third closed."""
PARTY_POOL = 200_000
CHANNELS = ("Orange Money", "Moov Money", "Wave", "Virement", "Versement espèces",
            "Transfert hawala")
START = datetime(2025, 3, 1, tzinfo=UTC)
SPAN_SECONDS = 180 * 86_400
PASSWORD = "bench queue password"  # noqa: S105 (throw-away benchmark accounts)
CHUNK = 500_000
ENDPOINTS = ("queue", "queue_filtered", "queue_sorted", "take_next", "alert", "triage")
FILLED = ("transactions", "alerts", "alert_labels", "hits", "rule_hits", "listed_entries")
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')
_MOVE = re.compile(r'id="move-(\w+)"')
"""The status changes the alert page offers (another investigator may have moved it)."""


# ---- the store's content, as frames ---------------------------------------------------

def _rules() -> list[tuple[str, str]]:
    """(rule id, typology) of the repository's rule packs."""
    return [(rule.id, rule.typology) for rule in load_rules(REPO / "rules").rules]


def _json_list(column: str) -> pl.Expr:
    """A list of plain identifiers as JSON text (ids hold no quote or backslash)."""
    quoted = pl.col(column).list.eval(pl.format('"{}"', pl.element())).list.join(",")
    return pl.format("[{}]", quoted).alias(column)


def _version(list_id: str) -> str:
    return hashlib.sha256(f"bench {list_id}".encode()).hexdigest()


def build_frames(alerts: int, transactions: int, users: list[int],
                 seed: int = 11) -> dict[str, pl.DataFrame]:
    """Every filled table as a frame (ids given), deterministic for a seed. Alert ``i`` owns
    the first one to four transactions of its stretch of ``transactions / alerts`` rows,
    whose originator is its subject."""
    rng = np.random.default_rng(seed)
    pool = persons(rng, PARTY_POOL)
    stride = max(1, transactions // alerts)
    subject_rows = rng.integers(0, PARTY_POOL, alerts)
    own = rng.integers(1, 5, alerts).clip(max=stride)
    row = np.arange(transactions)
    owner = np.minimum(row // stride, alerts - 1)
    owned = (row - owner * stride) < own[owner]
    other = rng.integers(0, PARTY_POOL, transactions)
    origin = np.where(owned, subject_rows[owner], other)
    target = rng.integers(0, PARTY_POOL, transactions)
    batch = row // TRANSACTIONS_PER_BATCH + 1
    booked = START.timestamp() + np.sort(rng.integers(0, SPAN_SECONDS, transactions))
    txns = pl.DataFrame({
        "id": row + 1, "batch_id": batch,
        "booked_at": pl.Series((booked * 1_000_000).astype(np.int64)).cast(
            pl.Datetime("us", "UTC")),
        "amount": np.round(np.exp(rng.normal(10.5, 1.6, transactions))).astype(np.int64),
        "originator_name": pool["name"].to_numpy()[origin],
        "originator_account": pool["account"].to_numpy()[origin],
        "originator_country": pool["country"].to_numpy()[origin],
        "beneficiary_name": pool["name"].to_numpy()[target],
        "beneficiary_account": pool["account"].to_numpy()[target],
        "beneficiary_country": pool["country"].to_numpy()[target],
        "channel": np.array(CHANNELS)[rng.integers(0, len(CHANNELS), transactions)],
        "owner": owner + 1, "owned": owned,
    }).with_columns(
        transaction_id=pl.format("TX-{}-{}", "batch_id", "id"),
        currency=pl.lit("XOF"), source_line=pl.col("id") - (pl.col("batch_id") - 1)
        * TRANSACTIONS_PER_BATCH + 1,
    )
    owned_txns = txns.filter("owned").group_by("owner").agg(
        transaction_ids=pl.col("transaction_id"), batch_id=pl.col("batch_id").first(),
        booked_at=pl.col("booked_at").max())
    rules = _rules()
    status = rng.choice(len(STATUSES), size=alerts, p=STATUS_SHARES)
    listed = rng.random(alerts) < 0.6
    list_pick = rng.integers(0, len(LISTS), alerts)
    rule_pick = rng.integers(0, len(rules), (alerts, 2))
    rule_count = np.where(listed, rng.integers(0, 2, alerts), rng.integers(1, 3, alerts))
    user_ids = np.array(users)
    assignee = user_ids[rng.integers(0, len(users), alerts)]
    assigned = (status > 0) | (rng.random(alerts) < 0.05)
    frame = pl.DataFrame({
        "id": np.arange(1, alerts + 1),
        "subject_name": pool["name"].to_numpy()[subject_rows],
        "risk_score": np.round(40 + 60 * rng.beta(2, 2, alerts), 1),
        "status": np.array(STATUSES)[status],
        "assignee_id": np.where(assigned, assignee, 0),
        "list_ids": [[LISTS[p][0]] if is_listed else []
                     for p, is_listed in zip(list_pick, listed, strict=True)],
        "rule_ids": [sorted({rules[r][0] for r in picks[:count]})
                     for picks, count in zip(rule_pick, rule_count, strict=True)],
    }).join(owned_txns, left_on="id", right_on="owner")
    typology = dict(rules)
    names = frame.get_column("subject_name").unique()
    normalised = dict(zip(names, normalise_names(names), strict=True))
    frame = frame.with_columns(
        alert_key=pl.format("bench-{}", "id"), subject_type=pl.lit("party"),
        # what screening keys a party's alert on (titles such as "Cheikh" dropped)
        subject_id=pl.col("subject_name").replace_strict(normalised),
        max_match_score=pl.when(pl.col("list_ids").list.len() > 0)
        .then(pl.col("risk_score")).otherwise(None),
        hit_count=pl.col("list_ids").list.len(),
        typologies=pl.concat_list(
            pl.when(pl.col("list_ids").list.len() > 0).then(pl.lit("sanctions")),
            pl.col("rule_ids").list.eval(pl.element().replace_strict(typology)),
        ).list.drop_nulls().list.unique().list.sort(),
        assignee_id=pl.when(pl.col("assignee_id") > 0).then("assignee_id"),
        created_at=pl.col("booked_at") + pl.duration(days=1),
        version=pl.lit(1),
    ).with_columns(
        updated_at="created_at",
        closed_at=pl.when(pl.col("status") == "closed")
        .then(pl.col("created_at") + pl.duration(days=3)),
        disposition=pl.when(pl.col("status") == "closed").then(pl.lit("false_positive")),
        close_reason=pl.when(pl.col("status") == "closed").then(pl.lit("Homonyme")),
    ).drop("booked_at")
    return {"transactions": txns.drop("owner", "owned"), "alerts": frame,
            "alert_labels": _labels(frame, txns), "hits": _hits(frame, rng),
            "rule_hits": _rule_hits(frame, typology), "listed_entries": _entries(rng)}


def _labels(alerts: pl.DataFrame, txns: pl.DataFrame) -> pl.DataFrame:
    parts = [alerts.select(alert_id="id", kind=pl.lit(kind), value=column).explode("value")
             for kind, column in (("list", "list_ids"), ("rule", "rule_ids"),
                                  ("typology", "typologies"))]
    countries = (txns.filter("owned")
                 .unpivot(on=["originator_country", "beneficiary_country"], index="owner")
                 .select(alert_id="owner", kind=pl.lit("country"), value="value"))
    return (pl.concat([*parts, countries]).drop_nulls().unique()
            .join(alerts.select(alert_id="id", status="status"), on="alert_id")
            .sort("alert_id", "kind", "value"))


def _hits(alerts: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    listed = alerts.filter(pl.col("list_ids").list.len() > 0).select(
        "id", "subject_name", "subject_id", "risk_score", list_id=pl.col("list_ids").list.first(),
        transaction_id=pl.col("transaction_ids").list.first())
    prefixes = dict(LISTS)
    entry = rng.integers(0, ENTRIES_PER_LIST, listed.height)
    return listed.with_columns(
        pl.Series("entry", entry),
    ).select(
        id=pl.int_range(1, listed.height + 1), alert_id="id", transaction_id="transaction_id",
        party_role=pl.lit("originator"), party_name="subject_name",
        party_name_normalised="subject_id", list_id="list_id",
        list_version=pl.col("list_id").replace_strict({k: _version(k) for k in prefixes}),
        entry_id=pl.col("list_id").replace_strict(prefixes) + pl.col("entry").cast(pl.String),
        matched_name=pl.col("subject_name").str.to_uppercase(),
        matched_name_normalised="subject_id", name_kind=pl.lit("primary"),
        entity_type=pl.lit("person"), programmes=pl.lit(["SAHEL"]), score="risk_score",
        explanation=pl.lit('{"features": []}'),
    )


def _rule_hits(alerts: pl.DataFrame, typology: dict[str, str]) -> pl.DataFrame:
    fired = alerts.select("id", "subject_name", "subject_id", "risk_score", "transaction_ids",
                          rule_id="rule_ids").explode("rule_id").drop_nulls("rule_id")
    return fired.select(
        id=pl.int_range(1, fired.height + 1), alert_id="id", rule_id="rule_id",
        typology=pl.col("rule_id").replace_strict(typology), severity_score="risk_score",
        subject_type=pl.lit("party"), subject_id="subject_id", subject_name="subject_name",
        transaction_ids="transaction_ids", evidence=pl.lit('{"observed": {}}'),
    )


def _entries(rng: np.random.Generator) -> pl.DataFrame:
    pool = persons(rng, ENTRIES_PER_LIST)
    frames = [pool.select(
        list_id=pl.lit(list_id), list_version=pl.lit(_version(list_id)),
        entry_id=pl.lit(prefix) + pl.int_range(0, ENTRIES_PER_LIST).cast(pl.String),
        entity_type=pl.lit("person"),
        names=pl.format('[{{"name": "{}", "kind": "primary"}}]',
                        pl.col("name").str.replace_all('"', "")),
        birth_dates=pl.lit("[]"), nationalities=pl.format('["{}"]', "country"),
        countries=pl.format('["{}"]', "country"), programmes=pl.lit('["SAHEL"]'))
        for list_id, prefix in LISTS]
    found = pl.concat(frames)
    return found.with_columns(id=pl.int_range(1, found.height + 1))


# ---- writing them -----------------------------------------------------------------------

_JSON_TEXT = {"alerts": ("list_ids", "rule_ids", "typologies", "transaction_ids"),
              "hits": ("programmes",), "rule_hits": ("transaction_ids",)}
_JSON_DICTS = {"hits": ("explanation",), "rule_hits": ("evidence",),
               "listed_entries": ("names", "birth_dates", "nationalities", "countries",
                                  "programmes")}


def _columns(table: str, frame: pl.DataFrame) -> list[str]:
    return [c.name for c in Base.metadata.tables[table].columns if c.name in frame.columns]


def _copy(engine: Engine, table: str, frame: pl.DataFrame) -> None:
    """COPY the frame in CSV chunks through psycopg (JSON columns as JSON text)."""
    frame = frame.with_columns(_json_list(c) for c in _JSON_TEXT.get(table, ()))
    if table == "alerts":
        frame = frame.with_columns(reasons=pl.lit("[]"))
    columns = _columns(table, frame)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
        for start in range(0, frame.height, CHUNK):
            buffer = io.BytesIO()
            frame.slice(start, CHUNK).select(columns).write_csv(
                buffer, include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.f%z")
            with cursor.copy(statement) as copy:
                copy.write(buffer.getvalue())
        if "id" in columns:  # the app inserts after these rows (table names are constants)
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                           f"(SELECT max(id) FROM {table}))")
        raw.commit()
    finally:
        raw.close()


def _insert(engine: Engine, table: str, frame: pl.DataFrame) -> None:
    """SQLAlchemy bulk inserts (SQLite): JSON text columns parsed back to objects."""
    if table == "alerts":
        frame = frame.with_columns(reasons=pl.lit([], dtype=pl.List(pl.String)))
    model = Base.metadata.tables[table]
    columns = _columns(table, frame)
    decode = _JSON_DICTS.get(table, ())
    with engine.begin() as connection:
        for start in range(0, frame.height, 50_000):
            rows = frame.slice(start, 50_000).select(columns).to_dicts()
            for row in rows:
                for name in decode:
                    row[name] = json.loads(row[name])
            connection.execute(insert(model), rows)


@contextmanager
def _indexes_dropped(engine: Engine, tables: tuple[str, ...]) -> Iterator[None]:
    """Secondary indexes of ``tables`` dropped during a bulk load and rebuilt after: one
    sort per index instead of millions of random index insertions."""
    indexes = [index for table in tables for index in Base.metadata.tables[table].indexes]
    for index in indexes:
        index.drop(engine)
    try:
        yield
    finally:
        for index in indexes:
            index.create(engine)


def fill(url: str, alerts: int, transactions: int, clients: int) -> dict[str, float]:
    """Fill the store at ``url``; returns seconds per step."""
    times: dict[str, float] = {}
    started = time.perf_counter()
    database = open_database(url)
    try:
        with database.transaction() as session:
            users = [create_user(session, f"bench{i:02d}", "investigator", PASSWORD).id
                     for i in range(1, clients + 1)]
            batches = -(-transactions // TRANSACTIONS_PER_BATCH)
            session.execute(insert(Batch), [{
                "id": b, "file_name": f"virements-{b:03d}.csv",
                "sha256": hashlib.sha256(f"bench batch {b}".encode()).hexdigest(),
                "size_bytes": TRANSACTIONS_PER_BATCH * 200, "status": "done",
                "uploaded_at": START, "finished_at": START,
                "list_versions": [{"list_id": k, "sha256": _version(k)} for k, _ in LISTS],
            } for b in range(1, batches + 1)])
        times["users_seconds"] = time.perf_counter() - started
        mark = time.perf_counter()
        frames = build_frames(alerts, transactions, users)
        times["generate_seconds"] = time.perf_counter() - mark
        mark = time.perf_counter()
        postgres = database.engine.dialect.name == "postgresql"
        if postgres:
            with _indexes_dropped(database.engine, FILLED):
                for table in FILLED:
                    _copy(database.engine, table, frames[table])
            with database.engine.connect() as connection:
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('batches', "
                                        f"'id'), {batches})"))
                connection.commit()
        else:
            for table in FILLED:
                _insert(database.engine, table, frames[table])
        times["write_seconds"] = time.perf_counter() - mark
        mark = time.perf_counter()
        refresh_statistics(database.engine)
        if postgres:  # what autovacuum does after bulk inserts (PostgreSQL 13+)
            with database.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(f"VACUUM {', '.join(FILLED)}"))
        times["analyse_seconds"] = time.perf_counter() - mark
    finally:
        database.dispose()
    times["fill_seconds"] = time.perf_counter() - started
    return {k: round(v, 1) for k, v in times.items()}


def stored_alerts(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT count(*) FROM alerts")) or 0)
    except SQLAlchemyError:  # no store yet: nothing to reuse
        return 0
    finally:
        engine.dispose()


@contextmanager
def postgres_database(url: str, keep: bool) -> Iterator[None]:
    """The database named in ``url`` created if missing, dropped afterwards unless kept."""
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    name = parsed.database
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


# ---- the server and the clients ---------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(url: str, folder: Path, threads: int | None, workers: int,
           settings: dict[str, str] | None = None) -> Iterator[int]:
    """``aml-screen serve`` on the store in a child process, with ``settings`` (setting
    name → value) given as its environment; yields its port."""
    port = _free_port()
    env = {**os.environ, "AML_SCREEN_DATABASE_URL": url,
           "AML_SCREEN_DATA_DIR": str(folder / "var"),
           **{f"AML_SCREEN_{name.upper()}": value for name, value in (settings or {}).items()}}
    env.pop("AML_SCREEN_CONFIG", None)
    command = [str(Path(sys.executable).with_name("aml-screen")), "serve", "--host",
               "127.0.0.1", "--port", str(port), "--workers", str(workers), "--insecure-http",
               *(["--threads", str(threads)] if threads else [])]
    log = folder / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=folder, env=env,  # noqa: S603
                                  stdout=subprocess.DEVNULL, stderr=output)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    detail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                    raise RuntimeError(f"aml-screen serve did not start: {detail}") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


class Browser:
    """One investigator's HTTP/1.1 keep-alive connection with its session cookie."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str,
                form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, body, Location) of one request."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({"csrf_token": self.token, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text_body = response.read().decode("utf-8", "replace")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        found = _TOKEN.search(text_body)
        if found:
            self.token = found.group(1)
        return response.status, text_body, response.headers.get("Location", "")

    def log_in(self, username: str) -> None:
        self.request("GET", "/login")
        status, _, _ = self.request("POST", "/login",
                                    {"username": username, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"log-in of {username} failed ({status})")
        self.request("GET", "/alerts")

    def close(self) -> None:
        self.connection.close()


@dataclass
class Figures:
    """Latencies, errors and unexpected statuses per endpoint, added to by client threads."""

    endpoints: tuple[str, ...] = ENDPOINTS
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    """Unexpected HTTP statuses per endpoint (0: no answer)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for name in self.endpoints:
            self.latencies[name], self.errors[name], self.statuses[name] = [], 0, {}

    def add(self, endpoint: str, seconds: float, status: int, expected: int) -> None:
        with self.lock:
            self.latencies[endpoint].append(seconds)
            if status != expected:
                self.errors[endpoint] += 1
                found = self.statuses[endpoint]
                found[status] = found.get(status, 0) + 1

    def summary(self, alone_ms: dict[str, float], wall: float) -> dict[str, Any]:
        """Per endpoint requests, errors, p50/p95/max and latency alone; the totals."""
        endpoints: dict[str, dict[str, Any]] = {name: {
            "requests": len(values), "errors": self.errors[name],
            "error_statuses": self.statuses[name],
            "p50_ms": round(percentile(values, 0.5) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "max_ms": round(max(values, default=0) * 1000, 1),
            "alone_ms": alone_ms[name]} for name, values in self.latencies.items()}
        total = sum(e["requests"] for e in endpoints.values())
        return {"seconds": round(wall, 1), "requests": total,
                "requests_per_s": round(total / wall, 1) if wall else 0,
                "errors": sum(e["errors"] for e in endpoints.values()),
                "p95_max_ms": max(e["p95_ms"] for e in endpoints.values()),
                "endpoints": endpoints}


@dataclass
class Investigator:
    """Repeats the day's loop: queue, filtered queue, sorted queue, take next, read it,
    move it on (the first status change its page offers: another investigator may have
    moved it meanwhile)."""

    browser: Browser
    figures: Figures
    typologies: list[str]
    countries: list[str]
    round: int = 0
    alert: str = "/alerts/1"
    version: str = ""
    move: str = ""

    def _timed(self, endpoint: str, method: str, path: str, expected: int,
               form: dict[str, str] | None = None) -> tuple[str, str]:
        started = time.perf_counter()
        try:
            status, body, location = self.browser.request(method, path, form)
        except (OSError, http.client.HTTPException):
            status, body, location = 0, "", ""
        self.figures.add(endpoint, time.perf_counter() - started, status, expected)
        return body, location

    def step(self, endpoint: str) -> None:
        self.round += 1
        if endpoint == "queue":
            self._timed(endpoint, "GET", "/alerts", 200)
        elif endpoint == "queue_filtered":
            typology = self.typologies[self.round % len(self.typologies)]
            country = self.countries[self.round % len(self.countries)]
            self._timed(endpoint, "GET", f"/alerts?typology={typology}&country={country}",
                        200)
        elif endpoint == "queue_sorted":
            self._timed(endpoint, "GET", f"/alerts?sort=created&page={self.round % 5 + 1}",
                        200)
        elif endpoint == "take_next":
            _, location = self._timed(endpoint, "POST", "/alerts/next", 302, {})
            taken = urllib.parse.urlsplit(location).path
            if re.fullmatch(r"/alerts/\d+", taken):
                self.alert = taken
        elif endpoint == "alert":
            body, _ = self._timed(endpoint, "GET", self.alert, 200)
            found = _VERSION.search(body)
            self.version = found.group(1) if found else ""
            moves = _MOVE.findall(body)
            self.move = moves[0] if moves else ""
        elif self.move:
            self._timed(endpoint, "POST", f"{self.alert}/status", 302,
                        {"status": self.move, "version": self.version})
            self.move = ""  # the page read is spent: the next triage reads it again


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def alone(port: int, typologies: list[str], countries: list[str]) -> dict[str, float]:
    """Each endpoint's median latency (ms) with nothing else running: three rounds after
    one that warms the server up (its first requests load the name normaliser)."""
    browser = Browser(port)
    browser.log_in("bench01")
    worker = Investigator(browser, Figures(), typologies, countries)
    for endpoint in ENDPOINTS:
        worker.step(endpoint)
    figures = worker.figures = Figures()
    for _ in range(3):
        for endpoint in ENDPOINTS:
            worker.step(endpoint)
    browser.close()
    return {name: round(statistics.median(v) * 1000, 1)
            for name, v in figures.latencies.items()}


def drive(steps: Sequence[Callable[[str], None]], endpoints: tuple[str, ...], seconds: float,
          think: float) -> float:
    """Each client's ``step`` in its own thread, through ``endpoints`` in turn for
    ``seconds``, pausing a random 0.5–1.5 × ``think`` seconds after each request (0: no
    pause, the strictest load: every client always waiting on the server); returns the
    wall time. With pauses, each client also starts after a random pause of up to
    ``think`` seconds, as people do not all click at the same instant: otherwise the
    first request of every client arrives in one burst, and those twenty requests queued
    behind each other are what the first endpoint's p95 measures."""
    deadline = time.monotonic() + seconds

    def run(step: Callable[[str], None], seed: int) -> None:
        pauses = random.Random(seed)
        index = 0
        if think:
            time.sleep(pauses.uniform(0.0, think))
        while time.monotonic() < deadline:
            step(endpoints[index % len(endpoints)])
            index += 1
            if think:
                time.sleep(max(0.0, min(pauses.uniform(0.5, 1.5) * think,
                                        deadline - time.monotonic())))

    threads = [threading.Thread(target=run, args=(step, seed))
               for seed, step in enumerate(steps)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def load(port: int, clients: int, seconds: float, typologies: list[str],
         countries: list[str], think: float = 0.0) -> tuple[Figures, float]:
    """``clients`` investigators in threads for ``seconds``; returns figures, wall time."""
    figures = Figures()
    browsers = []
    for number in range(1, clients + 1):
        browser = Browser(port)
        browser.log_in(f"bench{number:02d}")
        browsers.append(browser)
    # each takes an alert before reading and escalating it (the endpoints' order)
    workers = [Investigator(browser, figures, typologies, countries, round=offset)
               for offset, browser in enumerate(browsers)]
    wall = drive([worker.step for worker in workers], ENDPOINTS, seconds, think)
    for browser in browsers:
        browser.close()
    return figures, wall


def label_choices(url: str) -> tuple[list[str], list[str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = {kind: [v for (v,) in connection.execute(text(
                "SELECT DISTINCT value FROM alert_labels WHERE kind = :k ORDER BY value"),
                {"k": kind})] for kind in ("typology", "country")}
    finally:
        engine.dispose()
    return found["typology"], found["country"]


def run_benchmark(url: str, alerts: int, transactions: int, clients: int, seconds: float,
                  threads: int | None, workers: int | None, folder: Path,
                  reuse: bool = False, think: float = 0.0) -> dict[str, Any]:
    fill_times: dict[str, float] = {}
    if not (reuse and stored_alerts(url) == alerts):
        fill_times = fill(url, alerts, transactions, clients)
    typologies, countries = label_choices(url)
    processes = web_processes(load_settings(environ={}, database_url=url), workers)
    with served(url, folder, threads, processes) as port:
        single = alone(port, typologies, countries)
        figures, wall = load(port, clients, seconds, typologies, countries, think)
    return {
        "benchmark": "queue", "database": make_url(url).get_backend_name(),
        "alerts": alerts, "transactions": transactions, "clients": clients,
        "think_seconds": think,
        "server_workers": processes, "server_threads": threads or "default", **fill_times,
        **figures.summary(single, wall), "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": machine.describe(),
    }


def report(figures: dict[str, Any]) -> str:
    head = {k: v for k, v in figures.items() if k not in ("endpoints", "machine")}
    rows = [f"{'endpoint':<17} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'max ms':>8} {'alone ms':>8}"]
    rows += [f"{name:<17} {e['requests']:>8} {e['errors']:>6} {e['p50_ms']:>8} "
             f"{e['p95_ms']:>8} {e['max_ms']:>8} {e['alone_ms']:>8}"
             + (f"  statuses {e['error_statuses']}" if e["error_statuses"] else "")
             for name, e in figures["endpoints"].items()]
    return "\n".join([machine.table(head), "", *rows, "", machine.table(figures["machine"])])


class Runner(Protocol):
    """A benchmark's ``run_benchmark``."""

    def __call__(self, url: str, alerts: int, transactions: int, clients: int,
                 seconds: float, threads: int | None, workers: int | None, folder: Path,
                 reuse: bool = False, think: float = 0.0) -> dict[str, Any]: ...


def main(description: str = __doc__, run: Runner | None = None, prefix: str = "bench-queue-"
         ) -> None:
    """The command line of this benchmark, or of another one (``bench_api``) that fills
    the same store and serves it the same way (``run``: its ``run_benchmark``)."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--transactions", type=int, help="default: ten per alert")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause of a client after each answer, in seconds "
                        "(default 0: no pause)")
    parser.add_argument("--threads", type=int,
                        help="server threads per process (default: as aml-screen serve chooses)")
    parser.add_argument("--workers", type=int,
                        help="server processes (default: as aml-screen serve chooses)")
    parser.add_argument("--url", help="PostgreSQL URL of a database to create and fill "
                        "(default: SQLite in a temporary folder)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the PostgreSQL database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="skip the fill when the store already holds --alerts alerts")
    args = parser.parse_args()
    runner = run or run_benchmark
    transactions = args.transactions or 10 * args.alerts
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        if args.url:
            with postgres_database(args.url, args.keep):
                figures = runner(args.url, args.alerts, transactions, args.clients,
                                 args.seconds, args.threads, args.workers, folder, args.reuse,
                                 args.think)
        else:
            figures = runner(f"sqlite:///{folder / 'store.db'}", args.alerts, transactions,
                             args.clients, args.seconds, args.threads, args.workers, folder,
                             False, args.think)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(report(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
