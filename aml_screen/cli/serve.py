"""``aml-screen serve`` (the web interface on waitress, a production WSGI server) and
``aml-screen worker`` (the job consumer when jobs go through Redis).

In the embedded set-up (``job_queue_url = "sqlite"``) ``serve`` also runs the job worker in
its own process, so one command is enough. Whichever runs the jobs also runs the reaper,
which queues again the jobs a killed worker left behind (``jobs/reaper.py``), the webhook
relay and the webhook deliveries' worker (``jobs/webhook_relay.py``). ``--demo``
adds demo accounts and queues the bundled sample batch, then prints the URL and a log-in.

The demo accounts log in with their password alone, even ``demo-supervisor`` whose role
requires a second factor (``require_2fa_for``): a quick look should not need a phone. That
exemption is made by ``--demo`` only (``TWO_FACTOR_EXEMPT``), for those names only, and
said on the console; the same accounts served without ``--demo`` must enrol."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
import waitress
from sqlalchemy import select

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import t
from aml_screen.jobs import (
    InProcessWorker,
    JobQueue,
    Reaper,
    WebhookRelay,
    embedded_jobs,
    submit_batch,
)
from aml_screen.settings import Settings
from aml_screen.store import Database, open_database
from aml_screen.store.accounts import create_user, set_password
from aml_screen.store.models import User

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "sample_batch.csv"
DEMO_ROLES = ("analyst", "investigator", "supervisor", "auditor")
DEMO_NAMES = tuple(f"demo-{role}" for role in DEMO_ROLES)


def demo_accounts(database: Database) -> str:
    """``demo-<role>`` for each role with one fresh password, returned for printing."""
    password = secrets.token_urlsafe(9)
    with database.transaction() as session:
        for role in DEMO_ROLES:
            name = f"demo-{role}"  # one of DEMO_NAMES
            user = session.scalars(select(User).where(User.username == name)).first()
            if user is None:
                create_user(session, name, role, password)
            else:
                set_password(session, user, password)
    return password


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on / adresse d'écoute.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=None, type=click.IntRange(1, 64),
              help="Threads per process (default: 8 in one, 4 in each of several) / fils par "
                   "processus.")
@click.option("--workers", default=None, type=click.IntRange(0, 64),
              help="Processes (default: the web_workers setting; 0 = one per core on "
                   "PostgreSQL, one on SQLite) / processus.")
@click.option("--demo", is_flag=True, default=False,
              help="Demo accounts + the sample batch / comptes et lot de démonstration.")
@click.option("--insecure-http", is_flag=True, default=False,
              help="Send the session cookie over plain HTTP (trusted network without TLS "
                   "only) / cookie de session sans HTTPS.")
@pass_context
def serve_command(obj: Context, host: str, port: int, threads: int | None, workers: int | None,
                  demo: bool, insecure_http: bool) -> None:
    """Run the web interface / lance l'interface web."""
    from web import create_app
    from web.api.views import warm_list_index
    from web.services import services

    processes = web_processes(obj.settings, workers)
    if processes > 1:
        from aml_screen.cli.web_processes import limit_polars_threads

        limit_polars_threads(obj.settings)  # before anything is printed or stored
    overrides: dict[str, object] = {"SESSION_COOKIE_SECURE": not insecure_http}
    if demo:
        overrides["TWO_FACTOR_EXEMPT"] = DEMO_NAMES
    app = create_app(obj.settings, **overrides)
    with app.app_context():
        found = services()
    if demo:
        click.echo(t("serve.demo_login", **_demo(found.database, found.jobs)))
        exempt = [f"demo-{r}" for r in DEMO_ROLES if obj.settings.two_factor_required(r)]
        if exempt:
            click.echo(t("two_factor.demo_exempt", names=", ".join(exempt)))
    if processes > 1:
        found.database.engine.dispose()  # no connection is shared with the forked workers
        click.echo(t("serve.listening", url=_url(host, port)))
        from aml_screen.cli.web_processes import serve_in_processes

        # fewer threads per process: a thread holding a lock in the database (the audit
        # chain's) while it waits for the interpreter delays everyone queued behind it
        serve_in_processes(obj.settings, overrides, host, port, processes, threads or 4,
                           found.jobs.embedded)
        return
    with embedded_jobs(found.jobs, found.database) as embedded:
        if not embedded:
            click.echo(t("serve.external_worker"))
        click.echo(t("serve.listening", url=_url(host, port)))
        warm_list_index(app)
        waitress.serve(app, host=host, port=port, threads=threads or 8, ident="aml-screen")


def web_processes(settings: Settings, chosen: int | None) -> int:
    """How many processes serve the web interface: ``--workers``, else the setting; 0 means
    one per core on PostgreSQL and one on SQLite (or on Windows, where gunicorn's pre-fork
    server does not run)."""
    wanted = settings.web_workers if chosen is None else chosen
    if sys.platform == "win32":
        return 1
    if wanted:
        return wanted
    return 1 if settings.database_url.startswith("sqlite") else os.cpu_count() or 1


def _demo(database: Database, jobs: JobQueue) -> dict[str, str]:
    """Demo accounts and the sample batch queued; the log-in to print."""
    password = demo_accounts(database)
    submit_batch(jobs, database, SAMPLE.name, SAMPLE.read_bytes(), None)
    return {"roles": ", ".join(DEMO_NAMES), "password": password}


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 (display only)
    return f"http://{shown}:{port}/login"


@click.command("worker")
@pass_context
def worker_command(obj: Context) -> None:
    """Run background jobs from Redis / exécute les tâches de fond depuis Redis."""
    database = open_database(obj.settings.database_url)
    queue = JobQueue(obj.settings, database)
    click.echo(t("serve.worker_started", url=obj.settings.job_queue_url))
    Reaper(queue, database).start()  # daemon threads: they end with the consumer
    WebhookRelay(queue, database).start()
    InProcessWorker(queue, lane=queue.webhooks).start()
    queue.huey.create_consumer(workers=2, worker_type="thread").run()


def register(main: click.Group) -> None:
    main.add_command(serve_command)
    main.add_command(worker_command)
