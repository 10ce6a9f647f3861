"""Two-factor log-in pages: a signed-in user's enrolment (the QR code drawn here as inline
SVG, the key in groups for typing, activation by a first code, the recovery codes shown
once), and the log-in's second step (a code or a recovery code after the password).

The QR code is drawn by segno into the page itself: the secret never leaves the server for
an image service, and the content security policy stays ``'self'``."""

from __future__ import annotations

import segno
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from aml_screen.store.accounts import SessionLimits
from aml_screen.store.errors import AccountError
from aml_screen.store.login_throttle import LoginLimits
from aml_screen.store.models import User
from aml_screen.store.two_factor import (
    Enrolment,
    activate,
    begin_enrolment,
    pending_enrolment,
    second_step,
    status,
)
from web.auth.views import safe_next
from web.i18n import gettext
from web.security import PUBLIC, require, secret_box, signed_in
from web.services import services

bp = Blueprint("two_factor", __name__)
NAV = [(95, "two_factor.settings", "two_factor.nav", "session")]


def _qr_code(enrolment: Enrolment) -> Markup:
    """The ``otpauth://`` address as an SVG drawing (paths only: no script, no style)."""
    svg = segno.make(enrolment.uri, error="m").svg_inline(scale=4, svgclass="qr-code")
    return Markup(svg)  # noqa: S704 (segno's own markup; the address is drawn, not written)


def _key_groups(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _settings_page(error: str | None = None) -> tuple[str, int]:
    me = signed_in()
    with services().database.transaction() as db:
        user = db.get_one(User, me.id)
        state = status(db, user)
        enrolment = None if state.active else pending_enrolment(db, user, secret_box())
    page = render_template(
        "two_factor/settings.html", state=state, required=me.must_enrol, error=error,
        enrolment=enrolment, qr_code=_qr_code(enrolment) if enrolment else None,
        key_groups=_key_groups(enrolment.secret) if enrolment else "")
    return page, 400 if error else 200


@bp.get("/account/two-factor")
@require("session", enrolling=True)
def settings() -> tuple[str, int]:
    return _settings_page()


@bp.post("/account/two-factor/start")
@require("session", enrolling=True)
def start() -> Response:
    try:
        with services().database.transaction() as db:
            begin_enrolment(db, db.get_one(User, signed_in().id), secret_box())
    except AccountError as exc:
        flash(gettext(exc.key, **exc.params), "error")
    return redirect(url_for("two_factor.settings"), code=303)


@bp.post("/account/two-factor/activate")
@require("session", enrolling=True)
def activate_view() -> Response | tuple[str, int]:
    remote = request.remote_addr or "unknown"
    try:
        with services().database.transaction() as db:
            codes = activate(db, db.get_one(User, signed_in().id), secret_box(),
                             request.form.get("code", "")[:64], remote)
    except AccountError as exc:
        flash(gettext(exc.key, **exc.params), "error")
        return redirect(url_for("two_factor.settings"), code=303)
    if codes is None:
        return _settings_page(gettext("two_factor.wrong_code"))
    return render_template("two_factor/recovery_codes.html", codes=codes), 200


def _code_page(error: str | None, status_code: int) -> tuple[str, int]:
    return render_template("two_factor/code.html", error=error,
                           next=request.values.get("next", "")), status_code


@bp.get("/login/code")
@require(PUBLIC)
def code_form() -> Response | tuple[str, int]:
    if not isinstance(session.get("pending"), str):
        return redirect(url_for("auth.login"))
    return _code_page(None, 200)


@bp.post("/login/code")
@require(PUBLIC)
def code_submit() -> Response | tuple[str, int]:
    token = session.get("pending")
    if not isinstance(token, str):
        return redirect(url_for("auth.login"))
    outcome = second_step(services().database, token, request.form.get("code", "")[:64],
                          request.remote_addr or "unknown", secret_box(),
                          LoginLimits.from_settings(services().settings),
                          sessions=SessionLimits.from_settings(services().settings))
    if outcome.token is None:
        message = gettext(outcome.refusal or "two_factor.wrong_code",
                          seconds=outcome.retry_after)
        if outcome.refusal == "two_factor.expired":
            session.pop("pending", None)
            return render_template("auth/login.html", error=message, next=""), 401
        return _code_page(message, 429 if outcome.refusal == "auth.throttled" else 401)
    language = session.get("lang")
    session.clear()
    session.permanent = True
    session["sid"] = outcome.token
    session["lang"] = language
    return redirect(safe_next(request.form.get("next")))
