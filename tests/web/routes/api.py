"""The JSON API, listed so that no route escapes the table. Its operations take no session
cookie: a signed-in browser gets 401 from every one but the OpenAPI document, whatever its
role. Tokens, scopes and roles are checked in ``tests/api``. The reference page for people
(``/api/v1/docs``) is a web page: any signed-in user reads it, in their language."""

from __future__ import annotations

from tests.web.routes import Route

ROUTES: list[Route] = [
    ("GET", "/api/v1/openapi.json", None, {}),
    ("GET", "/api/v1/alerts", None, {}),
    ("GET", "/api/v1/alerts/{alert_id}", None, {}),
    ("POST", "/api/v1/alerts/{alert_id}/transitions", None, {}),
    ("GET", "/api/v1/batches/{batch_id}", None, {}),
    ("GET", "/api/v1/batches/{batch_id}/quarantine", None, {}),
    ("GET", "/api/v1/lists", None, {}),
    ("POST", "/api/v1/match", None, {}),
    ("POST", "/api/v1/batches", None, {}),
    ("GET", "/api/v1/cases", None, {}),
    ("GET", "/api/v1/cases/{case_id}", None, {}),
    ("POST", "/api/v1/cases/{case_id}/alerts", None, {}),
    ("POST", "/api/v1/cases/{case_id}/notes", None, {}),
    ("GET", "/api/v1/subjects/search", None, {}),
    ("GET", "/api/v1/docs", "session", {}),
]
