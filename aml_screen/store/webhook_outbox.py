"""Recording webhook events: each event becomes one outbox row (``WebhookDelivery``) per
active endpoint subscribed to it, written in the caller's transaction — the transaction of
the change the event tells of — so an event is owed exactly when its change is committed,
and sending it (``jobs/webhooks.py``) never holds or fails that change.

A body holds the event's type, id and time, and under ``data`` the object's identifiers and
a short summary: never a name or an account (a receiver fetches more through the API, with
a token of its own)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aml_screen.store.base import utcnow
from aml_screen.store.copy_out import IN_CHUNK
from aml_screen.store.models import (
    TEST_EVENT,
    Alert,
    Batch,
    EvidencePackage,
    WebhookDelivery,
    WebhookEndpoint,
)


def _instant(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def event_body(event_type: str, event_id: str, occurred_at: datetime,
               data: Mapping[str, Any]) -> str:
    """The JSON text sent (and signed) at every attempt."""
    return json.dumps({"id": event_id, "type": event_type,
                       "occurred_at": _instant(occurred_at), "data": data},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _subscribers(session: Session, event_type: str) -> list[tuple[int, float]]:
    """(id, min_risk) of the active endpoints subscribed to ``event_type`` (few rows: the
    subscription list is read here rather than in SQL, which words JSON differently on
    each database)."""
    rows = session.execute(select(WebhookEndpoint.id, WebhookEndpoint.events,
                                  WebhookEndpoint.min_risk)
                           .where(WebhookEndpoint.active.is_(True))
                           .order_by(WebhookEndpoint.id))
    return [(endpoint_id, min_risk) for endpoint_id, events, min_risk in rows
            if event_type in events]


def _owe(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(WebhookDelivery), rows)


def _delivery(endpoint_id: int, event_type: str, event_id: str, body: str,
              now: datetime) -> dict[str, Any]:
    return {"endpoint_id": endpoint_id, "event_id": event_id, "event_type": event_type,
            "body": body, "created_at": now, "status": "pending", "attempts": 0,
            "next_attempt_at": now}


def _record(session: Session, event_type: str, occurred_at: datetime,
            data: Mapping[str, Any], endpoints: Iterable[int]) -> None:
    """One event, owed to ``endpoints`` (one event id for all of them)."""
    event_id = uuid.uuid4().hex
    body = event_body(event_type, event_id, occurred_at, data)
    now = utcnow()
    _owe(session, [_delivery(endpoint_id, event_type, event_id, body, now)
                   for endpoint_id in endpoints])


def batch_screened(session: Session, batch_id: int) -> None:
    """``batch.screened``: the batch's screening job ended, ``done`` or ``failed`` (read
    from the row as the caller's UPDATE left it)."""
    endpoints = _subscribers(session, "batch.screened")
    if not endpoints:
        return
    row = session.execute(select(
        Batch.status, Batch.sha256, Batch.rows_read, Batch.rows_loaded,
        Batch.rows_quarantined, Batch.error_key, Batch.finished_at, Batch.summary)
        .where(Batch.id == batch_id)).one()
    data: dict[str, Any] = {"batch": {
        "id": batch_id, "status": row.status, "sha256": row.sha256,
        "rows_read": row.rows_read, "rows_loaded": row.rows_loaded,
        "rows_quarantined": row.rows_quarantined,
        "alerts": (row.summary or {}).get("alerts") if row.status == "done" else None,
        "error": row.error_key}}
    _record(session, "batch.screened", row.finished_at or utcnow(), data,
            (endpoint_id for endpoint_id, _ in endpoints))


def _alert_data(alert: Alert) -> dict[str, Any]:
    return {"id": alert.id, "alert_key": alert.alert_key, "batch_id": alert.batch_id,
            "subject_type": alert.subject_type, "risk_score": alert.risk_score,
            "hit_count": alert.hit_count, "list_ids": list(alert.list_ids or []),
            "rule_ids": list(alert.rule_ids or []),
            "typologies": list(alert.typologies or []), "status": alert.status,
            "disposition": alert.disposition, "version": alert.version}


def alerts_created(session: Session, alert_ids: Sequence[int]) -> None:
    """``alert.created`` for each new alert (``alert_ids``, stored in bulk), to the
    endpoints whose ``min_risk`` it reaches (one event per alert). The alerts are read
    only when some endpoint is subscribed."""
    endpoints = _subscribers(session, "alert.created")
    if not endpoints:
        return
    now = utcnow()
    rows = []
    for alert in _alerts(session, alert_ids):
        wanted = [endpoint_id for endpoint_id, min_risk in endpoints
                  if alert.risk_score >= min_risk]
        if not wanted:
            continue
        event_id = uuid.uuid4().hex
        body = event_body("alert.created", event_id, alert.created_at or now,
                          {"alert": _alert_data(alert)})
        rows += [_delivery(endpoint_id, "alert.created", event_id, body, now)
                 for endpoint_id in wanted]
    _owe(session, rows)


def _alerts(session: Session, alert_ids: Sequence[int]) -> list[Alert]:
    """The alerts of ``alert_ids`` (ascending), in id order."""
    return [alert for start in range(0, len(alert_ids), IN_CHUNK)
            for alert in session.scalars(select(Alert).where(
                Alert.id.in_(alert_ids[start:start + IN_CHUNK])).order_by(Alert.id))]


def alerts_decided(session: Session, alerts: Iterable[Alert]) -> None:
    """``alert.decided`` for each alert closed with a disposition (one event per alert)."""
    endpoints = [endpoint_id for endpoint_id, _ in _subscribers(session, "alert.decided")]
    if endpoints:
        for alert in alerts:
            _record(session, "alert.decided", alert.closed_at or utcnow(),
                    {"alert": _alert_data(alert)}, endpoints)


def evidence_approved(session: Session, package: EvidencePackage) -> None:
    """``evidence.approved``: a supervisor approved an evidence package (its SHA-256 is the
    one of the file they approved)."""
    endpoints = _subscribers(session, "evidence.approved")
    if endpoints:
        _record(session, "evidence.approved", package.approved_at or utcnow(),
                {"evidence_package": {
                    "id": package.id, "case_id": package.case_id,
                    "case_version": package.case_version, "sha256": package.sha256,
                    "size_bytes": package.size_bytes, "language": package.language}},
                (endpoint_id for endpoint_id, _ in endpoints))


def owe_test_event(session: Session, endpoint_id: int) -> WebhookDelivery:
    """``webhook.test`` owed to one endpoint, whatever it subscribed to."""
    event_id = uuid.uuid4().hex
    now = utcnow()
    delivery = WebhookDelivery(**_delivery(
        endpoint_id, TEST_EVENT, event_id,
        event_body(TEST_EVENT, event_id, now, {"endpoint": {"id": endpoint_id}}), now))
    session.add(delivery)
    session.flush()
    return delivery
