"""API tokens: every signed-in user lists, creates and revokes their own; an admin sees
every token and may create one for another account (a service account). A new token's
secret is shown once, in the page answering the creation — never put in a redirect, a
flash message (the session cookie is signed, not encrypted) or the store."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from aml_screen.store.accounts import active_usernames, get_user
from aml_screen.store.api_tokens import (
    MAX_EXPIRY_DAYS,
    create_token,
    list_tokens,
    revoke_token,
    role_scopes,
)
from aml_screen.store.errors import TokenError
from aml_screen.store.ids import parse_id
from aml_screen.store.models import User
from web.i18n import gettext
from web.security import require, signed_in
from web.services import services

bp = Blueprint("tokens", __name__, url_prefix="/tokens")
NAV = [(75, "tokens.index", "tokens.nav", "session")]


def _page(secret: str | None = None, error: str | None = None,
          form: dict[str, str] | None = None) -> tuple[str, int]:
    me = signed_in()
    admin = me.can("users.manage")
    with services().database.transaction() as db:
        rows = list_tokens(db, None if admin else me.id)
        users = active_usernames(db) if admin else []
    page = render_template("tokens/index.html", rows=rows, secret=secret, error=error,
                           form=form or {}, users=users, scopes=role_scopes(me.role),
                           max_days=MAX_EXPIRY_DAYS)
    return page, 400 if error else 200


@bp.get("")
@require("session")
def index() -> tuple[str, int]:
    return _page()


def _expiry(text: str) -> int | None:
    if not text:
        return None
    days = parse_id(text)
    if days is None:
        raise TokenError("token.bad_expiry", days=text[:12], maximum=MAX_EXPIRY_DAYS)
    return days


@bp.post("")
@require("session")
def create() -> tuple[str, int]:
    me = signed_in()
    form = {name: request.form.get(name, "").strip() for name in ("name", "user", "expires")}
    try:
        with services().database.transaction() as db:
            actor = db.get_one(User, me.id)
            owner = get_user(db, form["user"]) if form["user"] else actor
            made = create_token(db, owner, form["name"], request.form.getlist("scope"),
                                _expiry(form["expires"]), actor=actor)
            secret = made.secret
    except TokenError as exc:
        return _page(error=gettext(exc.key, **exc.params), form=form)
    return _page(secret=secret)


@bp.post("/<id:token_id>/revoke")
@require("session")
def revoke(token_id: int) -> Response:
    with services().database.transaction() as db:
        name = revoke_token(db, token_id, db.get_one(User, signed_in().id)).name
    flash(gettext("tokens.flash.revoked", name=name), "info")
    return redirect(url_for("tokens.index"), code=303)
