"""Exemptions: list, detail, proposal from an alert's hit, four-eyes decision, revocation.
The form data is refused or conflicts (bad version, no reason), so no route changes state."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from aml_screen.store.exemptions import propose
from aml_screen.store.models import Exemption, Hit, User
from tests.store.samples import close_as_false_positive
from tests.web.client import database

ROUTES = [
    ("GET", "/exemptions", "exemptions.view", {}),
    ("GET", "/exemptions/{exemption_id}", "exemptions.view", {}),
    ("POST", "/exemptions/propose", "exemptions.propose", {"hit_id": "", "reason": ""}),
    ("POST", "/exemptions/{exemption_id}/approve", "exemptions.decide", {"version": "999"}),
    ("POST", "/exemptions/{exemption_id}/reject", "exemptions.decide", {"version": "999"}),
    ("POST", "/exemptions/{exemption_id}/revoke", "exemptions.decide", {"version": "999"}),
]


def placeholders(app: Flask) -> dict[str, int]:
    """A proposed exemption (by the investigator fatou) on the sample's first hit."""
    with database(app).transaction() as session:
        existing = session.scalars(select(Exemption.id).order_by(Exemption.id)).first()
        if existing is not None:
            return {"exemption_id": existing}
        hit_id = session.scalars(select(Hit.id).order_by(Hit.id)).first()
        fatou = session.scalars(select(User).where(User.username == "fatou")).one()
        assert hit_id is not None
        close_as_false_positive(session, hit_id, fatou)
        exemption = propose(session, fatou, hit_id, "Homonyme vérifié", exemption_days=365)
        return {"exemption_id": exemption.id}
