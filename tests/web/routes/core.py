"""Log-in, alerts and batches."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from aml_screen.store.models import Alert
from tests.web.client import database

ROUTES = [
    ("GET", "/login", None, {}),
    ("POST", "/login", None, {"username": "x", "password": "y"}),
    ("POST", "/language", None, {"lang": "en"}),
    ("GET", "/", "session", {}),
    ("POST", "/logout", "session", {}),
    ("GET", "/alerts", "alerts.view", {}),
    ("GET", "/alerts/{alert_id}", "alerts.view", {}),
    ("POST", "/alerts/next", "alerts.triage", {}),
    ("POST", "/alerts/bulk-close", "alerts.triage",
     {"alert": "", "disposition": "bogus", "reason": ""}),
    ("POST", "/alerts/{alert_id}/status", "alerts.triage", {"status": "bogus", "version": "1"}),
    ("POST", "/alerts/{alert_id}/assign", "alerts.assign", {"assignee": "", "version": "9"}),
    ("POST", "/alerts/{alert_id}/comments", "alerts.triage", {"body": ""}),
    ("GET", "/batches", "batches.view", {}),
    ("POST", "/batches", "batches.upload", {}),
    ("GET", "/batches/{batch_id}", "batches.view", {}),
    ("GET", "/batches/{batch_id}/progress", "batches.view", {}),
    ("GET", "/batches/{batch_id}/quarantine.csv", "batches.view", {}),
    ("POST", "/batches/{batch_id}/rescreen", "rescreen.request", {}),
    ("POST", "/batches/{batch_id}/requeue", "rescreen.request", {}),
]


def placeholders(app: Flask) -> dict[str, int]:
    with database(app).transaction() as session:
        alert = session.scalars(select(Alert).order_by(Alert.id)).first()
        assert alert is not None
        return {"alert_id": alert.id, "batch_id": alert.batch_id}
