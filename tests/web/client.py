"""Helpers for driving the app through Flask's test client like a browser would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient

from aml_screen.store import Database
from tests.store.isolation import isolated_url
from tests.store.samples import PASSWORD, repo_settings
from web import create_app
from web.services import EXTENSION

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY_SHOWN = re.compile(r'id="two-factor-key"[^>]*>([A-Z2-7 ]+)<')
"""The TOTP key as the enrolment page shows it, in groups of four."""
_CODES_SHOWN = re.compile(r"<li><bdi class=\"mono\">([A-Z2-7-]{19})</bdi></li>")


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


def enrol(client: FlaskClient) -> tuple[str, list[str]]:
    """Enrol the signed-in user in two-factor log-in as a person would: start, read the key
    off the page, type the code; returns the key and the recovery codes shown."""
    assert post(client, "/account/two-factor/start", page="/account/two-factor"
                ).status_code == 303
    page = client.get("/account/two-factor").get_data(as_text=True)
    found = KEY_SHOWN.search(page)
    assert found, page
    key = found.group(1).replace(" ", "")
    shown = post(client, "/account/two-factor/activate", {"code": pyotp.TOTP(key).now()},
                 page="/account/two-factor")
    assert shown.status_code == 200
    return key, _CODES_SHOWN.findall(shown.get_data(as_text=True))
