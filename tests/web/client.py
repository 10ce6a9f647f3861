"""Helpers for driving the app through Flask's test client like a browser would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from aml_screen.store import Database
from tests.store.isolation import isolated_url
from tests.store.samples import PASSWORD, repo_settings
from web import create_app
from web.services import EXTENSION

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def running_app(folder: Path, **settings: Any) -> Iterator[Flask]:
    """The app on a private database, screening jobs run inline. Two-factor log-in is
    required of nobody unless ``require_2fa_for`` is given: the other tests sign supervisors
    and admins in with a password (``tests/web/test_two_factor*.py`` use the policy)."""
    settings.setdefault("require_2fa_for", ())
    with isolated_url(folder) as url:
        app = create_app(repo_settings(data_dir=folder / "var", database_url=url, **settings),
                         JOBS_IMMEDIATE=True)
        try:
            yield app
        finally:
            database(app).dispose()


def database(app: Flask) -> Database:
    found: Database = app.extensions[EXTENSION].database
    return found


def csrf_token(client: FlaskClient, page: str = "/login") -> str:
    match = _TOKEN.search(client.get(page).get_data(as_text=True))
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": username, "password": password,
                                        "csrf_token": csrf_token(client)})


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None,
         page: str = "/alerts", **kwargs: Any) -> Any:
    """A form post carrying the CSRF token of ``page``, as the browser would send it."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})},
                       **kwargs)
