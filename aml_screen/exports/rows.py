"""The rows of an export, read from the store in chunks.

Both kinds are one SQL query ordered by id and read with ``yield_per`` (a server-side
cursor on PostgreSQL, SQLite's own stepping cursor), so memory holds one chunk whatever the
row count. Each row carries the versions that produced it: the list version (SHA-256 and its
date, from the batch's or the rescreen's ``list_versions``), the batch's rule digest and the
engine version; those come from a small per-batch cache, not a JSON join per row."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from aml_screen.exports.filters import ExportFilter
from aml_screen.store.models import (
    Alert,
    AlertLabel,
    Batch,
    Hit,
    Rescreen,
    Transaction,
    User,
)

Row = dict[str, Any]
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
CHUNK = 2000

HIT_COLUMNS = (
    "alert_id", "batch_id", "file_name", "transaction_id", "booked_at", "party_role",
    "party_name", "matched_name", "list_id", "list_version", "list_version_date", "entry_id",
    "programmes", "score", "status", "disposition", "closed_at", "assignee", "rule_digest",
    "engine_version",
)
ALERT_COLUMNS = (
    "alert_id", "subject_type", "subject_id", "subject_name", "risk_score", "typologies",
    "list_ids", "rule_ids", "hit_count", "status", "disposition", "close_reason",
    "created_at", "closed_at", "assignee", "batch_id", "file_name", "list_versions",
    "rule_digest", "engine_version",
)
COLUMNS = {"hits": HIT_COLUMNS, "alerts": ALERT_COLUMNS}


def _label(kind: str, value: str) -> ColumnElement[bool]:
    return select(AlertLabel.alert_id).where(
        AlertLabel.alert_id == Alert.id, AlertLabel.kind == kind,
        AlertLabel.value == value).exists()


def _filtered(query: Q, flt: ExportFilter, kind: str) -> Q:
    if flt.date_from is not None:
        query = query.where(Alert.created_at >= datetime.combine(flt.date_from, time(), UTC))
    if flt.date_to is not None:
        end = datetime.combine(flt.date_to + timedelta(days=1), time(), UTC)
        query = query.where(Alert.created_at < end)
    if flt.batch_id is not None:
        query = query.where(Alert.batch_id == flt.batch_id)
    if flt.list_id is not None:
        # A hit row belongs to one list; an alert row is kept when any of its hits does.
        query = query.where(Hit.list_id == flt.list_id if kind == "hits"
                            else _label("list", flt.list_id))
    if flt.rule_id is not None:
        query = query.where(_label("rule", flt.rule_id))
    if flt.typology is not None:
        query = query.where(_label("typology", flt.typology))
    if flt.status is not None:
        query = query.where(Alert.status == flt.status)
    if flt.disposition is not None:
        query = query.where(Alert.disposition == flt.disposition)
    return query


def _booked_at() -> Any:
    return (select(Transaction.booked_at)
            .where(Transaction.batch_id == Alert.batch_id,
                   Transaction.transaction_id == Hit.transaction_id)
            .limit(1).scalar_subquery())


def hits_query(flt: ExportFilter) -> Select[*tuple[Any, ...]]:
    query = (select(Hit.alert_id, Alert.batch_id, Alert.rescreen_id, Hit.transaction_id,
                    _booked_at().label("booked_at"), Hit.party_role, Hit.party_name,
                    Hit.matched_name, Hit.list_id, Hit.list_version, Hit.entry_id,
                    Hit.programmes, Hit.score, Alert.status, Alert.disposition,
                    Alert.closed_at, User.username.label("assignee"))
             .join(Alert, Alert.id == Hit.alert_id)
             .outerjoin(User, User.id == Alert.assignee_id))
    return _filtered(query, flt, "hits").order_by(Hit.id)


def alerts_query(flt: ExportFilter) -> Select[*tuple[Any, ...]]:
    query = (select(Alert.id.label("alert_id"), Alert.batch_id, Alert.rescreen_id,
                    Alert.subject_type, Alert.subject_id, Alert.subject_name,
                    Alert.risk_score, Alert.typologies, Alert.list_ids, Alert.rule_ids,
                    Alert.hit_count, Alert.status, Alert.disposition, Alert.close_reason,
                    Alert.created_at, Alert.closed_at, User.username.label("assignee"))
             .outerjoin(User, User.id == Alert.assignee_id))
    return _filtered(query, flt, "alerts").order_by(Alert.id)


def count_rows(session: Session, kind: str, flt: ExportFilter) -> int:
    """How many rows the export holds (for the progress bar and the PDF's cap notice)."""
    if kind == "hits":
        query = _filtered(select(func.count(Hit.id)).join(Alert, Alert.id == Hit.alert_id),
                          flt, kind)
    else:
        query = _filtered(select(func.count(Alert.id)), flt, kind)
    return session.scalar(query) or 0


@dataclass(frozen=True)
class BatchVersions:
    file_name: str
    rule_digest: str | None
    engine_version: str | None
    lists: list[dict[str, Any]]
    """The batch's ``list_versions`` entries (``list_id``, ``sha256``, ``version_date``...)."""

    def version_date(self, sha256: str) -> str | None:
        for entry in self.lists:
            if entry.get("sha256") == sha256:
                date = entry.get("version_date")
                return str(date) if date else None
        return None

    def described(self) -> str:
        """``list_id sha256 (date)`` of every list screened against, ``|``-separated."""
        return "|".join(
            f"{entry.get('list_id')} {entry.get('sha256')}"
            + (f" ({entry['version_date']})" if entry.get("version_date") else "")
            for entry in self.lists)


class VersionBook:
    """Versions per (batch, rescreen), read once each. Batches are few next to their hits,
    so this cache stays small while the rows stream past."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._known: dict[tuple[int, int | None], BatchVersions] = {}

    def get(self, batch_id: int, rescreen_id: int | None) -> BatchVersions:
        key = (batch_id, rescreen_id)
        if key not in self._known:
            batch = self._session.execute(
                select(Batch.file_name, Batch.rule_digest, Batch.summary, Batch.list_versions)
                .where(Batch.id == batch_id)).one()
            lists = list(batch.list_versions or [])
            if rescreen_id is not None:
                # Alerts of a rescreen were produced by the rescreen's (newer) lists; a
                # list the rescreen did not name stayed at the batch's version.
                newer = list(self._session.scalar(
                    select(Rescreen.list_versions).where(Rescreen.id == rescreen_id)) or [])
                renewed = {entry.get("list_id") for entry in newer}
                lists = newer + [entry for entry in lists if entry.get("list_id") not in renewed]
            engine = (batch.summary or {}).get("engine_version")
            self._known[key] = BatchVersions(batch.file_name, batch.rule_digest,
                                             str(engine) if engine else None, lists)
        return self._known[key]


def _hit_row(row: Any, versions: BatchVersions) -> Row:
    return {
        "alert_id": row.alert_id, "batch_id": row.batch_id, "file_name": versions.file_name,
        "transaction_id": row.transaction_id, "booked_at": row.booked_at,
        "party_role": row.party_role, "party_name": row.party_name,
        "matched_name": row.matched_name, "list_id": row.list_id,
        "list_version": row.list_version,
        "list_version_date": versions.version_date(row.list_version),
        "entry_id": row.entry_id, "programmes": list(row.programmes or []),
        "score": row.score, "status": row.status, "disposition": row.disposition,
        "closed_at": row.closed_at, "assignee": row.assignee,
        "rule_digest": versions.rule_digest, "engine_version": versions.engine_version,
    }


def _alert_row(row: Any, versions: BatchVersions) -> Row:
    return {
        "alert_id": row.alert_id, "subject_type": row.subject_type,
        "subject_id": row.subject_id, "subject_name": row.subject_name,
        "risk_score": row.risk_score, "typologies": list(row.typologies or []),
        "list_ids": list(row.list_ids or []), "rule_ids": list(row.rule_ids or []),
        "hit_count": row.hit_count, "status": row.status, "disposition": row.disposition,
        "close_reason": row.close_reason, "created_at": row.created_at,
        "closed_at": row.closed_at, "assignee": row.assignee, "batch_id": row.batch_id,
        "file_name": versions.file_name, "list_versions": versions.described(),
        "rule_digest": versions.rule_digest, "engine_version": versions.engine_version,
    }


def iter_rows(session: Session, kind: str, flt: ExportFilter, *, chunk: int = CHUNK,
              limit: int | None = None,
              on_chunk: Callable[[int], None] | None = None) -> Generator[Row, None, None]:
    """The export's rows in id order, fetched ``chunk`` at a time; ``on_chunk`` is told how
    many rows each chunk holds as it is fetched; ``limit`` stops early (the PDF's cap).
    Close the generator (``contextlib.closing``) when not reading it to the end."""
    query = hits_query(flt) if kind == "hits" else alerts_query(flt)
    if limit is not None:
        query = query.limit(limit)
    make = _hit_row if kind == "hits" else _alert_row
    book = VersionBook(session)
    result = session.execute(query.execution_options(yield_per=chunk))
    try:
        for part in result.partitions():
            if on_chunk is not None:
                on_chunk(len(part))
            for row in part:
                yield make(row, book.get(row.batch_id, row.rescreen_id))
    finally:
        result.close()
