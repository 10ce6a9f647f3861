"""Fault injection: the worker running a screening job is killed (SIGKILL) at random points —
reading, matching, rules, storing — and started again, several times in a row; the job
must end with exactly the rows, hits, alerts and audit events of an uninterrupted run.

On SQLite the worker is the embedded server (``aml-screen serve``, Huey on SQLite); on
PostgreSQL it is ``aml-screen worker`` on Redis, with a queue of its own. Both run as real
subprocesses with a short ``job_stale_seconds`` so the reaper of the restarted process
picks the dead job up in seconds. ``FAULT_KILLS`` sets how many kills (default 6 here;
the issue's 20 were run once locally, see the README's "Reliability")."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select

from aml_screen.jobs import JobQueue, screen_stored_batch, submit_batch
from aml_screen.settings import Settings
from aml_screen.store import Database
from aml_screen.store.base import Base
from aml_screen.store.models import (
    Alert,
    AlertLabel,
    AuditEvent,
    Batch,
    Hit,
    ListedEntry,
    QuarantineRow,
    RuleHit,
    Transaction,
)
from benchmarks.generate_batch import generate_batch
from tests.jobs.test_queue import _redis_up
from tests.ports import free_port
from tests.store.isolation import isolated_database, on_postgresql
from tests.store.samples import REPO, repo_settings

KILLS = int(os.environ.get("FAULT_KILLS", "6"))
ROWS = 40_000
STALE_SECONDS = 3.0
STAGES = ("screen.stage.lists", "screen.stage.read", "screen.stage.match",
          "rules.stage.evaluate", "store.stage.transactions", "store.stage.quarantine",
          "store.stage.subjects", "store.stage.history", "store.stage.alerts")
"""The job's stages (their message keys) in order. A kill is aimed at one of them: the job
is killed a random delay after its page shows that stage or a later one (a stage of a few
milliseconds may pass between two looks). ``store.stage.alerts`` is the last transaction,
which writes alerts, hits, rule hits and ``batch.loaded``."""
TARGETS = {"screen.stage.read": 0.05, "screen.stage.match": 0.05,
           "rules.stage.evaluate": 0.05, "store.stage.transactions": 0.3,
           "store.stage.alerts": 0.01}
"""Target stage → the longest random delay (seconds) before the kill, within its length."""
LAST_STAGE = "store.stage.alerts"
RECOVERY_ACTIONS = ("batch.requeue",)
"""Events of the recovery itself (one per attempt found dead), not of the job."""
IGNORED = {"id", "batch_id", "alert_id", "created_at", "updated_at", "at", "seq", "hash",
           "prev_hash", "payload_sha256", "uploaded_at", "finished_at", "queued_at",
           "heartbeat_at", "attempts", "claim_token", "summary", "progress_label",
           "progress_params", "progress_done", "progress_total", "object_id"}
"""Columns that differ between two runs of one job whatever happens (times, ids, the
attempt's own bookkeeping); ``alert_id`` is compared through the alert's key instead."""


@pytest.fixture(scope="module")
def batch_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated batch with the sample national list's names planted (so it alerts)."""
    listed = pl.read_csv(REPO / "watchlists" / "samples" / "national_sample.csv")
    names = listed.filter(pl.col("name_kind") == "primary").get_column("name").to_list()
    path = tmp_path_factory.mktemp("fault") / "fault_batch.csv"
    generate_batch(ROWS, seed=23, listed_names=names, listed_share=0.01).write_csv(path)
    return path


def _settings(folder: Path, url: str, **overrides: Any) -> Settings:
    return repo_settings(data_dir=folder / "var", database_url=url,
                         job_stale_seconds=STALE_SECONDS, job_max_attempts=KILLS + 5,
                         **overrides)


def _snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the job, without what differs between runs, sorted."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with database.transaction() as session:
        keys = {i: k for i, k in session.execute(select(Alert.id, Alert.alert_key))}
        for model in (Batch, Transaction, QuarantineRow, Alert, AlertLabel, Hit, RuleHit,
                      ListedEntry, AuditEvent):
            table = Base.metadata.tables[model.__tablename__]
            columns = [c for c in table.columns if c.name not in IGNORED]
            query = select(*columns, *([table.c.alert_id] if "alert_id" in table.c else []))
            if model is AuditEvent:
                query = query.where(AuditEvent.action.not_in(RECOVERY_ACTIONS))
            rows = []
            for row in session.execute(query):
                values = list(row)
                if "alert_id" in table.c:
                    values[-1] = keys[values[-1]]
                rows.append(tuple(repr(v) for v in values))
            found[model.__tablename__] = sorted(rows)
    return found


def _uninterrupted(folder: Path, batch: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The same job run to the end in this process, on a store of its own."""
    with isolated_database(folder) as database:
        settings = _settings(folder, database.url)
        queue = JobQueue(settings, database, immediate=True)
        submission = submit_batch(queue, database, batch.name, batch.read_bytes(), None)
        screen_stored_batch(settings, database, submission.batch_id)  # already ran: no-op
        return _snapshot(database)


def _environment(settings: Settings) -> dict[str, str]:
    env = {**os.environ, "AML_SCREEN_CONFIG": str(REPO / "aml-screen.toml")}
    for name in ("data_dir", "database_url", "job_queue_url", "job_queue_name",
                 "job_stale_seconds", "job_max_attempts"):
        env[f"AML_SCREEN_{name.upper()}"] = str(getattr(settings, name))
    return env


@contextmanager
def _worker(settings: Settings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``aml-screen worker`` (Redis) or ``aml-screen serve`` (embedded queue), killed
    with SIGKILL on the way out if still alive."""
    program = str(Path(sys.executable).parent / "aml-screen")
    command = ([program, "worker"] if settings.job_queue_url.startswith("redis") else
               [program, "serve", "--port", str(free_port())])
    with log.open("ab") as sink:
        process = subprocess.Popen(command, env=_environment(settings), cwd=REPO,
                                   stdout=sink, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(30)


def _state(database: Database, batch_id: int) -> tuple[str, str | None, int]:
    with database.transaction() as session:
        batch = session.get_one(Batch, batch_id)
        return batch.status, batch.progress_label, batch.attempts


def _reached(label: str | None, stage: str) -> bool:
    at = [i for i, name in enumerate(STAGES) if (label or "").startswith(name)]
    return bool(at) and at[0] >= STAGES.index(stage)


def _wait_for(database: Database, batch_id: int, stage: str, attempt: int,
              seconds: float = 120) -> bool:
    """True once attempt ``attempt`` (or a later one) of the job shows ``stage`` or a later
    one; False if the job finished."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, label, attempts = _state(database, batch_id)
        if status == "running" and attempts >= attempt and _reached(label, stage):
            return True
        if status in ("done", "failed"):
            return False
        time.sleep(0.02)
    raise AssertionError(f"batch {batch_id} never reached {stage!r}")


@pytest.mark.slow
def test_killed_workers_leave_exactly_an_uninterrupted_run(
        database: Database, tmp_path: Path, batch_file: Path) -> None:
    if on_postgresql() and not _redis_up():
        pytest.skip("no Redis server at 127.0.0.1:6379")
    queue_url = "redis://127.0.0.1:6379/15" if on_postgresql() else "sqlite"
    settings = _settings(tmp_path, database.url, job_queue_url=queue_url,
                         job_queue_name=f"aml-screen-fault-{uuid.uuid4().hex[:8]}")
    expected = _uninterrupted(tmp_path / "baseline", batch_file)
    queue = JobQueue(settings, database)
    batch_id = submit_batch(queue, database, batch_file.name, batch_file.read_bytes(),
                            None).batch_id
    chance = random.Random()
    killed_running: list[str] = []
    log = tmp_path / "worker.log"
    try:
        # The last stage lasts a few milliseconds: a poll can miss it and find the job done,
        # which ends the kills; so only the last kill may aim at it.
        stages = [chance.choice(sorted(set(TARGETS) - {LAST_STAGE})) for _ in range(KILLS - 1)]
        stages.append(chance.choice(sorted(TARGETS)))
        for stage in stages:
            with _worker(settings, log) as process:
                if not _wait_for(database, batch_id, stage, len(killed_running) + 1):
                    break
                time.sleep(chance.uniform(0, TARGETS[stage]))
                process.send_signal(signal.SIGKILL)
                process.wait(30)
            status, label, _ = _state(database, batch_id)
            if status != "running":
                break
            killed_running.append(label or "")
        with _worker(settings, log):
            deadline = time.monotonic() + 180
            while _state(database, batch_id)[0] != "done" and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        queue.huey.flush()
    assert _state(database, batch_id)[0] == "done", log.read_text(errors="replace")[-3000:]
    print(f"{len(killed_running)} kills while running, at: {killed_running}")
    assert len(killed_running) >= KILLS - 1  # the last one may find the job finished
    assert _snapshot(database) == expected
    with database.transaction() as session:
        recoveries = session.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(RECOVERY_ACTIONS))).all()
        batch = session.get_one(Batch, batch_id)
    # one per attempt found dead: at least one per kill (a live attempt starved of CPU for
    # job_stale_seconds may be taken for dead too: it then stops without writing)
    assert len(recoveries) >= len(killed_running)
    assert {(e.actor_name, (e.after or {}).get("reason")) for e in recoveries} == {
        ("system", "job.worker_lost")}
    assert batch.attempts == len(recoveries) + 1
