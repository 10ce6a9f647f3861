"""Password hashes at argon2's smallest cost in tests.

The product's cost (argon2-cffi's defaults: argon2id, 64 MiB, three passes) takes 150 ms a
hash on a CI machine, and the suite logs in thousands of times: about five minutes of CI.
The hashes stay argon2id and are checked the same way; ``test_accounts`` checks the
product's own cost, and that a stored hash of another cost is made again at the product's
cost when its user logs in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from aml_screen.store import accounts

PRODUCT_HASHER = accounts._hasher
"""The product's hasher, taken before the tests' own replaces it."""
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", TEST_HASHER)
        patch.setattr(accounts, "_DUMMY_HASH", TEST_HASHER.hash("not a real password"))
        yield
