"""The alert queue, the alert detail and triage (status, assignment, comments, take next)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from aml_screen.rules.used import batch_rule_set
from aml_screen.store.accounts import get_user
from aml_screen.store.alert_queue import (
    COUNT_CAP,
    filter_choices,
    queue_view,
    view_alert,
)
from aml_screen.store.models import ALERT_STATUSES, DISPOSITIONS, User
from aml_screen.store.subject_context import cases_of_subjects
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
from web.cases.views import cases_for_alert
from web.exemptions.views import exemptions_for_alert
from web.i18n import current_language, format_amount, gettext
from web.security import form_int, require, signed_in
from web.services import services

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
NAV = [(10, "alerts.queue", "web.nav.alerts", "alerts.view")]
TABLE_ROWS = 200
"""Rows of the activity table under the timeline (the newest): a busy subject's thousands
made the page over 1 MB and most of its rendering time; the subject's profile pages through
all."""


@bp.get("")
@require("alerts.view")
def queue() -> str:
    flt = parse_filter(request.args, signed_in().id)
    with services().database.transaction() as db:
        counts, page = queue_view(db, flt)
        choices = filter_choices(db)
        under_case = cases_of_subjects(db, [alert.id for alert, _ in page.items])
    return render_template("alerts/queue.html", page=page, counts=_shown(counts),
                           capped=format_amount(Decimal(COUNT_CAP)), choices=choices, flt=flt,
                           args=_filter_args(request.args), statuses=ALERT_STATUSES,
                           under_case=under_case,
                           dispositions=DISPOSITIONS)


def _filter_args(values: MultiDict[str, str]) -> dict[str, Any]:
    """The queue's filter as given in a query string or a form (empty values dropped)."""
    return {k: v for k, v in values.items() if k in FILTER_FIELDS and v}


def _count(number: int) -> str:
    if number > COUNT_CAP:
        return gettext("web.queue.count_more", count=format_amount(Decimal(COUNT_CAP)))
    return str(number)


def _shown(counts: dict[str, int]) -> dict[str, str]:
    """Each tab's count as shown: per status, open (all but closed) and all; a count
    that reached the cap reads "1,000+" (so does any sum including one)."""
    tabs = {**counts, "open": sum(n for s, n in counts.items() if s != "closed"),
            "all": sum(counts.values())}
    return {tab: _count(number) for tab, number in tabs.items()}


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
    """The next alert of the queue the user is looking at (its filter is posted along)."""
    me = signed_in()
    flt = parse_filter(request.form, me.id)
    with services().database.transaction() as db:
        alert = take_next(db, db.get_one(User, me.id), flt)
        alert_id = alert.id if alert else None
    if alert_id is None:
        flash(gettext("web.alerts.none_left"), "info")
        return redirect(url_for("alerts.queue", **_filter_args(request.form)))
    return redirect(url_for("alerts.detail", alert_id=alert_id))


@bp.get("/<id:alert_id>")
@require("alerts.view")
def detail(alert_id: int) -> str:
    me = signed_in()
    with services().database.transaction() as db:
        page = view_alert(db, alert_id, db.get_one(User, me.id))
        case_panel = (cases_for_alert(db, page.detail.alert) if me.can("cases.view")
                      else None)
        exemption_pairs = (exemptions_for_alert(db, page.detail.alert)
                           if me.can("exemptions.view") else None)
    found, activity = page.detail, page.activity
    lang = current_language()
    settings = services().settings
    rule_set = batch_rule_set(settings, found.batch.rule_digest)
    rules = {rule.id: rule for rule in rule_set.rules} if rule_set is not None else {}
    return render_template("alerts/detail.html", d=found, a=found.alert,
                           cards=entry_cards(found.hits, lang),
                           rule_cards=rule_cards(found.rule_hits, rules, lang),
                           moves=TRANSITIONS[found.alert.status], dispositions=DISPOSITIONS,
                           users=page.users, activity=activity, table_rows=TABLE_ROWS,
                           case_panel=case_panel, exemption_pairs=exemption_pairs,
                           pictures=activity_pictures(
                               activity, found.alert.subject_name,
                               rule_set.parameters if rule_set is not None else None,
                               settings.local_currency))


@bp.post("/<id:alert_id>/status")
@require("alerts.triage")
def set_status(alert_id: int) -> Response:
    with services().database.transaction() as db:
        change_status(db, alert_id, db.get_one(User, signed_in().id),
                      request.form.get("status", ""), form_int("version"),
                      disposition=request.form.get("disposition") or None,
                      reason=request.form.get("reason"))
    flash(gettext("web.alerts.saved"), "info")
    return redirect(url_for("alerts.detail", alert_id=alert_id))


@bp.post("/<id:alert_id>/assign")
@require("alerts.assign")
def reassign(alert_id: int) -> Response:
    name = request.form.get("assignee", "")
    with services().database.transaction() as db:
        assignee = get_user(db, name) if name else None
        assign(db, alert_id, db.get_one(User, signed_in().id), assignee, form_int("version"))
    flash(gettext("web.alerts.saved"), "info")
    return redirect(url_for("alerts.detail", alert_id=alert_id))


@bp.post("/<id:alert_id>/comments")
@require("alerts.triage")
def comment(alert_id: int) -> Response:
    with services().database.transaction() as db:
        add_comment(db, alert_id, db.get_one(User, signed_in().id), request.form.get("body", ""))
    return redirect(url_for("alerts.detail", alert_id=alert_id) + "#comments")
