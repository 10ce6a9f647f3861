"""Every route with every role and anonymously; every form post without a CSRF token (the
JSON API's posts aside: they take a bearer token, never a cookie a forged form could carry).

The routes are listed per area in ``tests/web/routes/``; the first test makes sure the
lists cover every route the app has, so a new page cannot escape these checks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from aml_screen.store.models import ROLES
from tests.web.client import login, post
from tests.web.conftest import USERS
from tests.web.routes import all_routes, placeholder_makers

ROUTES = all_routes()
ALLOWED = {
    "session": set(ROLES),
    "alerts.view": set(ROLES),
    "batches.view": set(ROLES),
    "subjects.view": {"analyst", "investigator", "supervisor", "auditor"},
    "subjects.decide": {"investigator", "supervisor"},
    "alerts.triage": {"investigator", "supervisor"},
    "alerts.assign": {"supervisor"},
    "batches.upload": {"analyst", "supervisor", "admin"},
    "cases.view": {"investigator", "supervisor", "auditor", "admin"},
    "cases.edit": {"investigator", "supervisor"},
    "evidence.prepare": {"investigator", "supervisor"},
    "evidence.approve": {"supervisor"},
    "exemptions.view": {"investigator", "supervisor", "auditor", "admin"},
    "exemptions.propose": {"investigator", "supervisor"},
    "exemptions.decide": {"supervisor"},
    "rescreen.request": {"supervisor", "admin"},
    "exports.download": {"auditor", "supervisor"},
    "goaml.export": {"investigator", "supervisor"},
    "dashboard.view": {"supervisor", "auditor", "admin"},
    "audit.view": {"auditor", "admin"},
    "users.manage": {"admin"},
}
ROLE_USER = {role: name for name, role in USERS.items() if name != "moussa"}
_RULE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@pytest.fixture(scope="module")
def ids(app: Flask) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for make in placeholder_makers():
        found.update(make(app))
    return found


def test_the_table_covers_every_route(app: Flask) -> None:
    declared = {(method, _RULE_PARAM.sub(r"{\1}", rule.rule))
                for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                for method in rule.methods or () if method in ("GET", "POST")}
    assert declared == {(method, path) for method, path, _, _ in ROUTES}


def test_every_permission_has_its_roles_written_here() -> None:
    from web.permissions import PERMISSIONS
    assert {name: set(roles) for name, roles in PERMISSIONS.items()} == ALLOWED


@pytest.mark.parametrize(("method", "path", "permission", "data"), ROUTES)
@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_route_checks_the_role(app: Flask, ids: dict[str, Any], role: str | None,
                                     method: str, path: str, permission: str | None,
                                     data: dict[str, str]) -> None:
    client = app.test_client()
    if role is not None:
        assert login(client, ROLE_USER[role]).status_code == 302
    url = path.format(**ids)
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
                         [r for r in ROUTES if r[0] == "POST" and not r[1].startswith("/api/")])
def test_posts_without_csrf_token_are_refused(app: Flask, ids: dict[str, Any], method: str,
                                              path: str, permission: str | None,
                                              data: dict[str, str]) -> None:
    client = app.test_client()
    login(client, "salif")
    response = client.post(path.format(**ids), data=data)
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
