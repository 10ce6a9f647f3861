"""The screening job: an uploaded batch file screened and its results loaded into the store.

Runs in a worker (in-process in embedded mode, ``aml-screen worker`` with Redis). Whatever
happens, the batch ends ``done`` or ``failed`` with a message key the page can translate.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import update

from aml_screen.errors import AmlScreenError
from aml_screen.i18n import t
from aml_screen.jobs.progress import DatabaseProgress
from aml_screen.pipeline import run_screening
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.settings import Settings
from aml_screen.snapshots import snapshot_lists, snapshot_rules
from aml_screen.store import Database
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.exemptions import active_exemptions
from aml_screen.store.loading import get_batch, hit_entries, load_run
from aml_screen.store.models import Batch
from aml_screen.store.statistics import refresh_statistics
from aml_screen.watchlists.loader import load_watchlists

log = logging.getLogger(__name__)


def upload_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def stored_path(settings: Settings, sha256: str, file_name: str) -> Path:
    """Where an uploaded file is kept: named by its content hash, keeping its extension
    (the batch reader tells CSV from Parquet by both)."""
    suffix = Path(file_name).suffix.lower()
    return upload_dir(settings) / f"{sha256}{suffix if suffix in ('.csv', '.parquet') else ''}"


def _fail(database: Database, batch_id: int, key: str, params: dict[str, object]) -> None:
    error_params = {k: str(v) for k, v in params.items()}
    with database.transaction() as session:
        session.execute(update(Batch).where(Batch.id == batch_id).values(
            status="failed", error_key=key, error_params=error_params, finished_at=utcnow()))
        record(session, None, "batch.failed", "batch", batch_id,
               before={"status": "running"},
               after={"status": "failed", "error_key": key, "error_params": error_params})


def screen_stored_batch(settings: Settings, database: Database, batch_id: int) -> None:
    """Screen batch ``batch_id`` against the configured watchlists and store the results;
    hits covered by an exemption in force today raise no alert."""
    with database.transaction() as session:
        batch = get_batch(session, batch_id)
        if batch.status == "done":
            return
        batch.status = "running"
        path = stored_path(settings, batch.sha256, batch.file_name)
        exemptions = active_exemptions(session)
    progress = DatabaseProgress(database, batch_id)
    try:
        advance = progress.stage(t("screen.stage.lists"), 1)
        lists = load_watchlists(list(settings.default_watchlists), settings)
        snapshot_lists(settings, lists)
        advance(1)
        rules_dir = configured_rules(settings)
        parameters = parameters_override(settings)
        run = run_screening([path], lists, threshold=settings.match_threshold,
                            timezone=settings.timezone, date_order=settings.date_order,
                            progress=progress, rules_dir=rules_dir, rule_parameters=parameters,
                            exemptions=exemptions)
        entries = hit_entries(lists, run.hits)
        with database.transaction() as session:
            batch = session.get_one(Batch, batch_id, with_for_update=True)
            load_run(session, batch, run, entries,
                     rule_digest=snapshot_rules(settings, rules_dir, parameters))
        refresh_statistics(database.engine)
    except AmlScreenError as exc:
        _fail(database, batch_id, exc.key, exc.params)
    except Exception as exc:
        log.exception("screening job for batch %s crashed", batch_id)
        _fail(database, batch_id, "job.crashed", {"detail": exc})
        raise
