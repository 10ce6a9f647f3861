"""The audit trail viewer: read-only pages for auditors and admins."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from aml_screen.store.models import AuditEvent
from tests.web.client import database

ROUTES = [
    ("GET", "/audit", "audit.view", {}),
    ("GET", "/audit/chain", "audit.view", {}),
    ("GET", "/audit/events/{event_id}", "audit.view", {}),
]


def placeholders(app: Flask) -> dict[str, int]:
    with database(app).transaction() as session:
        first = session.scalars(select(AuditEvent.id).order_by(AuditEvent.seq)).first()
    assert first is not None
    return {"event_id": first}
