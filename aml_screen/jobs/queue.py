"""The job queue: Huey with SQLite storage under ``data_dir`` (embedded, no server) or Redis
when ``job_queue_url`` is ``redis://…``. The web app enqueues; a worker executes — a thread
of the web process in embedded mode (``InProcessWorker``), or ``aml-screen worker``.

A message only says "look at job N": the job's row decides whether it runs (``claim_job``),
so a message lost with a killed worker or sent twice by the reaper changes nothing. Webhook
deliveries ("look at delivery N") go through a lane of their own, ``webhooks`` (the same
storage under another queue name), executed by their own worker thread, so that a slow
endpoint never holds a screening back."""

from __future__ import annotations

import logging

from huey import Huey, RedisHuey, SqliteHuey  # type: ignore[import-untyped]
from huey.api import Result  # type: ignore[import-untyped]

from aml_screen.errors import ConfigError
from aml_screen.jobs.list_delta import run_list_delta
from aml_screen.jobs.loop import BackgroundLoop
from aml_screen.jobs.rescreen import rescreen_stored_batch
from aml_screen.jobs.screening import screen_stored_batch
from aml_screen.jobs.webhooks import deliver_webhook
from aml_screen.settings import Settings
from aml_screen.store import Database

log = logging.getLogger(__name__)


def make_huey(settings: Settings, immediate: bool = False, name: str | None = None) -> Huey:
    """The Huey instance for ``settings.job_queue_url``; ``immediate`` runs tasks inline
    (tests of the web flow without a worker); ``name`` (default ``job_queue_name``) keeps
    two deployments sharing one Redis apart."""
    url = settings.job_queue_url
    name = name or settings.job_queue_name
    if url == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        huey: Huey = SqliteHuey(name, filename=str(settings.data_dir / "jobs.db"))
    elif url.startswith(("redis://", "rediss://")):
        huey = RedisHuey(name, url=url)
    else:
        raise ConfigError("config.bad_value", name="job_queue_url", value=url,
                          detail="sqlite | redis://host:port/db")
    huey.immediate = immediate
    return huey


class JobQueue:
    """The application's jobs, registered on one Huey instance."""

    def __init__(self, settings: Settings, database: Database, immediate: bool = False,
                 name: str | None = None) -> None:
        self.settings = settings
        self.huey = make_huey(settings, immediate, name)
        self.webhooks = make_huey(settings, immediate,
                                  f"{name or settings.job_queue_name}-webhooks")

        def screen_batch(batch_id: int) -> None:
            screen_stored_batch(settings, database, batch_id)

        def rescreen_batch(rescreen_id: int) -> None:
            rescreen_stored_batch(settings, database, rescreen_id)

        def deliver(delivery_id: int) -> None:
            deliver_webhook(settings, database, delivery_id)

        def rescreen_delta(delta_id: int) -> None:
            run_list_delta(settings, database, delta_id)

        self._screen = self.huey.task(name="aml_screen.screen_batch")(screen_batch)
        self._rescreen = self.huey.task(name="aml_screen.rescreen_batch")(rescreen_batch)
        self._delta = self.huey.task(name="aml_screen.rescreen_delta")(rescreen_delta)
        self._deliver = self.webhooks.task(name="aml_screen.deliver_webhook")(deliver)

    @property
    def embedded(self) -> bool:
        return self.settings.job_queue_url == "sqlite"

    def enqueue_screening(self, batch_id: int) -> Result | None:
        result: Result | None = self._screen(batch_id)
        return result

    def enqueue_rescreen(self, rescreen_id: int) -> Result | None:
        result: Result | None = self._rescreen(rescreen_id)
        return result

    def enqueue_delivery(self, delivery_id: int) -> Result | None:
        result: Result | None = self._deliver(delivery_id)
        return result

    def enqueue_delta(self, delta_id: int) -> Result | None:
        result: Result | None = self._delta(delta_id)
        return result

    def pending(self) -> int:
        return int(self.huey.pending_count())


class InProcessWorker(BackgroundLoop):
    """Executes queued jobs on a daemon thread of this process (embedded mode; and the
    webhook lane, ``lane=queue.webhooks``, wherever jobs run). Huey's own consumer installs
    signal handlers, which only the main thread may do."""

    def __init__(self, queue: JobQueue, poll_seconds: float = 0.2,
                 lane: Huey | None = None) -> None:
        super().__init__("aml-screen-jobs" if lane is None else lane.name, poll_seconds)
        self._huey = queue.huey if lane is None else lane

    def step(self) -> bool:
        task = self._huey.dequeue()
        if task is None:
            return False
        self._huey.execute(task)  # logs and records the task's own exceptions
        return True
