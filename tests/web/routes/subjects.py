"""Search over every batch and a subject's profile (both read-only, audited)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from aml_screen.store.models import Subject
from tests.web.client import database

ROUTES = [
    ("GET", "/search", "subjects.view", {}),
    ("GET", "/subjects/{subject_id}", "subjects.view", {}),
]


def placeholders(app: Flask) -> dict[str, str]:
    """The sample's subject holding the most records."""
    with database(app).transaction() as session:
        subject_id = session.scalars(select(Subject.id).order_by(
            Subject.records.desc(), Subject.id)).first()
    assert subject_id is not None
    return {"subject_id": subject_id}
