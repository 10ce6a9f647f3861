"""The app with one user per role and the sample batch loaded (as the web tests have it),
and API tokens made in its store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aml_screen.store.accounts import get_user
from aml_screen.store.api_tokens import create_token
from tests.store.samples import add_user, load_sample
from tests.web.client import database, running_app

USERS = {"awa": "analyst", "fatou": "investigator", "moussa": "investigator",
         "salif": "supervisor", "aminata": "auditor", "root": "admin"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with running_app(tmp_path_factory.mktemp("api")) as flask_app:
        db = database(flask_app)
        for name, role in USERS.items():
            add_user(db, name, role, language="en")
        load_sample(db, uploader="awa")
        yield flask_app


def make_token(app: Flask, username: str, *scopes: str, days: int | None = None) -> str:
    with database(app).transaction() as session:
        return create_token(session, get_user(session, username), "test", scopes, days).secret


def bearer(secret: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


class Api:
    """A client sending one user's token on every request."""

    def __init__(self, client: FlaskClient, secret: str) -> None:
        self.client = client
        self.secret = secret

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=bearer(self.secret), **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.client.post(path, headers=bearer(self.secret), json=body, **kwargs)


@pytest.fixture
def supervisor(app: Flask) -> Api:
    return Api(app.test_client(), make_token(app, "salif", "read", "triage"))
