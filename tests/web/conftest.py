from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.store.samples import add_user, load_sample
from tests.web.browser import browser, page, screenshots  # noqa: F401 (fixtures)
from tests.web.client import database, running_app

USERS = {"awa": "analyst", "fatou": "investigator", "moussa": "investigator",
         "salif": "supervisor", "aminata": "auditor", "root": "admin"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app with one user per role and the sample batch loaded, shared by a module's
    tests (each module gets its own database)."""
    with running_app(tmp_path_factory.mktemp("web")) as flask_app:
        db = database(flask_app)
        for name, role in USERS.items():
            add_user(db, name, role, language="en")
        load_sample(db, uploader="awa")
        yield flask_app
