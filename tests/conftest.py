"""Shared fixtures. Real official lists and samples live in ``../shared/data`` beside the
checkout; tests needing them take the ``shared_data`` fixture and are skipped without it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aml_screen.i18n import set_language

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips the test when the checkout has no shared folder beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present beside the checkout")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Each test starts in English; a test that switches to French is reset afterwards."""
    set_language("en")
    yield
    set_language("en")
