"""Webhooks, in the admin area (``users.manage``): register an endpoint for the events it
wants, disable, enable or remove it, rotate its secret, send it a test event, and read its
delivery history page by page. A new or rotated secret is shown once, in the page answering
the post — never put in a redirect, a flash message (the session cookie is signed, not
encrypted) or the store in clear. Every change goes through ``store/webhook_endpoints.py``,
which audits it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from aml_screen.store.errors import WebhookError
from aml_screen.store.ids import parse_id
from aml_screen.store.models import WEBHOOK_EVENTS, User
from aml_screen.store.secret_box import WEBHOOKS
from aml_screen.store.webhook_deliveries import delivery_history
from aml_screen.store.webhook_endpoints import (
    EndpointSecret,
    create_endpoint,
    get_endpoint,
    list_endpoints,
    remove_endpoint,
    rotate_secret,
    send_test,
    set_active,
)
from web.i18n import gettext
from web.security import require, secret_box, signed_in
from web.services import services

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
DELIVERIES_PER_PAGE = 25


def _page(shown: EndpointSecret | None = None, error: str | None = None,
          form: dict[str, object] | None = None) -> tuple[str, int]:
    with services().database.transaction() as db:
        rows = list_endpoints(db)
    page = render_template("webhooks/index.html", rows=rows, shown=shown, error=error,
                           form=form or {"events": ["alert.created"]}, events=WEBHOOK_EVENTS)
    return page, 400 if error else 200


def _index() -> Response:
    return redirect(url_for("webhooks.index"), code=303)


@bp.get("")
@require("users.manage")
def index() -> tuple[str, int]:
    return _page()


def _min_risk(text: str) -> float:
    try:
        return float(text) if text else 0.0
    except ValueError:
        raise WebhookError("webhook.bad_min_risk", value=text[:12]) from None


@bp.post("")
@require("users.manage")
def create() -> tuple[str, int]:
    form: dict[str, object] = {name: request.form.get(name, "").strip()
                               for name in ("url", "description", "min_risk")}
    form["events"] = request.form.getlist("event")
    try:
        with services().database.transaction() as db:
            shown = create_endpoint(db, str(form["url"]), request.form.getlist("event"),
                                    secret_box(WEBHOOKS),
                                    description=str(form["description"]),
                                    min_risk=_min_risk(str(form["min_risk"])),
                                    actor=db.get_one(User, signed_in().id))
    except WebhookError as exc:
        return _page(error=gettext(exc.key, **exc.params), form=form)
    return _page(shown=shown)


def _switch(endpoint_id: int, active: bool) -> Response:
    with services().database.transaction() as db:
        url = set_active(db, endpoint_id, active, db.get_one(User, signed_in().id)).url
    flash(gettext("webhooks.flash.enabled" if active else "webhooks.flash.disabled", url=url),
          "info")
    return _index()


@bp.post("/<id:endpoint_id>/disable")
@require("users.manage")
def disable(endpoint_id: int) -> Response:
    return _switch(endpoint_id, False)


@bp.post("/<id:endpoint_id>/enable")
@require("users.manage")
def enable(endpoint_id: int) -> Response:
    return _switch(endpoint_id, True)


@bp.post("/<id:endpoint_id>/remove")
@require("users.manage")
def remove(endpoint_id: int) -> Response:
    with services().database.transaction() as db:
        url = remove_endpoint(db, endpoint_id, db.get_one(User, signed_in().id)).url
    flash(gettext("webhooks.flash.removed", url=url), "info")
    return _index()


@bp.post("/<id:endpoint_id>/rotate")
@require("users.manage")
def rotate(endpoint_id: int) -> tuple[str, int]:
    with services().database.transaction() as db:
        shown = rotate_secret(db, endpoint_id, secret_box(WEBHOOKS),
                              db.get_one(User, signed_in().id))
    return _page(shown=shown)


@bp.post("/<id:endpoint_id>/test")
@require("users.manage")
def try_endpoint(endpoint_id: int) -> Response:
    try:
        with services().database.transaction() as db:
            send_test(db, endpoint_id, db.get_one(User, signed_in().id))
    except WebhookError as exc:
        flash(gettext(exc.key, **exc.params), "error")
        return _index()
    flash(gettext("webhooks.flash.test_sent"), "info")
    return redirect(url_for("webhooks.deliveries", endpoint_id=endpoint_id), code=303)


@bp.get("/<id:endpoint_id>")
@require("users.manage")
def deliveries(endpoint_id: int) -> str:
    requested = parse_id(request.args.get("page")) or 1
    with services().database.transaction() as db:
        endpoint = get_endpoint(db, endpoint_id)
        page = delivery_history(db, endpoint_id, requested, DELIVERIES_PER_PAGE)
    return render_template("webhooks/deliveries.html", endpoint=endpoint, page=page)
