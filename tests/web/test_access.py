"""Every route with every role and anonymously; every form post without a CSRF token."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.store.models import ROLES, Alert
from tests.web.client import database, login, post
from tests.web.conftest import USERS

ALERT = "{alert}"
BATCH = "{batch}"
# (method, path, permission or None for public pages, form data)
ROUTES = [
    ("GET", "/login", None, {}),
    ("POST", "/login", None, {"username": "x", "password": "y"}),
    ("POST", "/language", None, {"lang": "en"}),
    ("GET", "/", "session", {}),
    ("POST", "/logout", "session", {}),
    ("GET", "/alerts", "alerts.view", {}),
    ("GET", f"/alerts/{ALERT}", "alerts.view", {}),
    ("POST", "/alerts/next", "alerts.triage", {}),
    ("POST", f"/alerts/{ALERT}/status", "alerts.triage", {"status": "bogus", "version": "1"}),
    ("POST", f"/alerts/{ALERT}/assign", "alerts.assign", {"assignee": "", "version": "9"}),
    ("POST", f"/alerts/{ALERT}/comments", "alerts.triage", {"body": ""}),
    ("GET", "/batches", "batches.view", {}),
    ("POST", "/batches", "batches.upload", {}),
    ("GET", f"/batches/{BATCH}", "batches.view", {}),
    ("GET", f"/batches/{BATCH}/progress", "batches.view", {}),
    ("GET", f"/batches/{BATCH}/quarantine.csv", "batches.view", {}),
]
ALLOWED = {
    "session": set(ROLES),
    "alerts.view": set(ROLES),
    "batches.view": set(ROLES),
    "alerts.triage": {"investigator", "supervisor"},
    "alerts.assign": {"supervisor"},
    "batches.upload": {"analyst", "supervisor", "admin"},
}
ROLE_USER = {role: name for name, role in USERS.items() if name != "moussa"}


def _fill(app: Flask, path: str) -> str:
    with database(app).transaction() as session:
        alert = session.scalars(select(Alert).order_by(Alert.id)).first()
        assert alert is not None
        return path.format(alert=alert.id, batch=alert.batch_id)


def test_the_table_covers_every_route(app: Flask) -> None:
    declared = {(method, rule.rule.replace("<int:alert_id>", ALERT)
                 .replace("<int:batch_id>", BATCH))
                for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                for method in rule.methods or () if method in ("GET", "POST")}
    assert declared == {(method, path) for method, path, _, _ in ROUTES}


@pytest.mark.parametrize(("method", "path", "permission", "data"), ROUTES)
@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_route_checks_the_role(app: Flask, role: str | None, method: str, path: str,
                                     permission: str | None, data: dict[str, str]) -> None:
    client = app.test_client()
    if role is not None:
        assert login(client, ROLE_USER[role]).status_code == 302
    url = _fill(app, path)
    page = "/login" if role is None else "/batches"
    response = client.get(url) if method == "GET" else post(client, url, data, page=page)
    location = response.headers.get("Location", "")
    if permission is None:
        assert response.status_code in (200, 302, 401, 429)
    elif role is None:
        assert response.status_code == 302
        assert location.startswith("/login")
    elif role in ALLOWED[permission]:
        assert response.status_code not in (401, 403)
        assert not location.startswith("/login") or path == "/logout"
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("method", "path", "permission", "data"),
                         [r for r in ROUTES if r[0] == "POST"])
def test_posts_without_csrf_token_are_refused(app: Flask, method: str, path: str,
                                              permission: str | None,
                                              data: dict[str, str]) -> None:
    client = app.test_client()
    login(client, "salif")
    response = client.post(_fill(app, path), data=data)
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
