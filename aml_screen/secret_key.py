"""The deployment's secret key: the ``secret_key`` setting, else one generated on first
start and kept in ``data_dir``. The web signs its session cookies with it, and the sealed
secrets of the store (``store/secret_box.py``) are opened with keys derived from it — by
the web and by the job worker alike, so both must see the same key (one ``data_dir``, or
the setting)."""

from __future__ import annotations

import secrets

from aml_screen.settings import Settings


def secret_key(settings: Settings) -> str:
    """The configured key, else the one kept in ``data_dir`` (generated the first time), so
    sessions survive a restart without anyone having to invent a key."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()
