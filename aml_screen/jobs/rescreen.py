"""The re-screening job: a stored batch screened again against the current list versions,
its new hits stored as alerts of the re-screen. Progress is written on the batch row (the
batch page shows it); the re-screen ends ``done`` or ``failed`` with a message key."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import update

from aml_screen.errors import AmlScreenError
from aml_screen.i18n import t
from aml_screen.jobs.progress import DatabaseProgress
from aml_screen.jobs.screening import stored_path
from aml_screen.pipeline import run_screening
from aml_screen.settings import Settings
from aml_screen.store import Database
from aml_screen.store.base import utcnow
from aml_screen.store.exemptions import active_exemptions
from aml_screen.store.loading import hit_entries
from aml_screen.store.models import Batch, Rescreen
from aml_screen.store.rescreen import RescreenError, load_rescreen
from aml_screen.store.statistics import refresh_statistics
from aml_screen.watchlists.loader import load_watchlists

log = logging.getLogger(__name__)


def _fail(database: Database, rescreen_id: int, key: str, params: dict[str, object]) -> None:
    with database.transaction() as session:
        session.execute(update(Rescreen).where(Rescreen.id == rescreen_id).values(
            status="failed", error_key=key, error_params={k: str(v) for k, v in params.items()},
            finished_at=utcnow()))


def rescreen_stored_batch(settings: Settings, database: Database, rescreen_id: int,
                          today: date | None = None) -> int:
    """Run re-screen ``rescreen_id``; returns how many alerts it created."""
    with database.transaction() as session:
        rescreen = session.get_one(Rescreen, rescreen_id)
        if rescreen.status == "done":
            return 0
        rescreen.status = "running"
        batch = session.get_one(Batch, rescreen.batch_id)
        batch_id = batch.id
        path = stored_path(settings, batch.sha256, batch.file_name)
        exemptions = active_exemptions(session, today)
    progress = DatabaseProgress(database, batch_id)
    try:
        if not path.is_file():
            raise RescreenError("rescreen.file_missing", batch_id=batch_id)
        advance = progress.stage(t("rescreen.stage.lists"), 1)
        lists = load_watchlists(list(settings.default_watchlists), settings)
        advance(1)
        run = run_screening([path], lists, threshold=settings.match_threshold,
                            timezone=settings.timezone, date_order=settings.date_order,
                            progress=progress, exemptions=exemptions)
        entries = hit_entries(lists, run.hits)
        with database.transaction() as session:
            created = load_rescreen(session, rescreen_id, run, entries)
        refresh_statistics(database.engine)
        return created
    except AmlScreenError as exc:
        _fail(database, rescreen_id, exc.key, exc.params)
        return 0
    except Exception as exc:
        log.exception("re-screening job %s crashed", rescreen_id)
        _fail(database, rescreen_id, "job.crashed", {"detail": exc})
        raise
