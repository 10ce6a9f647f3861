"""The re-screening job: a stored batch screened again against the current list versions,
its new hits stored as alerts of the re-screen. Progress is written on the batch row (the
batch page shows it); the re-screen ends ``done`` or ``failed`` with a message key, or is
run again by the reaper when its worker dies (heartbeat and claim as the screening job's)."""

from __future__ import annotations

import logging
from datetime import date

from aml_screen.errors import AmlScreenError
from aml_screen.jobs.failure import record_failure
from aml_screen.jobs.heartbeat import Heartbeat, beat_interval
from aml_screen.jobs.progress import DatabaseProgress
from aml_screen.jobs.screening import screen_stored, stored_path
from aml_screen.settings import Settings
from aml_screen.store import Database
from aml_screen.store.exemptions import active_exemptions
from aml_screen.store.jobs import ClaimLostError, claim_job
from aml_screen.store.loading import hit_entries
from aml_screen.store.models import Batch, Rescreen
from aml_screen.store.rescreen import RescreenError, load_rescreen
from aml_screen.store.statistics import refresh_statistics
from aml_screen.watchlists.loader import load_watchlists

log = logging.getLogger(__name__)


def rescreen_stored_batch(settings: Settings, database: Database, rescreen_id: int,
                          today: date | None = None) -> int:
    """Run re-screen ``rescreen_id`` if it is queued; returns how many alerts it created."""
    with database.transaction() as session:
        claim = claim_job(session, Rescreen, rescreen_id)
    if claim is None:
        log.info("re-screen %s is not queued: nothing to run", rescreen_id)
        return 0
    with database.transaction() as session:
        rescreen = session.get_one(Rescreen, rescreen_id)
        batch = session.get_one(Batch, rescreen.batch_id)
        batch_id = batch.id
        path = stored_path(settings, batch.sha256, batch.file_name)
        original = batch.file_name
        sha256 = batch.sha256
        exemptions = active_exemptions(session, today)
    progress = DatabaseProgress(database, batch_id, claim=claim)
    try:
        with Heartbeat(database, claim, beat_interval(settings)):
            if not path.is_file():
                raise RescreenError("rescreen.file_missing", batch_id=batch_id)
            advance = progress.stage("rescreen.stage.lists", 1)
            lists = load_watchlists(list(settings.default_watchlists), settings)
            advance(1)
            run = screen_stored(settings, path, original, sha256, lists, progress,
                                exemptions)
            entries = hit_entries(lists, run.hits)
            progress.stage("store.stage.alerts", None)
            with database.transaction() as session:
                created = load_rescreen(session, rescreen_id, run, entries, claim)
            refresh_statistics(database.engine)
            return created
    except ClaimLostError:
        log.warning("re-screen %s: attempt %s lost its claim and stopped", rescreen_id,
                    claim.attempt)
        return 0
    except AmlScreenError as exc:
        record_failure(database, claim, exc.key, exc.params, "re-screen")
        return 0
    except Exception as exc:
        log.exception("re-screening job %s crashed", rescreen_id)
        record_failure(database, claim, "job.crashed", {"detail": exc}, "re-screen")
        raise
