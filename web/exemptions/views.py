"""Exemptions: the list with filters, one exemption, the four-eyes decision and revocation,
and the "remember as false positive" forms shown on the alert detail page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from aml_screen.store.accounts import usernames
from aml_screen.store.exemptions import (
    EXPIRING_SOON_DAYS,
    alert_pairs,
    decide,
    exemption_lists,
    get_exemption,
    judged_false_positive,
    list_exemptions,
    propose,
    revoke,
)
from aml_screen.store.models import EXEMPTION_STATUSES, Alert, User
from web.dates import parse_day
from web.i18n import gettext
from web.ids import form_id
from web.security import form_int, require, signed_in
from web.services import services

bp = Blueprint("exemptions", __name__, url_prefix="/exemptions")
NAV = [(40, "exemptions.index", "exemptions.nav", "exemptions.view")]


@bp.get("")
@require("exemptions.view")
def index() -> str:
    status = request.args.get("status", "")
    list_id = request.args.get("list", "")
    soon = request.args.get("soon") == "1"
    with services().database.transaction() as db:
        rows = list_exemptions(db, status=status if status in EXEMPTION_STATUSES else None,
                               list_id=list_id or None,
                               expiring_within=EXPIRING_SOON_DAYS if soon else None)
        lists = exemption_lists(db)
        names = usernames(db, {e.proposed_by_id for e in rows}
                          | {e.decided_by_id for e in rows if e.decided_by_id})
        for row in rows:
            db.expunge(row)
    return render_template("exemptions/list.html", rows=rows, names=names, lists=lists,
                           statuses=EXEMPTION_STATUSES, status=status, list_id=list_id,
                           soon=soon, soon_days=EXPIRING_SOON_DAYS)


@bp.get("/<id:exemption_id>")
@require("exemptions.view")
def detail(exemption_id: int) -> str:
    with services().database.transaction() as db:
        exemption = get_exemption(db, exemption_id)
        names = usernames(db, {exemption.proposed_by_id}
                           | ({exemption.decided_by_id} if exemption.decided_by_id else set()))
        db.expunge(exemption)
    return render_template("exemptions/detail.html", e=exemption, names=names,
                           today=date.today())


@bp.post("/propose")
@require("exemptions.propose")
def create() -> Response:
    hit_id = form_id("hit_id")
    with services().database.transaction() as db:
        exemption = propose(db, db.get_one(User, signed_in().id), hit_id,
                            request.form.get("reason", ""),
                            parse_day(request.form.get("expires_on")),
                            exemption_days=services().settings.exemption_days)
        alert_id = exemption.source_alert_id
    flash(gettext("exemptions.proposed"), "info")
    return redirect(url_for("alerts.detail", alert_id=alert_id) + "#exemptions")


def _decide(exemption_id: int, approve: bool) -> Response:
    with services().database.transaction() as db:
        decide(db, db.get_one(User, signed_in().id), exemption_id, form_int("version"), approve)
    flash(gettext("exemptions.approved" if approve else "exemptions.rejected"), "info")
    return redirect(url_for("exemptions.detail", exemption_id=exemption_id))


@bp.post("/<id:exemption_id>/approve")
@require("exemptions.decide")
def approve(exemption_id: int) -> Response:
    return _decide(exemption_id, True)


@bp.post("/<id:exemption_id>/reject")
@require("exemptions.decide")
def reject(exemption_id: int) -> Response:
    return _decide(exemption_id, False)


@bp.post("/<id:exemption_id>/revoke")
@require("exemptions.decide")
def end(exemption_id: int) -> Response:
    with services().database.transaction() as db:
        revoke(db, db.get_one(User, signed_in().id), exemption_id, form_int("version"))
    flash(gettext("exemptions.revoked"), "info")
    return redirect(url_for("exemptions.detail", exemption_id=exemption_id))


def exemptions_for_alert(db: Session, alert: Alert) -> list[dict[str, Any]]:
    """For the alert detail page (read in its transaction): each (party, entry) pair of the
    alert's watchlist hits, whether it can be remembered (its details are kept, the alert
    is closed as a false positive), and the latest exemption of that pair."""
    judged = judged_false_positive(alert)
    return [{"hit_id": hit.id, "party_name": hit.party_name, "list_id": hit.list_id,
             "entry_id": hit.entry_id, "matched_name": hit.matched_name,
             "keyed": pair is not None, "judged": judged,
             "exemption": ({"id": e.id, "status": e.status,
                            "expires_on": e.expires_on} if e else None)}
            for hit, pair, e in alert_pairs(db, alert.id)]


@bp.app_context_processor
def _alert_exemptions() -> dict[str, Any]:
    today = date.today()
    return {"exemption_default_expiry": today + timedelta(
                days=services().settings.exemption_days)}

