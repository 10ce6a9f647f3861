"""Registering uploaded batches and loading a screening run's results into the store.

``load_run`` runs inside the caller's transaction, so a run is stored whole or not at all,
and it is idempotent: a batch already loaded is left as it is, and alerts are keyed by
``alert_id`` (derived from the files' SHA-256 and the subject), so loading the same file
again never duplicates an alert.

The screening job stores in two steps instead, so the page sees storing advance and other
writers are not locked out of SQLite for the whole load: ``store_rows`` writes the
transactions and quarantined rows in chunks, one transaction each, after removing whatever
an interrupted attempt left; then ``load_results`` stores alerts, hits, rule hits and the
batch's new state in one transaction, which is also the one that records ``batch.loaded``
— so a retried job leaves exactly the rows and events of an uninterrupted one. Every write
of the job checks its claim (``store/jobs.py``): an attempt that lost it writes nothing.

Alerts, their labels, hits and rule hits are written a table at a time (``bulk_insert``:
``COPY`` on PostgreSQL), the new alerts' ids read back by key: an ORM object per alert
cost 1.3-2.4 ms each on PostgreSQL, a delta re-screen of 3,580 alerts half a minute.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from aml_screen.alerts import alert_subject, roll_up
from aml_screen.exemptions import listed_entries
from aml_screen.ingest.records import AGENT_COLUMNS, REPORT_COLUMNS
from aml_screen.pipeline import ScreeningRun, list_names
from aml_screen.progress import Progress
from aml_screen.schema import (
    HIT_SCHEMA,
    NOTES_COLUMN,
    PARTY_SCHEMA,
    RULE_HIT_SCHEMA,
    TRANSACTION_SCHEMA,
    conform,
)
from aml_screen.store.alert_labels import label_rows
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.bulk import bulk_insert
from aml_screen.store.copy_out import read_in_lists
from aml_screen.store.database import Database
from aml_screen.store.errors import NotFoundError
from aml_screen.store.jobs import Claim, require_claim
from aml_screen.store.models import (
    Alert,
    AlertLabel,
    Batch,
    Hit,
    ListedEntry,
    QuarantineRow,
    RuleHit,
    Transaction,
    User,
)
from aml_screen.store.party_names import remember_names
from aml_screen.store.subject_review import review_subjects
from aml_screen.store.subjects import (
    batch_records,
    resolve_in_session,
    same_party_names,
    store_alert_subjects,
)
from aml_screen.store.upsert import dialect_insert
from aml_screen.store.version_changes import record_version_changes
from aml_screen.store.webhook_outbox import alerts_created, batch_screened
from aml_screen.watchlists.loader import Watchlist

_TRANSACTION_COLUMNS = [c for c in TRANSACTION_SCHEMA if c != "source_file"]
_OPTIONAL_COLUMNS = [*PARTY_SCHEMA, NOTES_COLUMN, *REPORT_COLUMNS, *AGENT_COLUMNS]
"""Party details, ingest notes, report facts and BICs: stored when the batch had them."""
STORE_CHUNK = 10_000
"""Rows written per transaction by ``store_rows``."""


def _stored_transactions(transactions: pl.DataFrame) -> pl.DataFrame:
    present = [c for c in _OPTIONAL_COLUMNS if c in transactions.columns]
    return transactions.select(*_TRANSACTION_COLUMNS, *present)


def get_batch(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFoundError("batch.not_found", batch_id=batch_id)
    return batch


def register_batch(session: Session, file_name: str, sha256: str, size_bytes: int,
                   uploader: User | None, label: str | None = None) -> tuple[Batch, bool]:
    """The batch for this file: a new one (queued), or the one already holding the same
    content (``created`` False), whatever its file name was then. Uploads of one file at
    the same moment all get the one batch: the insert does nothing when the SHA-256 is
    taken (waiting for the transaction taking it), and the row is then read back."""
    same_content = select(Batch).where(Batch.sha256 == sha256)
    existing = session.scalar(same_content)
    if existing is not None:
        return existing, False
    created = session.scalar(
        dialect_insert(session, Batch)
        .values(file_name=file_name[:255], sha256=sha256, size_bytes=size_bytes,
                uploaded_by_id=uploader.id if uploader else None, status="queued",
                queued_at=utcnow(), label=label[:200] if label else None)
        .on_conflict_do_nothing(index_elements=["sha256"])
        .returning(Batch.id))
    batch = session.scalars(same_content).one()
    if created is None:
        return batch, False
    record(session, uploader, "batch.upload", "batch", batch.id,
           after={"file_name": batch.file_name, "sha256": sha256, "size_bytes": size_bytes,
                  **({"label": batch.label} if batch.label else {})})
    return batch, True


def hit_entries(watchlists: Sequence[Watchlist], hits: pl.DataFrame) -> pl.DataFrame:
    """One row per listed entry that was hit, with all its names and attributes."""
    if hits.is_empty() or not watchlists:
        return pl.DataFrame()
    return listed_entries(list_names(watchlists), hits)


def load_run(session: Session, batch: Batch, run: ScreeningRun,
             entries: pl.DataFrame | None = None, rule_digest: str | None = None) -> int:
    """Store a run of ``batch``: transactions, quarantine, alerts with their hits and rule
    hits, and the listed entries hit. Returns how many alerts were new."""
    if batch.status == "done":
        return 0
    _insert_frame(session, Transaction, _stored_transactions(run.transactions), batch.id)
    remember_names(session, run.transactions)
    _insert_frame(session, QuarantineRow, _stored_quarantine(run.quarantine), batch.id)
    resolved = resolve_in_session(session, batch.id, batch_records(run.transactions, batch.id))
    if resolved is not None and resolved.review:
        review_subjects(session, list(resolved.review))
    return load_results(session, batch, run, entries, rule_digest)


def store_rows(database: Database, claim: Claim, run: ScreeningRun,
               progress: Progress) -> None:
    """The transactions and quarantined rows of a screening attempt (``claim`` on the
    batch), in transactions of ``STORE_CHUNK`` rows, each checking the claim, after the
    rows a killed attempt left were removed; progress by stage and count."""
    batch_id = claim.job_id
    with database.transaction() as session:
        require_claim(session, claim)
        session.execute(delete(Transaction).where(Transaction.batch_id == batch_id))
        session.execute(delete(QuarantineRow).where(QuarantineRow.batch_id == batch_id))
    frames = (("store.stage.transactions", Transaction, _stored_transactions(run.transactions)),
              ("store.stage.quarantine", QuarantineRow, _stored_quarantine(run.quarantine)))
    for label, model, frame in frames:
        if frame.is_empty():
            continue
        advance = progress.stage(label, frame.height)
        for chunk in frame.iter_slices(STORE_CHUNK):
            with database.transaction() as session:
                _insert_frame(session, model, chunk, batch_id)
                if model is Transaction:
                    remember_names(session, chunk)
                require_claim(session, claim)  # last, not to block the heartbeat meanwhile
            advance(chunk.height)


def load_results(session: Session, batch: Batch, run: ScreeningRun,
                 entries: pl.DataFrame | None = None, rule_digest: str | None = None,
                 claim: Claim | None = None, history_hits: pl.DataFrame | None = None) -> int:
    """Everything of a run but its rows (``store_rows``): listed entries, alerts, hits,
    rule hits, the batch done with its summary, ``batch.loaded``, and the webhook events of
    the new alerts and of the batch screened. With the attempt's
    ``claim``, the claim is checked (and the row locked) last, so the long inserts never
    block the heartbeat; a lost claim rolls everything back. Returns the new alerts."""
    if batch.status == "done":
        return 0
    if entries is not None and not entries.is_empty():
        _store_entries(session, entries)
    alerts, rule_hits = run.alerts, run.rule_hits
    if history_hits is not None and not history_hits.is_empty():
        rule_hits = pl.concat([rule_hits, history_hits.select(rule_hits.columns)])
    same_party = same_party_names(session, batch.id, alerts, run.transactions)
    if not same_party.is_empty() or rule_hits.height > run.rule_hits.height:
        # Spellings of one subject make one alert; patterns across batches add reasons.
        alerts = roll_up(run.hits, rule_hits, run.summary["batch_key"], same_party)
    new = _store_alerts(session, batch, alerts, run.transactions)
    _store_hits(session, run.hits, new, same_party)
    _store_rule_hits(session, rule_hits, new, same_party)
    store_alert_subjects(session, batch.id, alerts, run.transactions, new, same_party)
    if claim is not None:
        require_claim(session, claim)
    # The alerts and rule hits as stored: spellings of one subject rolled up into one
    # alert, rules over the history added (the engine's summary counts the batch alone).
    summary = {**run.summary, "alerts": alerts.height, "rule_hits": rule_hits.height}
    batch.status = "done"
    batch.claim_token = None
    batch.batch_key = summary.get("batch_key")
    batch.rows_read = summary.get("rows_read")
    batch.rows_loaded = summary.get("rows_loaded")
    batch.rows_quarantined = summary.get("rows_quarantined")
    batch.list_versions = summary.get("list_versions")
    batch.rule_digest = rule_digest
    batch.summary = json.loads(json.dumps(summary, default=str))
    batch.finished_at = utcnow()
    record(session, None, "batch.loaded", "batch", batch.id,
           after={"alerts": new.height, "rows_loaded": batch.rows_loaded,
                  "rows_quarantined": batch.rows_quarantined})
    record_version_changes(session, batch)
    batch_screened(session, batch.id)
    return new.height


def add_stage_seconds(batch: Batch, seconds: dict[str, float]) -> None:
    """Add the job's timings of steps that end after ``load_results`` stored the summary
    (``summary["stage_seconds"]``: where a slow load went)."""
    summary = dict(batch.summary or {})
    summary["stage_seconds"] = {**summary.get("stage_seconds", {}), **seconds}
    batch.summary = summary


def store_new_alerts(session: Session, batch: Batch, alerts: pl.DataFrame,
                     hits: pl.DataFrame, entries: pl.DataFrame | None,
                     transactions: pl.DataFrame, rescreen_id: int | None) -> int:
    """Store ``alerts`` not stored yet with their ``hits`` and listed ``entries`` (a
    re-screen's alerts carry its id); ``transactions`` (the batch's) give the alerts'
    countries. Returns how many were new."""
    if entries is not None and not entries.is_empty():
        _store_entries(session, entries)
    new = _store_alerts(session, batch, alerts, transactions, rescreen_id)
    _store_hits(session, hits, new)
    store_alert_subjects(session, batch.id, alerts, transactions, new)
    return new.height


def _stored_quarantine(quarantine: pl.DataFrame) -> pl.DataFrame:
    return quarantine.select("line_number", "transaction_id", "reason_code", "reason", "raw",
                             "reason_params", "repeats")


def _insert_frame(session: Session, model: type[Any], frame: pl.DataFrame,
                  batch_id: int) -> None:
    bulk_insert(session, model, frame.with_columns(batch_id=pl.lit(batch_id)))


def _store_entries(session: Session, entries: pl.DataFrame) -> None:
    wanted = entries.select("list_version", "list_id", "entry_id").rows()
    stored = set(session.execute(
        select(ListedEntry.list_version, ListedEntry.list_id, ListedEntry.entry_id)
        .where(tuple_(ListedEntry.list_version, ListedEntry.list_id, ListedEntry.entry_id)
               .in_(wanted))))
    rows = [row for row in entries.to_dicts()
            if (row["list_version"], row["list_id"], row["entry_id"]) not in stored]
    if rows:
        session.execute(insert(ListedEntry), rows)


NEW_ALERTS: dict[str, pl.DataType] = {
    "alert_id": pl.String(), "db_id": pl.Int64(), "subject_type": pl.String(),
    "subject_id": pl.String()}
"""The alerts ``_store_alerts`` created: key, database id and subject."""
_STORED_IDS = {"alert_id": pl.String(), "db_id": pl.Int64()}


def _store_alerts(session: Session, batch: Batch, alerts: pl.DataFrame,
                  transactions: pl.DataFrame, rescreen_id: int | None = None,
                  ) -> pl.DataFrame:
    """Insert the alerts not stored yet, with their labels, in one bulk write each; returns
    them (``NEW_ALERTS``). Ids are read back by alert key (unique), whatever else the
    batch or other batches loading meanwhile hold."""
    known = _stored_ids(session, alerts.get_column("alert_id"))
    fresh = alerts.join(known, on="alert_id", how="anti", maintain_order="left")
    bulk_insert(session, Alert, _alert_rows(fresh, batch.id, rescreen_id))
    ids = _stored_ids(session, fresh.get_column("alert_id"))
    new = fresh.join(ids, on="alert_id").select(list(NEW_ALERTS)).sort("db_id")
    alerts_created(session, new.get_column("db_id").to_list())
    bulk_insert(session, AlertLabel, label_rows(fresh, transactions).join(new, on="alert_id")
                .select(alert_id="db_id", kind="kind", value="value"))
    return new


def _stored_ids(session: Session, keys: pl.Series) -> pl.DataFrame:
    """(``alert_id`` key, ``db_id``) of the stored alerts among ``keys``: in ``IN``
    lists, as a re-screen stores a few alerts in each of many batches."""
    return read_in_lists(session, select(Alert.alert_key, Alert.id), Alert.alert_key, keys,
                         _STORED_IDS)


def _alert_rows(alerts: pl.DataFrame, batch_id: int, rescreen_id: int | None
                ) -> pl.DataFrame:
    """``alerts`` (``ALERT_SCHEMA``) as rows of ``Alert``, new: status ``new`` at version 1
    (the ORM's version counter starts there), created and updated now."""
    now = utcnow()
    return alerts.select(
        "subject_type", "subject_id", "subject_name", "risk_score", "max_match_score",
        "hit_count", "rule_ids", "list_ids", "typologies", "transaction_ids", "reasons",
        alert_key="alert_id", batch_id=pl.lit(batch_id),
        status=pl.lit("new"), rescreen_id=pl.lit(rescreen_id, pl.Int64()),
        created_at=pl.lit(now, pl.Datetime("us", "UTC")),
        updated_at=pl.lit(now, pl.Datetime("us", "UTC")), version=pl.lit(1))


def _store_hits(session: Session, hits: pl.DataFrame, new: pl.DataFrame,
                same_party: pl.DataFrame | None = None) -> None:
    """The watchlist ``hits`` of the ``new`` alerts (``NEW_ALERTS``), each on the party
    alert of its (rolled-up) normalised name."""
    if hits.is_empty() or new.is_empty():
        return
    parties = new.filter(pl.col("subject_type") == "party")
    joined = conform(hits, HIT_SCHEMA).with_columns(
        _alert_subject=alert_subject(pl.col("party_name_normalised"), same_party)).join(
        parties.select("subject_id", "db_id"), left_on="_alert_subject",
        right_on="subject_id")
    bulk_insert(session, Hit, joined.select(
        *HIT_SCHEMA, alert_id="db_id").with_columns(
        programmes=pl.col("programmes").fill_null([]), topics=pl.col("topics").fill_null([]),
        relation=pl.col("relation").fill_null("")))


def _store_rule_hits(session: Session, rule_hits: pl.DataFrame, new: pl.DataFrame,
                     same_party: pl.DataFrame | None = None) -> None:
    """The ``rule_hits`` of the ``new`` alerts (``NEW_ALERTS``), each on the alert of its
    subject (a party's rolled up)."""
    if rule_hits.is_empty() or new.is_empty():
        return
    under = pl.when(pl.col("subject_type") == "party").then(
        alert_subject(pl.col("subject_id"), same_party)).otherwise("subject_id")
    joined = conform(rule_hits, RULE_HIT_SCHEMA).with_columns(_alert_subject=under).join(
        new.select("subject_type", "db_id", _alert_subject="subject_id"),
        on=["subject_type", "_alert_subject"])
    bulk_insert(session, RuleHit, joined.select(*RULE_HIT_SCHEMA, alert_id="db_id")
                .with_columns(transaction_ids=pl.col("transaction_ids").fill_null([])))
