"""Log-in, log-out and the language switch. A user with two-factor log-in is sent from the
password to the code (``web/two_factor``), holding a session that opens nothing else. The
log-in page offers single sign-on too when it is on (``web/sso``), and the log-out of a
session it opened continues at the provider's end-session address when it has one."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from aml_screen.i18n import LANGUAGES
from aml_screen.store.accounts import (
    SessionLimits,
    authenticate,
    end_session,
    set_language,
    start_session,
)
from aml_screen.store.login_throttle import LoginLimits
from aml_screen.store.models import User
from web.i18n import gettext
from web.security import PUBLIC, current_user, require
from web.services import services
from web.sso.provider import logout_url

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only paths on this site: an attacker's ``next=https://…`` must not redirect away."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("alerts.queue")


@bp.get("/")
@require("session")
def home() -> Response:
    return redirect(url_for("alerts.queue"))


@bp.get("/login")
@require(PUBLIC)
def login() -> Response | str:
    if current_user() is not None:
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", next=request.args.get("next", ""))


@bp.post("/login")
@require(PUBLIC)
def login_submit() -> Response | tuple[str, int]:
    if not services().settings.local_login:
        return render_template("auth/login.html", error=gettext("web.login.local_off"),
                               next=request.form.get("next", "")), 403
    username = request.form.get("username", "").strip()[:80]
    password = request.form.get("password", "")
    remote = request.remote_addr or "unknown"
    chosen = session.get("lang") if session.get("lang_chosen") else None
    database = services().database
    outcome = authenticate(database, username, password, remote,
                           LoginLimits.from_settings(services().settings))
    token, language = None, None
    if outcome.user is not None:
        with database.transaction() as db:
            user = db.get_one(User, outcome.user.id)
            token = start_session(db, user, remote, awaiting_code=outcome.second_factor,
                                  limits=SessionLimits.from_settings(services().settings))
            if chosen in LANGUAGES:
                set_language(db, user, str(chosen))  # picked on this page: remembered
            language = user.language
    if token is None:
        message = gettext(outcome.refusal or "auth.bad_credentials",
                          seconds=outcome.retry_after)
        status = 429 if outcome.refusal == "auth.throttled" else 401
        return render_template("auth/login.html", error=message, username=username,
                               next=request.form.get("next", "")), status
    session.clear()
    session["lang"] = language
    if outcome.second_factor:
        session["pending"] = token
        return redirect(url_for("two_factor.code_form", next=request.form.get("next", "")))
    session.permanent = True
    session["sid"] = token
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
@require("session", enrolling=True)
def logout() -> Response:
    user = current_user()
    token = session.get("sid")
    id_token = None
    if user is not None and isinstance(token, str):
        with services().database.transaction() as db:
            id_token = end_session(db, token, db.get_one(User, user.id))
    session.clear()
    at_provider = logout_url(id_token) if id_token is not None else None
    return redirect(at_provider or url_for("auth.login"))


@bp.post("/language")
@require(PUBLIC)
def language() -> Response:
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        user = current_user()
        session["lang_chosen"] = user is None
        if user is not None:
            with services().database.transaction() as db:
                set_language(db, db.get_one(User, user.id), chosen)
    return redirect(safe_next(request.form.get("next")))
