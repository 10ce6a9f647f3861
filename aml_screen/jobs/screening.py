"""The screening job: an uploaded batch file screened and its results loaded into the store.

Runs in a worker (in-process in embedded mode, ``aml-screen worker`` with Redis). Whatever
happens, the batch ends ``done`` or ``failed`` with a message key the page can translate —
or, when the worker is killed, ``running`` with a heartbeat that stops: the reaper
(``jobs/reaper.py``) then queues it again, and the retry stores exactly what an
uninterrupted run would have (``store/loading.py``).

The summary's ``stage_seconds`` times the job's steps in wall time as the job waits for
them: resolving the parties and the history-wide rules are computed on a helper thread
while the batch's rows are stored, so ``subjects`` and ``history_rules`` are what was left
to wait for after ``store_rows``.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from aml_screen.errors import AmlScreenError
from aml_screen.ingest import ColumnMapping, load_mapping
from aml_screen.ingest.dates import plausible_range
from aml_screen.ingest.formats import ACCEPTED_SUFFIXES
from aml_screen.ingest.limits import input_limits
from aml_screen.jobs.failure import record_failure
from aml_screen.jobs.heartbeat import Heartbeat, beat_interval
from aml_screen.jobs.progress import DatabaseProgress
from aml_screen.pipeline import ScreeningRun, StageClock, run_screening
from aml_screen.progress import Progress
from aml_screen.rules import load_rules
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.rules.history import history_rule_hits, history_scoped
from aml_screen.settings import Settings
from aml_screen.snapshots import snapshot_lists, snapshot_rules
from aml_screen.store import Database
from aml_screen.store.exemptions import active_exemptions
from aml_screen.store.history import earlier_transactions
from aml_screen.store.jobs import ClaimLostError, claim_job, require_claim
from aml_screen.store.loading import (
    add_stage_seconds,
    get_batch,
    hit_entries,
    load_results,
    store_rows,
)
from aml_screen.store.models import Batch
from aml_screen.store.statistics import LOADED_TABLES, SUBJECT_TABLES, refresh_statistics
from aml_screen.store.subject_review import review_subjects
from aml_screen.store.subjects import batch_records, compute_resolution, store_resolution
from aml_screen.watchlists.loader import Watchlist, load_watchlists

log = logging.getLogger(__name__)


def upload_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def stored_path(settings: Settings, sha256: str, file_name: str) -> Path:
    """Where an uploaded file is kept: named by its content hash, keeping its extension
    when it is one of a batch format (the reader goes by the content)."""
    suffix = Path(file_name).suffix.lower()
    return upload_dir(settings) / f"{sha256}{suffix if suffix in ACCEPTED_SUFFIXES else ''}"


def mapping_path(settings: Settings, sha256: str) -> Path:
    """Where the column mapping sent with a batch is kept (beside the batch, by its hash)."""
    return upload_dir(settings) / f"{sha256}.mapping.yaml"


def stored_mapping(settings: Settings, sha256: str) -> ColumnMapping | None:
    """The column mapping sent with the batch, if one was."""
    path = mapping_path(settings, sha256)
    return load_mapping(path) if path.is_file() else None


def screen_stored(settings: Settings, path: Path, name: str, sha256: str,
                  lists: list[Watchlist], progress: Progress, exemptions: pl.DataFrame, *,
                  rules_dir: Path | None = None,
                  rule_parameters: Path | None = None) -> ScreeningRun:
    """A stored batch file screened as the settings say, for the screening job and
    re-screens alike: under the sender's file name, with the column mapping sent with it,
    the plausible booking dates and the matching memory budget."""
    return run_screening([path], lists, threshold=settings.match_threshold,
                         timezone=settings.timezone, date_order=settings.date_order,
                         mapping=stored_mapping(settings, sha256),
                         plausible=plausible_range(settings.plausible_from,
                                                   settings.plausible_to),
                         progress=progress, rules_dir=rules_dir,
                         rule_parameters=rule_parameters, exemptions=exemptions,
                         match_memory_mib=settings.match_memory_mib, names=[name],
                         language=settings.language, limits=input_limits(settings))


def across_batches(settings: Settings, database: Database, batch_id: int, run: ScreeningRun,
                   rules_dir: Path | None, parameters: Path | None) -> pl.DataFrame | None:
    """The hits of the ``scope: history`` rules over the batch and the stored transactions
    of its accounts (``rules.history``); None without rules or history. Reads other
    batches only, so that it can run while this batch is being stored."""
    if rules_dir is None or settings.history_days <= 0:
        return None
    rule_set = load_rules(rules_dir, parameters)
    if history_scoped(rule_set) is None:
        return None
    with database.transaction() as session:
        earlier = earlier_transactions(session, batch_id, run.transactions,
                                       settings.history_days)
    return history_rule_hits(rule_set, run.transactions, earlier, run.rule_hits,
                             timezone=settings.timezone)


def screen_stored_batch(settings: Settings, database: Database, batch_id: int) -> None:
    """Screen batch ``batch_id`` against the configured watchlists and store the results;
    hits covered by an exemption in force today raise no alert.

    Only a queued batch is run (a duplicate queue message finds it running or done and
    does nothing); the attempt beats a heartbeat while it runs and stops as soon as it
    loses its claim (``store/jobs.py``)."""
    with database.transaction() as session:
        claim = claim_job(session, Batch, batch_id)
    if claim is None:
        log.info("batch %s is not queued: nothing to run", batch_id)
        return
    with database.transaction() as session:
        batch = get_batch(session, batch_id)
        path = stored_path(settings, batch.sha256, batch.file_name)
        original = batch.file_name
        sha256 = batch.sha256
        exemptions = active_exemptions(session)
    progress = DatabaseProgress(database, batch_id, claim=claim)
    try:
        with Heartbeat(database, claim, beat_interval(settings)):
            stages = StageClock()  # the job's own steps, timed beside the engine's
            advance = progress.stage("screen.stage.lists", 1)
            lists = load_watchlists(list(settings.default_watchlists), settings)
            snapshot_lists(settings, lists)
            advance(1)
            stages.lap("lists")
            rules_dir = configured_rules(settings)
            parameters = parameters_override(settings)
            run = screen_stored(settings, path, original, sha256, lists, progress,
                                exemptions, rules_dir=rules_dir, rule_parameters=parameters)
            entries = hit_entries(lists, run.hits)
            rule_digest = snapshot_rules(settings, rules_dir, parameters)
            stages.lap("screening")
            # Resolving the batch's parties and the history-wide rules read other batches
            # and compute in Python: a helper thread does it while PostgreSQL stores the
            # batch's rows (each side waits on the other otherwise).
            records = batch_records(run.transactions, batch_id)
            helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"batch-{batch_id}")
            try:
                computed = helper.submit(compute_resolution, database, batch_id, records)
                across = helper.submit(across_batches, settings, database, batch_id, run,
                                       rules_dir, parameters)
                store_rows(database, claim, run, progress)
                stages.lap("store_rows")
                advance = progress.stage("store.stage.subjects", 1)
                resolved = store_resolution(database, batch_id, records, computed.result(),
                                            claim)
                stages.lap("subjects")
                if resolved is not None and resolved.review:
                    with database.transaction() as session:
                        require_claim(session, claim)
                        review_subjects(session, list(resolved.review))
                stages.lap("subject_review")
                advance(1)
                advance = progress.stage("store.stage.history", 1)
                history = across.result()
                advance(1)
                stages.lap("history_rules")
            finally:
                helper.shutdown(wait=True, cancel_futures=True)
            run.summary["stage_seconds"].update(stages.seconds)
            progress.stage("store.stage.alerts", run.alerts.height)
            with database.transaction() as session:
                load_results(session, session.get_one(Batch, batch_id), run, entries,
                             rule_digest=rule_digest, claim=claim, history_hits=history)
            stages.lap("load_results")
            refresh_statistics(database.engine, LOADED_TABLES + SUBJECT_TABLES)
            stages.lap("statistics")
            with database.transaction() as session:
                add_stage_seconds(session.get_one(Batch, batch_id), stages.seconds)
    except ClaimLostError:
        log.warning("batch %s: attempt %s lost its claim and stopped", batch_id,
                    claim.attempt)
    except AmlScreenError as exc:
        record_failure(database, claim, exc.key, exc.params, "batch")
    except Exception as exc:
        log.exception("screening job for batch %s crashed", batch_id)
        record_failure(database, claim, "job.crashed", {"detail": exc}, "batch")
        raise
