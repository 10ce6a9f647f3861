"""The alert queue, the alert detail and triage (status, assignment, comments, take next)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from aml_screen.rules.used import batch_rules
from aml_screen.store.accounts import get_user
from aml_screen.store.alert_queue import (
    alert_detail,
    filter_choices,
    list_alerts,
    status_counts,
)
from aml_screen.store.audit import record
from aml_screen.store.models import ALERT_STATUSES, DISPOSITIONS, User
from aml_screen.store.subject_activity import subject_activity
from aml_screen.store.triage import (
    TRANSITIONS,
    add_comment,
    assign,
    change_status,
    close_many,
    take_next,
)
from web.alerts.cards import entry_cards, rule_cards
from web.alerts.filters import FILTER_FIELDS, parse_filter, parse_versions
from web.alerts.pictures import activity_pictures
from web.i18n import current_language, gettext
from web.security import form_int, require, signed_in
from web.services import services

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
NAV = [(10, "alerts.queue", "web.nav.alerts", "alerts.view")]


@bp.get("")
@require("alerts.view")
def queue() -> str:
    flt = parse_filter(request.args, signed_in().id)
    with services().database.transaction() as db:
        page = list_alerts(db, flt)
        counts = status_counts(db, flt)
        choices = filter_choices(db)
    args = {k: v for k, v in request.args.items() if k in FILTER_FIELDS and v}
    return render_template("alerts/queue.html", page=page, counts=counts, choices=choices,
                           flt=flt, args=args, statuses=ALERT_STATUSES,
                           dispositions=DISPOSITIONS)


@bp.post("/bulk-close")
@require("alerts.triage")
def bulk_close() -> Response:
    """Close the ticked alerts with one disposition and reason; alerts changed meanwhile are
    reported, not closed (see ``close_many``)."""
    versions = parse_versions(request.form.getlist("alert"))
    with services().database.transaction() as db:
        done = close_many(db, db.get_one(User, signed_in().id), versions,
                          request.form.get("disposition", ""), request.form.get("reason", ""))
    flash(gettext("web.bulk.closed", count=len(done.closed)), "info")
    if done.conflicts:
        flash(gettext("web.bulk.conflicts", count=len(done.conflicts),
                      ids=", ".join(f"#{i}" for i in done.conflicts)), "error")
    if done.refused:
        flash(gettext("web.bulk.refused", count=len(done.refused),
                      ids=", ".join(f"#{i}" for i in done.refused)), "error")
    back = request.form.get("back", "")
    if not back.startswith("/alerts") or back.startswith("//"):
        back = url_for("alerts.queue")
    return redirect(back)


@bp.post("/next")
@require("alerts.triage")
def next_alert() -> Response:
    with services().database.transaction() as db:
        alert = take_next(db, db.get_one(User, signed_in().id))
        alert_id = alert.id if alert else None
    if alert_id is None:
        flash(gettext("web.alerts.none_left"), "info")
        return redirect(url_for("alerts.queue"))
    return redirect(url_for("alerts.detail", alert_id=alert_id))


@bp.get("/<int:alert_id>")
@require("alerts.view")
def detail(alert_id: int) -> str:
    me = signed_in()
    with services().database.transaction() as db:
        found = alert_detail(db, alert_id)
        record(db, db.get_one(User, me.id), "alert.view", "alert", alert_id,
               after={"subject_id": found.alert.subject_id})
        users = list(db.scalars(select(User.username).where(User.active.is_(True))
                                .order_by(User.username)))
        activity = subject_activity(db, found.alert)
    lang = current_language()
    rules = batch_rules(services().settings, found.batch.rule_digest)
    return render_template("alerts/detail.html", d=found, a=found.alert,
                           cards=entry_cards(found.hits, lang),
                           rule_cards=rule_cards(found.rule_hits, rules, lang),
                           moves=TRANSITIONS[found.alert.status], dispositions=DISPOSITIONS,
                           users=users, activity=activity,
                           pictures=activity_pictures(activity, found.alert.subject_name))


@bp.post("/<int:alert_id>/status")
@require("alerts.triage")
def set_status(alert_id: int) -> Response:
    with services().database.transaction() as db:
        change_status(db, alert_id, db.get_one(User, signed_in().id),
                      request.form.get("status", ""), form_int("version"),
                      disposition=request.form.get("disposition") or None,
                      reason=request.form.get("reason"))
    flash(gettext("web.alerts.saved"), "info")
    return redirect(url_for("alerts.detail", alert_id=alert_id))


@bp.post("/<int:alert_id>/assign")
@require("alerts.assign")
def reassign(alert_id: int) -> Response:
    name = request.form.get("assignee", "")
    with services().database.transaction() as db:
        assignee = get_user(db, name) if name else None
        assign(db, alert_id, db.get_one(User, signed_in().id), assignee, form_int("version"))
    flash(gettext("web.alerts.saved"), "info")
    return redirect(url_for("alerts.detail", alert_id=alert_id))


@bp.post("/<int:alert_id>/comments")
@require("alerts.triage")
def comment(alert_id: int) -> Response:
    with services().database.transaction() as db:
        add_comment(db, alert_id, db.get_one(User, signed_in().id), request.form.get("body", ""))
    return redirect(url_for("alerts.detail", alert_id=alert_id) + "#comments")
