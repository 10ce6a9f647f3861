"""Secrets the store must read back (the TOTP secrets of two-factor log-in, the signing
secrets of webhook endpoints) are kept encrypted, so a copy of the database (a backup, a
dump handed to a contractor) does not hold them in clear: anyone with a TOTP secret could
make codes forever, anyone with an endpoint's secret could sign events in our name.

The key is derived (HKDF-SHA256, an ``info`` label of its own for each purpose) from the
web's secret key (``aml_screen/secret_key.py``), which lives outside the database
(``secret_key`` setting, or ``data_dir/secret_key``): one key to keep, and the
session-signing key itself is never used for encryption. Fernet (``cryptography``:
AES-128-CBC with an HMAC-SHA256) refuses a secret that was altered or sealed under another
key. Changing the web's secret key therefore makes the enrolled authenticators unreadable:
their users log in with a recovery code, or an admin resets them; and webhook endpoints
cannot be signed for until an admin rotates their secrets.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TWO_FACTOR = b"aml-screen two-factor secrets v1"
WEBHOOKS = b"aml-screen webhook secrets v1"
"""The ``info`` labels: one key per purpose, so a secret sealed for one cannot be passed off
as the other's."""


class SecretBox:
    """Seals and opens short texts with the key derived from ``key_material`` for
    ``purpose``."""

    def __init__(self, key_material: str, purpose: bytes = TWO_FACTOR) -> None:
        key = HKDF(algorithm=SHA256(), length=32, salt=None,
                   info=purpose).derive(key_material.encode("utf-8"))
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str | None:
        """The text, or None when it was sealed under another key or altered."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            return None
