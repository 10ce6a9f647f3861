"""``aml-screen serve``: how many processes serve the web interface, and the pre-fork server
with its job process run for real (pages answered, the demo batch screened, nothing left
running once the server stops or is killed)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from aml_screen.cli.serve import web_processes
from aml_screen.settings import load_settings
from aml_screen.store import Database
from aml_screen.store.models import Batch
from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.mark.parametrize(("url", "setting", "chosen", "expected"), [
    ("sqlite:///var/store.db", 0, None, 1),
    (PG, 0, None, os.cpu_count() or 1),
    (PG, 3, None, 3),
    ("sqlite:///var/store.db", 3, None, 3),
    (PG, 3, 1, 1),
    (PG, 0, 2, 2),
])
def test_processes_follow_the_option_then_the_setting_then_the_database(
        url: str, setting: int, chosen: int | None, expected: int) -> None:
    settings = load_settings(environ={}, database_url=url, web_workers=setting)
    assert web_processes(settings, chosen) == expected


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _kinds(parent: int, children: set[int]) -> list[str]:
    """``web`` for a forked copy of the server, ``job`` for the job process, else the
    first words of the command."""
    def command(pid: int) -> str:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()

    own = command(parent)
    return sorted("web" if command(pid) == own else
                  "job" if "jobs_main" in command(pid) else command(pid)[:60]
                  for pid in children)


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@contextmanager
def _server(url: str, folder: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    env = {**os.environ, "AML_SCREEN_CONFIG": str(REPO / "aml-screen.toml"),
           "AML_SCREEN_DATABASE_URL": url, "AML_SCREEN_DATA_DIR": str(folder / "var")}
    program = str(Path(sys.executable).parent / "aml-screen")
    with (folder / "serve.log").open("ab") as sink:
        server = subprocess.Popen(
            [program, "serve", "--workers", "2", "--threads", "2", "--port", str(port),
             "--demo", "--insecure-http"], env=env, cwd=REPO, stdout=sink,
            stderr=subprocess.STDOUT)
    try:
        yield server, port
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(30)


def _get(port: int, path: str, seconds: float = 90) -> int:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}",
                                        timeout=10) as answer:
                return int(answer.status)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _screened(database: Database, seconds: float = 180) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with database.transaction() as session:
            batch = session.scalars(select(Batch)).first()
            if batch is not None and batch.status in ("done", "failed"):
                return batch.status
        time.sleep(0.5)
    return "not finished"


def _wait_gone(pids: set[int], seconds: float = 30) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    return {p for p in pids if _alive(p)}


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn's pre-fork server is POSIX")
def test_several_processes_serve_pages_and_screen_the_demo_batch_then_stop_together(
        database: Database, url: str, tmp_path: Path) -> None:
    del database  # the same empty store ``url`` names
    store = Database(url)
    with _server(url, tmp_path) as (server, port):
        assert _get(port, "/login") == 200
        assert _screened(store) == "done"
        children = _children(server.pid)
        kinds = _kinds(server.pid, children)
        assert kinds.count("web") == 2, (kinds, (tmp_path / "serve.log").read_text())
        assert kinds.count("job") == 1
        for _ in range(6):  # every request answered, whichever process takes it
            assert _get(port, "/login", 10) == 200
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
        assert _wait_gone(children) == set()
    store.engine.dispose()


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn's pre-fork server is POSIX")
def test_a_killed_server_leaves_no_job_process_behind(database: Database, url: str,
                                                      tmp_path: Path) -> None:
    """A job process outliving its server would go on screening while the reaper, seeing
    the server gone, hands the job to another worker."""
    del database
    with _server(url, tmp_path) as (server, port):
        assert _get(port, "/login") == 200
        children = _children(server.pid)
        assert _kinds(server.pid, children).count("job") == 1
        server.send_signal(signal.SIGKILL)
        server.wait(30)
        assert _wait_gone(children, 15) == set()


_THREADS_PROBE = """
import json, sys
import polars
from aml_screen.cli.web_processes import _jobs_environment, limit_polars_threads
from aml_screen.settings import load_settings
limit_polars_threads(load_settings(web_polars_threads=int(sys.argv[1])))
print(json.dumps([polars.thread_pool_size(), _jobs_environment().get("POLARS_MAX_THREADS")]))
"""


@pytest.mark.parametrize(("wanted", "before", "served", "jobs"), [
    (1, None, 1, None),    # the web processes one thread, the jobs polars' own choice
    (1, "2", 1, "2"),      # the jobs keep what the server was started with
    (0, None, None, None),  # 0: polars' own choice everywhere, no restart
])
def test_web_processes_run_polars_on_the_threads_the_setting_gives(
        wanted: int, before: str | None, served: int | None, jobs: str | None) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "POLARS_MAX_THREADS"}
    if before is not None:
        environment["POLARS_MAX_THREADS"] = before
    found = subprocess.run([sys.executable, "-c", _THREADS_PROBE, str(wanted)],
                           env=environment, capture_output=True, text=True, check=True,
                           timeout=120)
    threads, jobs_threads = json.loads(found.stdout)
    assert threads == (served or int(before or os.cpu_count() or 1))
    assert jobs_threads == jobs
    assert found.stdout.count("\n") == 1  # restarted in place, printed once
