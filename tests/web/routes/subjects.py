"""Search over every batch, a subject's profile (read-only, audited), and the merge and
split decisions (refused here: no reason given)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from aml_screen.store.models import Subject
from tests.web.client import database

ROUTES = [
    ("GET", "/search", "subjects.view", {}),
    ("GET", "/subjects/{subject_id}", "subjects.view", {}),
    ("GET", "/subjects/{subject_id}/graph", "subjects.view", {}),
    ("GET", "/subjects/{subject_id}/graph.json", "subjects.view", {}),
    # Refused: no reason given, so nothing changes.
    ("POST", "/subjects/{subject_id}/merge", "subjects.decide", {"other": "", "reason": ""}),
    ("POST", "/subjects/{subject_id}/split", "subjects.decide", {"reason": ""}),
]


def placeholders(app: Flask) -> dict[str, str]:
    """The sample's subject holding the most records."""
    with database(app).transaction() as session:
        subject_id = session.scalars(select(Subject.id).order_by(
            Subject.records.desc(), Subject.id)).first()
    assert subject_id is not None
    return {"subject_id": subject_id}
