"""The password policy of web accounts: at least ``MIN_PASSWORD`` characters, and none of
the passwords people choose most often (the list shipped in ``reference/common-passwords``,
compared without regard to case: ``Password1234`` is as weak as ``password1234``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from aml_screen.store.errors import AccountError

MIN_PASSWORD = 12
COMMON_PASSWORDS = (Path(__file__).resolve().parents[1] / "reference" / "common-passwords"
                    / "10k-most-common.txt")


@cache
def _common() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip())


def check_password(password: str) -> None:
    """Refuse a password the policy does not allow (``AccountError`` with the reason)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("account.short_password", minimum=MIN_PASSWORD)
    if password.strip().casefold() in _common():
        raise AccountError("account.common_password")
