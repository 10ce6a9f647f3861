"""Authentication and the response headers, enforced for every request in one place.

The cookie (signed by Flask) carries only a random session token; ``before_request``
resolves it against the store on every request (with the idle and absolute time-outs of the
settings), so log-out or disabling a user refuses a replayed cookie at once.

Two-factor log-in: a user whose role requires it (``require_2fa_for``) but who has not
enrolled is signed in only to enrol: every view but those marked ``enrolling`` sends them to
the enrolment page. A log-in whose code is still awaited holds its token under another name
(``pending``) and opens no page but the code's. A session opened by single sign-on is not
held for enrolment while the provider's multi-factor log-in is trusted
(``oidc_trust_provider_mfa``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for

from aml_screen.store.accounts import SessionLimits, opened_by_provider, resolve_session
from aml_screen.store.ids import parse_id
from aml_screen.store.models import User
from aml_screen.store.secret_box import TWO_FACTOR, SecretBox
from aml_screen.store.two_factor import is_active
from web.api.problems import in_api
from web.permissions import PERMISSIONS, allowed
from web.services import services

F = TypeVar("F", bound=Callable[..., Any])
PERMISSION_ATTR = "aml_screen_permission"
ENROLLING_ATTR = "aml_screen_enrolling"
PUBLIC = "public"

CSP_CONFIG = "AML_SCREEN_CSP"
"""Flask config key of the app's content security policy."""


def content_security_policy(form_targets: tuple[str, ...] = ()) -> str:
    """Nothing from another origin, no inline script or style: the app works offline and a
    name that slipped through escaping still could not run. ``form_targets``: origins a
    form may lead to besides this site (the single sign-on provider's, whose log-in and
    log-out pages the browser reaches by a form's redirect)."""
    return "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
        "connect-src 'self'", " ".join(("form-action 'self'", *form_targets)),
        "frame-ancestors 'none'", "base-uri 'none'",
    ])


CONTENT_SECURITY_POLICY = content_security_policy()


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user as the views see it (a plain copy, not a live ORM object)."""

    id: int
    username: str
    role: str
    language: str
    must_enrol: bool = False
    """Their role requires two-factor log-in and they have not enrolled yet."""

    def can(self, permission: str) -> bool:
        return allowed(self.role, permission)


def secret_box(purpose: bytes = TWO_FACTOR) -> SecretBox:
    """Seals the store's secrets (TOTP secrets; webhook secrets with ``WEBHOOKS``) with a
    key derived from the app's secret key for that purpose."""
    return SecretBox(str(current_app.config["SECRET_KEY"]), purpose)


def two_factor_required(user: User) -> bool:
    """The settings' ``require_2fa_for``, except for the demo accounts of ``serve --demo``
    (``TWO_FACTOR_EXEMPT``, set by that command alone)."""
    return (services().settings.two_factor_required(user.role)
            and user.username not in current_app.config["TWO_FACTOR_EXEMPT"])


def current_user() -> CurrentUser | None:
    return cast("CurrentUser | None", g.get("user"))


def signed_in() -> CurrentUser:
    """The user of a view guarded by ``require`` (which has already sent anonymous requests
    to the log-in page)."""
    user = current_user()
    if user is None:
        raise RuntimeError("no user")
    return user


def form_int(name: str) -> int:
    """A whole number posted in field ``name``, e.g. the version a form was rendered at; -1
    (matches nothing: a stale version) when absent, not one or past what a column holds."""
    found = parse_id(request.form.get(name, "").strip())
    return -1 if found is None else found


def require(permission: str, *, enrolling: bool = False) -> Callable[[F], F]:
    """Mark a view as needing ``permission`` (``PUBLIC`` for the log-in page); ``enrolling``:
    open to a user who must enrol in two-factor log-in first (enrolment, log-out)."""
    if permission != PUBLIC and permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if permission != PUBLIC:
                user = current_user()
                if user is None:
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                if user.must_enrol and not enrolling:
                    return redirect(url_for("two_factor.settings"))
                if not user.can(permission):
                    abort(403)
            return view(*args, **kwargs)

        setattr(guarded, PERMISSION_ATTR, permission)
        setattr(guarded, ENROLLING_ATTR, enrolling)
        return cast("F", guarded)

    return decorate


def _load_user() -> None:
    g.user = None
    if in_api():
        return  # the API accepts its bearer tokens only, never the session cookie
    token = session.get("sid")
    if not isinstance(token, str):
        return
    limits = SessionLimits.from_settings(services().settings)
    with services().database.transaction() as db:
        user: User | None = resolve_session(db, token, limits=limits)
        if user is not None:
            must_enrol = (two_factor_required(user) and not is_active(db, user.id)
                          and not (services().settings.oidc_trust_provider_mfa
                                   and opened_by_provider(db, token)))
            g.user = CurrentUser(user.id, user.username, user.role, user.language, must_enrol)
    if g.user is None:
        session.clear()


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = current_app.config[CSP_CONFIG]
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def check_every_view_is_guarded(app: Flask) -> None:
    """Refuse to start with a view that declares no permission."""
    unguarded = [name for name, view in app.view_functions.items()
                 if name != "static" and not hasattr(view, PERMISSION_ATTR)]
    if unguarded:
        raise RuntimeError(f"views without a permission check: {unguarded}")


def init_app(app: Flask, form_targets: tuple[str, ...] = ()) -> None:
    app.config[CSP_CONFIG] = content_security_policy(form_targets)
    app.before_request(_load_user)
    app.after_request(_headers)
