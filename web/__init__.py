"""The investigators' web interface: ``create_app(settings=None, **overrides)``.

One blueprint per area: every sub-package of ``web`` with a ``views`` module (defining ``bp``)
is registered, and its ``NAV`` entries (order, endpoint, message key, permission) go into the
top menu of the users allowed to open them. Views stay thin and call the store's
operations, which write the audit trail. ``overrides`` are Flask config values
(e.g. ``JOBS_IMMEDIATE=True`` runs screening jobs inline, for tests;
``TWO_FACTOR_EXEMPT`` names the demo accounts that ``serve --demo`` lets in without a second
factor)."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect  # type: ignore[import-untyped]

from aml_screen.jobs import JobQueue
from aml_screen.secret_key import secret_key
from aml_screen.settings import Settings, load_settings
from aml_screen.store import open_database
from web import errors, i18n, ids, nul_guard, security
from web.services import EXTENSION, Services
from web.sso import provider

NavItem = tuple[int, str, str, str]
"""(position, endpoint, message key, permission) of a top-menu link."""

csrf = CSRFProtect()


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_NAME="aml_screen",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        MAX_CONTENT_LENGTH=int(settings.max_upload_mb * 1024 * 1024),
        WTF_CSRF_TIME_LIMIT=settings.session_max_hours * 3600,
        WTF_CSRF_SSL_STRICT=False,  # the Origin/Referer checks below the token suffice
        JOBS_IMMEDIATE=False,
        TWO_FACTOR_EXEMPT=(),  # user names; only `aml-screen serve --demo` sets it
    )
    app.config.update(overrides)
    database = open_database(settings.database_url)
    jobs = JobQueue(settings, database, immediate=bool(app.config["JOBS_IMMEDIATE"]))
    app.extensions[EXTENSION] = Services(settings, database, jobs)
    csrf.init_app(app)
    security.init_app(app, form_targets=provider.origins(settings))
    ids.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    nul_guard.init_app(app)
    provider.init_app(app, settings)
    nav: list[NavItem] = []
    for blueprint, items in _areas():
        app.register_blueprint(blueprint)
        nav.extend(items)
    app.jinja_env.globals["nav_items"] = sorted(nav)
    security.check_every_view_is_guarded(app)
    ids.check_every_id_is_bounded(app)
    return app


def _areas() -> list[tuple[Blueprint, list[NavItem]]]:
    """Each area's blueprint and menu links, in package-name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if not info.ispkg or importlib.util.find_spec(f"{__name__}.{info.name}.views") is None:
            continue  # a package without pages (e.g. ``charts``, the drawing library)
        views = importlib.import_module(f"{__name__}.{info.name}.views")
        found.append((views.bp, list(getattr(views, "NAV", ()))))
    return found
