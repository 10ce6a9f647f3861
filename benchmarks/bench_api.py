"""JSON API benchmark: programs pulling alerts and looking names up through the real server.

    python benchmarks/bench_api.py --alerts 10000                        # SQLite, temporary
    python benchmarks/bench_api.py --alerts 1000000 --transactions 10000000 \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_queue --reuse --keep

Fills the same store as ``bench_queue.py`` (``--reuse`` keeps one it left with ``--keep``),
gives each of ``--clients`` investigators an API token (read scope), starts ``aml-screen
serve`` on the store and runs the clients for ``--seconds``, each repeating what a unit's
own tools do: list the open alerts by risk and follow the keyset cursor for a few pages,
list them filtered (typology and country, as the queue's menus offer), and look one name
up (``POST /api/v1/match``, a Sahel name as another bank writes it, half with a birth
date). The per-token rate limit is lifted for the run (the server is measured, not the limiter),
and the lists are the official UN and OFAC SDN files of ``../shared`` (the bundled samples
without it).

Per endpoint it prints p50/p95/max latency, requests per second and errors, each
endpoint's latency alone (sequential, before the load), the machine and its load average,
and the same figures as one JSON line.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import make_url

from aml_screen.cli.serve import web_processes
from aml_screen.settings import load_settings
from aml_screen.store import open_database
from aml_screen.store.api_tokens import create_token
from aml_screen.store.models import User
from benchmarks import machine
from benchmarks.bench_queue import Figures, drive, fill, label_choices, main, served, stored_alerts
from benchmarks.parties import persons

ENDPOINTS = ("alerts", "alerts_next_page", "alerts_filtered", "match")
PAGES = 3
"""Pages a client follows by cursor before it starts again from the top."""
NAMES = 500
"""Distinct names the clients look up (drawn once from the benchmark's Sahel parties)."""
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LISTS = (SHARED / "un_consolidated" / "consolidated.xml", SHARED / "ofac_sdn" / "bench_2021")
"""The lists names are looked up in: the official UN and OFAC SDN files when ``../shared``
is there, else the bundled samples."""


def tokens(url: str, clients: int) -> list[str]:
    """A read token for each benchmark investigator (``bench01``…), made in the store."""
    database = open_database(url)
    try:
        with database.transaction() as session:
            users = session.scalars(select(User).where(User.username.like("bench%"))
                                    .order_by(User.username).limit(clients)).all()
            return [create_token(session, user, "bench api", ["read"]).secret
                    for user in users]
    finally:
        database.dispose()


def lookups(count: int) -> list[dict[str, Any]]:
    """Names as a bank would send them: the parties' names, half with a birth date."""
    people = persons(np.random.default_rng(7), count)
    return [{"name": name, **({"birth_date": f"19{60 + index % 40}-0{1 + index % 9}-1{index % 9}"}
                              if index % 2 else {})}
            for index, name in enumerate(people["name"].to_list())]


class Client:
    """One program's HTTP/1.1 keep-alive connection with its bearer token."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        self.connection.request(method, "/api/v1" + path, headers=self.headers,
                                body=json.dumps(body) if body is not None else None)
        response = self.connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, None

    def close(self) -> None:
        self.connection.close()


@dataclass
class Program:
    """Repeats a unit's tool's loop: the open alerts by risk, the next pages by cursor,
    the alerts filtered, one name looked up."""

    client: Client
    figures: Figures
    typologies: list[str]
    countries: list[str]
    names: list[dict[str, Any]]
    round: int = 0
    cursor: str | None = None
    pages: int = 0

    def _timed(self, endpoint: str, method: str, path: str, body: Any = None) -> Any:
        started = time.perf_counter()
        try:
            status, answer = self.client.call(method, path, body)
        except (OSError, http.client.HTTPException):
            status, answer = 0, None
        self.figures.add(endpoint, time.perf_counter() - started, status, 200)
        return answer if status == 200 else None

    def step(self, endpoint: str) -> None:
        self.round += 1
        if endpoint == "alerts":
            page = self._timed(endpoint, "GET", "/alerts?status=new&sort=-risk&limit=50")
            self.cursor, self.pages = (page or {}).get("next_cursor"), 0
        elif endpoint == "alerts_next_page":
            if self.cursor is None or self.pages >= PAGES:
                return
            page = self._timed(endpoint, "GET", "/alerts?status=new&sort=-risk&limit=50&after="
                               + urllib.parse.quote(self.cursor))
            self.cursor, self.pages = (page or {}).get("next_cursor"), self.pages + 1
        elif endpoint == "alerts_filtered":
            query = urllib.parse.urlencode({
                "typology": self.typologies[self.round % len(self.typologies)],
                "country": self.countries[self.round % len(self.countries)], "limit": 50})
            self._timed(endpoint, "GET", f"/alerts?{query}")
        else:
            self._timed(endpoint, "POST", "/match",
                        {**self.names[self.round % len(self.names)], "limit": 10})


def alone(port: int, token: str, typologies: list[str], countries: list[str],
          names: list[dict[str, Any]]) -> dict[str, float]:
    """Each endpoint's median latency (ms) with nothing else running: five rounds after
    one that warms the server up (its first match loads the lists)."""
    client = Client(port, token)
    program = Program(client, Figures(ENDPOINTS), typologies, countries, names)
    for endpoint in ENDPOINTS:
        program.step(endpoint)
    figures = program.figures = Figures(ENDPOINTS)
    for _ in range(5):
        for endpoint in ENDPOINTS:
            program.step(endpoint)
    client.close()
    return {name: round(statistics.median(v) * 1000, 1) if v else 0.0
            for name, v in figures.latencies.items()}


def load(port: int, secrets: list[str], seconds: float, typologies: list[str],
         countries: list[str], names: list[dict[str, Any]], think: float = 0.0
         ) -> tuple[Figures, float]:
    """One program per token in threads for ``seconds``; returns figures, wall time."""
    figures = Figures(ENDPOINTS)
    clients = [Client(port, secret) for secret in secrets]
    programs = [Program(client, figures, typologies, countries, names, round=offset)
                for offset, client in enumerate(clients)]
    wall = drive([program.step for program in programs], ENDPOINTS, seconds, think)
    for client in clients:
        client.close()
    return figures, wall


def run_benchmark(url: str, alerts: int, transactions: int, clients: int, seconds: float,
                  threads: int | None, workers: int | None, folder: Path,
                  reuse: bool = False, think: float = 0.0) -> dict[str, Any]:
    fill_times: dict[str, float] = {}
    if not (reuse and stored_alerts(url) == alerts):
        fill_times = fill(url, alerts, transactions, clients)
    typologies, countries = label_choices(url)
    secrets = tokens(url, clients)
    names = lookups(NAMES)
    processes = web_processes(load_settings(environ={}, database_url=url), workers)
    lists = [str(path) for path in LISTS if path.exists()] or ["sample_un", "sample_national"]
    settings = {"api_rate_limit": str(10**9), "default_watchlists": ",".join(lists)}
    with served(url, folder, threads, processes, settings) as port:
        single = alone(port, secrets[0], typologies, countries, names)
        figures, wall = load(port, secrets, seconds, typologies, countries, names, think)
    return {
        "benchmark": "api", "database": make_url(url).get_backend_name(),
        "alerts": alerts, "transactions": transactions, "clients": len(secrets),
        "think_seconds": think,
        "server_workers": processes, "server_threads": threads or "default", **fill_times,
        **figures.summary(single, wall), "lists": len(lists),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": machine.describe(),
    }


if __name__ == "__main__":
    main(__doc__, run_benchmark, "bench-api-")
