"""Single sign-on pages: the log-in page's "Sign in with <provider>" button starts the
log-in at the provider, which sends the browser back to the callback; a verified user is
signed in with the same server-side session as a password log-in (``web/security.py``),
or is shown why not. With single sign-on off, both addresses lead to the log-in page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from aml_screen.i18n import LANGUAGES
from aml_screen.store.accounts import SessionLimits
from aml_screen.store.sso_accounts import (
    SsoPolicy,
    record_redirect,
    record_refusal,
    sso_login,
)
from web.auth.views import safe_next
from web.i18n import current_language
from web.security import PUBLIC, require
from web.services import services
from web.sso.provider import SignOnError, begin, finish

bp = Blueprint("sso", __name__)
NEXT = "sso_next"
"""Session key of the page asked for before the log-in, kept across the provider's pages."""
STATUS = {"no_role": 403, "disabled": 403, "unreachable": 502}
"""HTTP status of each refusal; any other (a failed check) is 401."""


@bp.app_context_processor
def _sign_in() -> dict[str, Any]:
    """What the log-in page offers: the provider's button, the password form."""
    settings = services().settings
    return {"sso_provider": settings.oidc_provider_name if settings.oidc_enabled else None,
            "local_login": settings.local_login}


def _refused(reason: str) -> tuple[str, int]:
    page = render_template("sso/refused.html", reason=reason,
                           provider=services().settings.oidc_provider_name)
    return page, STATUS.get(reason, 401)


@bp.post("/login/sso")
@require(PUBLIC)
def start() -> Response | tuple[str, int]:
    settings = services().settings
    if not settings.oidc_enabled:
        return redirect(url_for("auth.login"))
    remote = request.remote_addr or "unknown"
    session[NEXT] = request.form.get("next", "")
    try:
        response = begin(current_language())
    except SignOnError as failed:
        with services().database.transaction() as db:
            record_refusal(db, failed.reason, settings.oidc_issuer, remote, failed.detail)
        return _refused(failed.reason)
    with services().database.transaction() as db:
        record_redirect(db, settings.oidc_issuer, remote)
    return response


@bp.get("/login/sso/callback")
@require(PUBLIC)
def callback() -> Response | tuple[str, int]:
    settings = services().settings
    if not settings.oidc_enabled:
        return redirect(url_for("auth.login"))
    remote = request.remote_addr or "unknown"
    try:
        found = finish(settings)
    except SignOnError as failed:
        with services().database.transaction() as db:
            record_refusal(db, failed.reason, settings.oidc_issuer, remote, failed.detail)
        return _refused(failed.reason)
    chosen = session.get("lang") if session.get("lang_chosen") else None
    with services().database.transaction() as db:
        outcome = sso_login(db, found, SsoPolicy.from_settings(settings), remote,
                            str(chosen) if chosen in LANGUAGES else None,
                            SessionLimits.from_settings(settings))
    if outcome.token is None:
        return _refused(outcome.refusal or "no_role")
    target = str(session.get(NEXT, ""))
    session.clear()
    session["lang"] = outcome.language
    if outcome.awaiting_code:
        session["pending"] = outcome.token
        return redirect(url_for("two_factor.code_form", next=target))
    session.permanent = True
    session["sid"] = outcome.token
    return redirect(safe_next(target))
