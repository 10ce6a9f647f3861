"""Retention: personal data kept ``retention_years`` after a case or alert is closed, then
purged (FATF Recommendation 11 asks for at least five years).

What has expired at ``cutoff`` (now minus the period):

- a closed case closed before the cutoff;
- a finished batch none of whose alerts is still needed: every alert closed before the cutoff
  and in no case that has not itself expired (an open case, or one closed more recently);
  a batch without alerts expires when it finished before the cutoff;
- a closed alert of an expired batch or case that no live case holds;
- an exemption (remembered false positive) that expired before the cutoff.

Purging keeps what statistics, the dashboard and the audit trail need (ids, dates, statuses,
dispositions, scores, list and rule versions, SHA-256 digests) and removes the rest:
transactions and quarantine rows are deleted, names and free text are replaced by
``PLACEHOLDER``, evidence package contents are emptied, a batch's job error and the file
names of its run summary are dropped, an exemption keeps its party and entry digests only,
and the before/after of audit events about the purged alerts, cases, batches and exemptions
are redacted (``audit.redact_events``), so the chain still verifies. Uploaded files are
removed by the caller once the purge is committed (``upload_files``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    exists,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from aml_screen.store.audit import PURGE_ACTION, record, redact_events
from aml_screen.store.base import utcnow
from aml_screen.store.models import (
    Alert,
    AuditEvent,
    Batch,
    Case,
    CaseAlert,
    CaseNote,
    Comment,
    EvidencePackage,
    Exemption,
    Hit,
    QuarantineRow,
    Rescreen,
    RuleHit,
    Transaction,
)
from aml_screen.store.party_names import batch_names, forget_unused_names
from aml_screen.store.subjects import purge_batch_subjects

PURGED_TABLES = ("transactions", "quarantine_rows", "alerts", "hits", "rule_hits", "comments",
                 "cases", "case_notes", "evidence_packages", "batches", "rescreens",
                 "exemptions", "audit_events", "subjects", "party_subjects", "subject_links",
                 "subject_profiles", "subject_identifiers", "subject_counterparties",
                 "alert_subjects")
"""The tables a purge deletes from or overwrites (``Database.reclaim`` clears them after)."""
PLACEHOLDER = "[purged]"
"""What names and free text of purged records read afterwards."""
REASON_KEYS = frozenset({"kind", "list_id", "entry_id", "name_kind", "score", "programmes",
                         "rule_id", "typology", "severity", "contribution"})
"""What an alert's reasons keep once purged: which list entry or rule, and how much it
weighed; names and rule evidence (amounts, counterparts) go."""
_CHUNK = 500


def retention_cutoff(now: datetime, years: int) -> datetime:
    """``now`` minus ``years`` calendar years (29 February becomes 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


@dataclass(frozen=True)
class Span:
    """How many records of a kind, and the oldest/newest of their reference dates."""

    count: int
    oldest: datetime | None = None
    newest: datetime | None = None

    @classmethod
    def of(cls, dates: Sequence[datetime | None]) -> Span:
        known = [d for d in dates if d is not None]
        return cls(len(dates), min(known, default=None), max(known, default=None))


@dataclass(frozen=True)
class RetentionPlan:
    """What a purge at ``cutoff`` removes. ``spans`` has the expired cases, batches and
    alerts with their closing (or finishing) dates; ``rows`` the number of dependent rows
    touched per kind."""

    cutoff: datetime
    case_ids: tuple[int, ...]
    batch_ids: tuple[int, ...]
    alert_ids: tuple[int, ...]
    spans: dict[str, Span]
    rows: dict[str, int]
    exemption_ids: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.case_ids or self.batch_ids or self.alert_ids or self.exemption_ids)

    def summary(self) -> dict[str, Any]:
        """Counts and dates only (no personal data): what the audit event records."""
        return {
            "cutoff": self.cutoff.isoformat(timespec="seconds"),
            **{kind: span.count for kind, span in self.spans.items()},
            **self.rows,
            "oldest": _iso_date(min((s.oldest for s in self.spans.values() if s.oldest),
                                    default=None)),
            "newest": _iso_date(max((s.newest for s in self.spans.values() if s.newest),
                                    default=None)),
        }


def _iso_date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


def _expired_case(cutoff: datetime) -> ColumnElement[bool]:
    return and_(Case.status == "closed", Case.closed_at.is_not(None), Case.closed_at < cutoff)


def _alert_still_needed(cutoff: datetime) -> ColumnElement[bool]:
    """An alert that keeps its batch alive: not closed before the cutoff, or held by a case
    that has not expired."""
    live_cases = (select(CaseAlert.alert_id).join(Case, Case.id == CaseAlert.case_id)
                  .where(not_(_expired_case(cutoff))))
    return or_(Alert.status != "closed", Alert.closed_at.is_(None), Alert.closed_at >= cutoff,
               Alert.id.in_(live_cases))


def plan_purge(session: Session, now: datetime, years: int) -> RetentionPlan:
    """What has expired ``years`` before ``now``; reads only."""
    cutoff = retention_cutoff(now, years)
    cases = session.execute(select(Case.id, Case.closed_at)
                            .where(_expired_case(cutoff), Case.purged_at.is_(None))
                            .order_by(Case.id)).all()
    alert_in_batch = select(Alert.id).where(Alert.batch_id == Batch.id)
    last_closed = (select(func.max(Alert.closed_at)).where(Alert.batch_id == Batch.id)
                   .scalar_subquery())
    batches = session.execute(
        select(Batch.id, func.coalesce(last_closed, Batch.finished_at))
        .where(Batch.purged_at.is_(None), Batch.finished_at.is_not(None),
               ~exists(alert_in_batch.where(_alert_still_needed(cutoff))),
               or_(exists(alert_in_batch), Batch.finished_at < cutoff))
        .order_by(Batch.id)).all()
    case_ids = tuple(row.id for row in cases)
    batch_ids = tuple(row.id for row in batches)
    held_by_case = select(CaseAlert.alert_id).where(CaseAlert.case_id.in_(case_ids))
    alerts = session.execute(
        select(Alert.id, Alert.closed_at)
        .where(or_(Alert.batch_id.in_(batch_ids), Alert.id.in_(held_by_case)),
               Alert.status == "closed", ~_alert_still_needed(cutoff),
               Alert.subject_name != PLACEHOLDER)
        .order_by(Alert.id)).all()
    alert_ids = tuple(row.id for row in alerts)
    exemption_ids = tuple(session.scalars(
        select(Exemption.id).where(Exemption.expires_on < cutoff.date(),
                                   Exemption.party_name != PLACEHOLDER)
        .order_by(Exemption.id)))
    rows = {
        "transactions": _count(session, Transaction.batch_id, batch_ids),
        "quarantine_rows": _count(session, QuarantineRow.batch_id, batch_ids),
        "hits": _count(session, Hit.alert_id, alert_ids),
        "rule_hits": _count(session, RuleHit.alert_id, alert_ids),
        "comments": _count(session, Comment.alert_id, alert_ids),
        "case_notes": _count(session, CaseNote.case_id, case_ids),
        "evidence_packages": _count(session, EvidencePackage.case_id, case_ids),
        "exemptions": len(exemption_ids),
        "audit_events": len(_event_ids(session, case_ids, batch_ids, alert_ids,
                                       exemption_ids)),
    }
    spans = {"cases": Span.of([row.closed_at for row in cases]),
             "batches": Span.of([row[1] for row in batches]),
             "alerts": Span.of([row.closed_at for row in alerts])}
    return RetentionPlan(cutoff, case_ids, batch_ids, alert_ids, spans, rows, exemption_ids)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start:start + _CHUNK])


def _count(session: Session, column: Any, ids: Sequence[int]) -> int:
    return sum(session.scalar(select(func.count()).where(column.in_(chunk))) or 0
               for chunk in _chunks(ids))


def _event_ids(session: Session, case_ids: Sequence[int], batch_ids: Sequence[int],
               alert_ids: Sequence[int], exemption_ids: Sequence[int]) -> list[int]:
    """Audit events whose object is one of the purged cases, batches, alerts or exemptions
    and whose payload is still there."""
    found: list[int] = []
    for object_type, ids in (("case", case_ids), ("batch", batch_ids), ("alert", alert_ids),
                             ("exemption", exemption_ids)):
        for chunk in _chunks(ids):
            found += session.scalars(
                select(AuditEvent.id).where(AuditEvent.object_type == object_type,
                                            AuditEvent.object_id.in_([str(i) for i in chunk]),
                                            AuditEvent.redacted_at.is_(None))).all()
    return sorted(found)


def purge(session: Session, plan: RetentionPlan) -> dict[str, Any]:
    """Carry out ``plan`` in the caller's transaction and record ``retention.purged``
    (counts and dates only). Returns that summary, with ``audit_events`` the number of
    events actually redacted (events of chain version 1 cannot be)."""
    now = utcnow()
    event_ids = _event_ids(session, plan.case_ids, plan.batch_ids, plan.alert_ids,
                           plan.exemption_ids)
    for chunk in _chunks(plan.alert_ids):
        _purge_alerts(session, chunk)
    for chunk in _chunks(plan.case_ids):
        _purge_cases(session, chunk, now)
    for chunk in _chunks(plan.batch_ids):
        _purge_batches(session, chunk, now)
    for chunk in _chunks(plan.exemption_ids):
        session.execute(update(Exemption).where(Exemption.id.in_(chunk)).values(
            party_name=PLACEHOLDER, party_details={}, reason=PLACEHOLDER,
            version=Exemption.version + 1).execution_options(synchronize_session=False))
    summary = plan.summary()
    redaction = redact_events(session, event_ids)
    summary["audit_events"] = redaction.count
    summary["audit_events_kept"] = len(event_ids) - redaction.count
    summary["redacted_digest"] = redaction.digest
    session.expire_all()
    purge_event = record(session, None, PURGE_ACTION, "retention", summary["cutoff"],
                         after=summary)
    if purge_event.seq != redaction.purge_seq:  # a bug: nothing may record in between
        raise AssertionError("the purge event did not take the seq its redactions name")
    return summary


def _purge_batches(session: Session, batch_ids: list[int], now: datetime) -> None:
    """Rows deleted, file names and job errors (which may quote a row) dropped; the run
    summary keeps its counts, list versions and digests, not the files' names."""
    purge_batch_subjects(session, batch_ids)
    names = batch_names(session, batch_ids)
    session.execute(delete(Transaction).where(Transaction.batch_id.in_(batch_ids)))
    forget_unused_names(session, names)
    session.execute(delete(QuarantineRow).where(QuarantineRow.batch_id.in_(batch_ids)))
    summaries = session.execute(select(Batch.id, Batch.summary)
                                .where(Batch.id.in_(batch_ids))).all()
    for row in summaries:
        session.execute(update(Batch).where(Batch.id == row.id).values(
            file_name=PLACEHOLDER, label=None, error_params=None, purged_at=now,
            summary=_summary_without_files(row.summary)))
    session.execute(update(Rescreen).where(Rescreen.batch_id.in_(batch_ids))
                    .values(error_params=None))


def _summary_without_files(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    batches = [{**item, "file": PLACEHOLDER,
                **({"members": [{**m, "file": PLACEHOLDER} for m in item["members"]]}
                   if item.get("members") else {})} if isinstance(item, dict) else item
               for item in summary.get("batches", [])]
    return {**summary, "batches": batches} if "batches" in summary else summary


def _purge_alerts(session: Session, alert_ids: list[int]) -> None:
    alerts = session.execute(select(Alert.id, Alert.reasons, Alert.close_reason)
                             .where(Alert.id.in_(alert_ids))).all()
    for row in alerts:
        session.execute(
            update(Alert).where(Alert.id == row.id)
            .values(subject_name=PLACEHOLDER, subject_id=PLACEHOLDER,
                    reasons=[{k: v for k, v in reason.items() if k in REASON_KEYS}
                             for reason in row.reasons],
                    close_reason=PLACEHOLDER if row.close_reason is not None else None,
                    version=Alert.version + 1)
            .execution_options(synchronize_session=False))
    session.execute(update(Hit).where(Hit.alert_id.in_(alert_ids)).values(
        party_name=PLACEHOLDER, party_name_normalised=PLACEHOLDER, matched_name=PLACEHOLDER,
        matched_name_normalised=PLACEHOLDER, explanation={}))
    session.execute(update(RuleHit).where(RuleHit.alert_id.in_(alert_ids)).values(
        subject_id=PLACEHOLDER, subject_name=None, evidence={}))
    session.execute(update(Comment).where(Comment.alert_id.in_(alert_ids))
                    .values(body=PLACEHOLDER))


def _purge_cases(session: Session, case_ids: list[int], now: datetime) -> None:
    session.execute(
        update(Case).where(Case.id.in_(case_ids))
        .values(title=PLACEHOLDER, subject_id=PLACEHOLDER, subject_name=PLACEHOLDER,
                narrative=None, purged_at=now, version=Case.version + 1)
        .execution_options(synchronize_session=False))
    session.execute(update(CaseNote).where(CaseNote.case_id.in_(case_ids))
                    .values(body=PLACEHOLDER))
    packages = session.execute(select(EvidencePackage.id, EvidencePackage.manifest)
                               .where(EvidencePackage.case_id.in_(case_ids))).all()
    for row in packages:
        session.execute(update(EvidencePackage).where(EvidencePackage.id == row.id).values(
            content=b"", file_name=PLACEHOLDER, manifest=digests_only(row.manifest) or {}))


def digests_only(value: Any) -> Any:
    """What is left of a manifest once purged: only its SHA-256 digests (any key holding
    ``sha256``), in the same nesting; None when nothing is left."""
    if isinstance(value, dict):
        kept = {key: (item if "sha256" in str(key) else digests_only(item))
                for key, item in value.items()}
        kept = {key: item for key, item in kept.items() if item not in (None, {}, [])}
        return kept or None
    if isinstance(value, list):
        items = [digests_only(item) for item in value]
        return [item for item in items if item is not None] or None
    return None


def upload_files(session: Session, batch_ids: Sequence[int]) -> list[tuple[str, str]]:
    """(sha256, original file name) of the batches' uploads, read before the purge renames
    them; the caller deletes the files after commit."""
    found: list[tuple[str, str]] = []
    for chunk in _chunks(batch_ids):
        found += [(row.sha256, row.file_name) for row in session.execute(
            select(Batch.sha256, Batch.file_name).where(Batch.id.in_(chunk)))]
    return found


def remove_files(paths: Iterable[Path]) -> int:
    """Delete the given files; returns how many existed."""
    removed = 0
    for path in paths:
        if path.is_file():
            path.unlink()
            removed += 1
    return removed
