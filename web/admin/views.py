"""Administration: user accounts (create, role, disable/enable, password reset, two-factor
reset), and the configured watchlists and rule packs.

Account pages need ``users.manage`` (admins only); every change goes through the store's
account operations, which refuse to lose the last admin and write the audit event. The lists
and rules pages only read files: they need ``dashboard.view`` so that supervisors and
auditors, who must know which list versions and which rule set screened the batches, can see
them too (nothing on them changes anything)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from aml_screen.i18n import LANGUAGES
from aml_screen.store.accounts import (
    create_user,
    disable_user,
    enable_user,
    list_users,
    reset_password,
    set_role,
)
from aml_screen.store.batches import latest_screened_batch
from aml_screen.store.errors import AccountError
from aml_screen.store.list_delta import recent_deltas
from aml_screen.store.models import ROLES, Batch, ListDelta, User
from aml_screen.store.passwords import MIN_PASSWORD
from aml_screen.store.sso_accounts import provider_accounts
from aml_screen.store.two_factor import enrolled, reset
from web.admin.catalogue import lists_view, rules_view
from web.i18n import current_language, gettext
from web.security import current_user, require
from web.services import services

bp = Blueprint("admin", __name__, url_prefix="/admin")
NAV = [(80, "admin.users", "admin.nav", "users.manage"),
       (85, "admin.lists", "admin.nav_lists", "dashboard.view")]


def _actor(db: Session) -> User:
    me = current_user()
    if me is None:  # require() has already redirected anonymous requests
        raise RuntimeError("no user")
    return db.get_one(User, me.id)


def _target(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _users_page() -> Response:
    return redirect(url_for("admin.users"), code=303)


@bp.get("/users")
@require("users.manage")
def users() -> str:
    with services().database.transaction() as db:
        rows, two_factor, linked = list_users(db), enrolled(db), provider_accounts(db)
    return render_template("admin/users.html", users=rows, roles=ROLES, two_factor=two_factor,
                           provider_accounts=linked,
                           provider=services().settings.oidc_provider_name)


@bp.get("/users/new")
@require("users.manage")
def new_user() -> str:
    return _new_user_form({}, None)[0]


def _new_user_form(form: dict[str, str], error: str | None) -> tuple[str, int]:
    page = render_template("admin/new_user.html", form=form, error=error, roles=ROLES,
                           languages=LANGUAGES, min_password=MIN_PASSWORD)
    return page, 400 if error else 200


@bp.post("/users")
@require("users.manage")
def create() -> Response | tuple[str, int]:
    form = {name: request.form.get(name, "").strip()
            for name in ("username", "role", "language")}
    password = request.form.get("password", "")
    if password != request.form.get("confirm", ""):
        return _new_user_form(form, gettext("admin.password_mismatch"))
    try:
        with services().database.transaction() as db:
            create_user(db, form["username"], form["role"], password,
                        form["language"] or services().settings.language, actor=_actor(db))
    except AccountError as exc:
        return _new_user_form(form, gettext(exc.key, **exc.params))
    flash(gettext("admin.flash.created", name=form["username"]), "info")
    return _users_page()


def _change(user_id: int, done_key: str, action: Any, *args: str) -> Response:
    """Run an account operation on the user ``user_id``; a refusal (last admin, bad role)
    is shown on the users page, with nothing changed."""
    try:
        with services().database.transaction() as db:
            name = _target(db, user_id).username
            action(db, name, *args, actor=_actor(db))
    except AccountError as exc:
        flash(gettext(exc.key, **exc.params), "error")
        return _users_page()
    flash(gettext(done_key, name=name), "info")
    return _users_page()


@bp.post("/users/<id:user_id>/role")
@require("users.manage")
def change_role(user_id: int) -> Response:
    return _change(user_id, "admin.flash.role", set_role, request.form.get("role", ""))


@bp.post("/users/<id:user_id>/disable")
@require("users.manage")
def disable(user_id: int) -> Response:
    return _change(user_id, "admin.flash.disabled", disable_user)


@bp.post("/users/<id:user_id>/enable")
@require("users.manage")
def enable(user_id: int) -> Response:
    return _change(user_id, "admin.flash.enabled", enable_user)


@bp.post("/users/<id:user_id>/two-factor/reset")
@require("users.manage")
def reset_two_factor(user_id: int) -> Response:
    return _change(user_id, "two_factor.reset_done", reset)


@bp.get("/users/<id:user_id>/password")
@require("users.manage")
def password_form(user_id: int) -> str:
    with services().database.transaction() as db:
        user = _target(db, user_id)
    return _password_page(user, None)[0]


def _password_page(user: User, error: str | None) -> tuple[str, int]:
    page = render_template("admin/password.html", user=user, error=error,
                           min_password=MIN_PASSWORD)
    return page, 400 if error else 200


@bp.post("/users/<id:user_id>/password")
@require("users.manage")
def password_reset(user_id: int) -> Response | tuple[str, int]:
    password = request.form.get("password", "")
    with services().database.transaction() as db:
        user = _target(db, user_id)
    if password != request.form.get("confirm", ""):
        return _password_page(user, gettext("admin.password_mismatch"))
    try:
        with services().database.transaction() as db:
            reset_password(db, user.username, password, actor=_actor(db))
    except AccountError as exc:
        return _password_page(user, gettext(exc.key, **exc.params))
    flash(gettext("admin.flash.password", name=user.username), "info")
    return _users_page()


def _latest_batch() -> Batch | None:
    with services().database.transaction() as db:
        return latest_screened_batch(db)


def _recent_deltas() -> list[ListDelta]:
    with services().database.transaction() as db:
        return recent_deltas(db)


@bp.get("/lists")
@require("dashboard.view")
def lists() -> str:
    return render_template("admin/lists.html",
                           view=lists_view(services().settings, current_language()),
                           latest=_latest_batch(), deltas=_recent_deltas())


@bp.get("/rules")
@require("dashboard.view")
def rules() -> str:
    return render_template("admin/rules.html",
                           view=rules_view(services().settings, current_language()),
                           latest=_latest_batch())
