"""Cases and evidence packages. The form data is stale (version 0) or empty, and the package
was prepared by the supervisor who is the only approver logging in, so no request here
changes anything even when the role is allowed."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from aml_screen.store.cases import open_case
from aml_screen.store.evidence_packages import prepare
from aml_screen.store.models import Alert, User
from tests.web.client import database

STALE = {"version": "0"}
ROUTES = [
    ("GET", "/cases", "cases.view", {}),
    ("POST", "/cases", "cases.edit", {}),
    ("GET", "/cases/{case_id}", "cases.view", {}),
    ("POST", "/cases/{case_id}/alerts", "cases.edit", {"alert_id": "0", **STALE}),
    ("POST", "/cases/{case_id}/alerts/{alert_id}/remove", "cases.edit", STALE),
    ("POST", "/cases/{case_id}/notes", "cases.edit", {"body": ""}),
    ("POST", "/cases/{case_id}/edit", "cases.edit", {"title": "x", **STALE}),
    ("POST", "/cases/{case_id}/close", "cases.edit", {"disposition": "not_suspicious",
                                                       **STALE}),
    ("POST", "/cases/{case_id}/reopen", "cases.edit", STALE),
    ("POST", "/cases/{case_id}/assign", "cases.edit", {"assignee": "", **STALE}),
    ("POST", "/cases/{case_id}/packages", "evidence.prepare", STALE),
    ("POST", "/cases/{case_id}/packages/{package_id}/approve", "evidence.approve", {}),
    ("GET", "/cases/{case_id}/packages/{package_id}.zip", "cases.view", {}),
]


def placeholders(app: Flask) -> dict[str, int]:
    with database(app).transaction() as session:
        salif = session.scalars(select(User).where(User.username == "salif")).one()
        alert = session.scalars(select(Alert).order_by(Alert.id)).first()
        assert alert is not None
        case = open_case(session, salif, [alert.id], title="Access check")
        package = prepare(session, case.id, salif, case.version)
        return {"case_id": case.id, "package_id": package.id}
