"""The investigators' web interface: ``create_app(settings=None, **overrides)``.

One blueprint per area (``auth``, ``batches``, ``alerts``); views stay thin and call the
store's operations, which write the audit trail. ``overrides`` are Flask config values
(e.g. ``JOBS_IMMEDIATE=True`` runs screening jobs inline, for tests)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect  # type: ignore[import-untyped]

from aml_screen.jobs import JobQueue
from aml_screen.settings import Settings, load_settings
from aml_screen.store import open_database
from web import errors, i18n, security
from web.alerts.views import bp as alerts_bp
from web.auth.views import bp as auth_bp
from web.batches.views import bp as batches_bp
from web.services import EXTENSION, Services

csrf = CSRFProtect()


def secret_key(settings: Settings) -> str:
    """The configured key, else one generated on first start and kept in ``data_dir`` (so
    sessions survive a restart without anyone having to invent a key)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_NAME="aml_screen",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=int(settings.max_upload_mb * 1024 * 1024),
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        WTF_CSRF_SSL_STRICT=False,  # the Origin/Referer checks below the token suffice
        JOBS_IMMEDIATE=False,
    )
    app.config.update(overrides)
    database = open_database(settings.database_url)
    jobs = JobQueue(settings, database, immediate=bool(app.config["JOBS_IMMEDIATE"]))
    app.extensions[EXTENSION] = Services(settings, database, jobs)
    csrf.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    for blueprint in (auth_bp, batches_bp, alerts_bp):
        app.register_blueprint(blueprint)
    security.check_every_view_is_guarded(app)
    return app
