"""The web interface in several processes (``aml-screen serve --workers N``, N > 1).

One Python process serves at most one core's worth of pages: the interpreter lock lets one
thread run Python at a time, and a page is mostly Python (routing, the ORM, templates). On a
server with more cores, gunicorn — a well-kept pre-fork server that restarts a dead worker
and stops them all cleanly — runs N copies of the app on one port, each with its own
threads and its own database connections.

Each worker builds its app after the fork (no preloading), so no connection, lock or thread
pool crosses a fork. For the same reason the embedded job queue does not run in the process
that forks the workers: its jobs use polars, whose thread pool does not survive a fork. It
runs in a process of its own, a fresh interpreter, which stops with the server — even
a killed one: it watches its parent and exits when the parent is gone, as a killed worker
would (the reaper queues its job again)."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
from typing import IO, TYPE_CHECKING, Any, cast

from gunicorn.app.base import BaseApplication

from aml_screen.jobs import JobQueue, embedded_jobs
from aml_screen.settings import Settings
from aml_screen.store import open_database

if TYPE_CHECKING:
    from gunicorn._types import _WSGIAppType

PARENT_CHECK_SECONDS = 0.5


class WebWorkers(BaseApplication):
    """gunicorn's pre-fork server with its options given in code (not read from the command
    line or a gunicorn config file, which would be a second configuration)."""

    def __init__(self, settings: Settings, overrides: dict[str, Any],
                 options: dict[str, Any]) -> None:
        self.settings = settings
        self.overrides = overrides
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> _WSGIAppType:
        from web import create_app
        from web.api.views import warm_list_index

        app = create_app(self.settings, **self.overrides)
        warm_list_index(app)  # each worker its own: built after the fork, like the app
        # Flask types its environ as a dict, gunicorn's stubs as a MutableMapping
        return cast("_WSGIAppType", app)


def serve_in_processes(settings: Settings, overrides: dict[str, Any], host: str, port: int,
                       workers: int, threads: int, embedded: bool) -> None:
    """Serve the app on ``host:port`` in ``workers`` processes of ``threads`` threads each;
    with ``embedded``, the job queue's worker and reaper in one more process. Returns when
    the server is stopped (SIGINT or SIGTERM)."""
    server = os.getpid()
    jobs = _start_jobs(settings, server) if embedded else None
    try:
        WebWorkers(settings, overrides, {
            "bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread",
            "threads": threads, "proc_name": "aml-screen", "accesslog": None,
            "errorlog": "-", "loglevel": "warning", "timeout": 120, "keepalive": 75,
            "graceful_timeout": 30}).run()
    finally:
        # a worker leaves through here too (gunicorn ends a forked worker with sys.exit):
        # only the server stops the job process
        if jobs is not None and os.getpid() == server:
            jobs.terminate()
            jobs.wait(60)


POLARS_THREADS = "POLARS_MAX_THREADS"
_POLARS_THREADS_BEFORE = "AML_SCREEN_POLARS_MAX_THREADS_BEFORE"
"""``POLARS_MAX_THREADS`` as the server was started with ('' when unset), kept across
``limit_polars_threads``'s restart for the job process."""


def limit_polars_threads(settings: Settings) -> None:
    """Start this process again with ``POLARS_MAX_THREADS`` set to the settings'
    ``web_polars_threads``, unless it already is (or the setting is 0). Polars reads the
    variable once, when it is imported, and the command line has imported it already; the
    forked web workers inherit the restarted process's limit, while the job process gets
    the variable as it was (``_jobs_environment``)."""
    wanted = str(settings.web_polars_threads)
    if settings.web_polars_threads <= 0 or os.environ.get(POLARS_THREADS) == wanted:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    environment = {**os.environ, POLARS_THREADS: wanted,
                   _POLARS_THREADS_BEFORE: os.environ.get(POLARS_THREADS, "")}
    os.execve(sys.executable, sys.orig_argv, environment)  # noqa: S606 (this same command)


def _jobs_environment() -> dict[str, str]:
    environment = dict(os.environ)
    if _POLARS_THREADS_BEFORE in environment:
        before = environment.pop(_POLARS_THREADS_BEFORE)
        if before:
            environment[POLARS_THREADS] = before
        else:
            environment.pop(POLARS_THREADS, None)
    return environment


def _start_jobs(settings: Settings, server: int) -> subprocess.Popen[bytes]:
    """A fresh interpreter running ``jobs_main``, handed the settings through a pipe.
    (Not a ``multiprocessing`` child: every forked web worker would inherit it in
    multiprocessing's own registry and try to join it on the way out.)"""
    jobs = subprocess.Popen(
        [sys.executable, "-c", "from aml_screen.cli.web_processes import jobs_main; "
         "jobs_main()"], stdin=subprocess.PIPE, env=_jobs_environment())
    with cast("IO[bytes]", jobs.stdin) as pipe:  # stdin=PIPE: never None
        pipe.write(pickle.dumps((settings, server)))
    return jobs


def jobs_main() -> None:
    """The job process: the settings and the server's pid from standard input."""
    settings, server = pickle.load(sys.stdin.buffer)  # noqa: S301 (our own parent's pipe)
    run_embedded_jobs(settings, server)


def run_embedded_jobs(settings: Settings, server: int) -> None:
    """The embedded queue's worker and reaper until SIGTERM, or until ``server`` is gone."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the server, which stops us
    database = open_database(settings.database_url)
    with embedded_jobs(JobQueue(settings, database), database):
        while not stop.wait(PARENT_CHECK_SECONDS):
            if os.getppid() != server:
                os._exit(1)  # the server was killed: so is this, mid-job if need be
