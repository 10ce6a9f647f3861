from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aml_screen.store import Database
from tests.store.isolation import isolated_database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with isolated_database(tmp_path) as db:
        yield db
