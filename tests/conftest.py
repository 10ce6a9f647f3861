"""Shared fixtures. Real official lists and samples live in ``../shared/data`` beside the
checkout; tests needing them take the ``shared_data`` fixture and are skipped without it.
``database`` / ``url`` are a private, empty store (an SQLite file, or a PostgreSQL schema
when ``AML_SCREEN_DATABASE_URL`` names a server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aml_screen.store import Database
from tests.store.hashing import cheap_password_hashes  # noqa: F401 (autouse fixture)
from tests.store.isolation import isolated_database, isolated_url

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips the test when the checkout has no shared folder beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present beside the checkout")
    return SHARED_DATA


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """An empty store at the newest schema."""
    with isolated_database(tmp_path) as db:
        yield db


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty store, for commands that open it themselves."""
    with isolated_url(tmp_path) as found:
        yield found
