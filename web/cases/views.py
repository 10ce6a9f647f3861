"""Cases: the list, the detail, every change (each carrying the case version the user saw,
so a stale save is a 409 conflict, never a lost update), evidence packages (prepare,
approve, download) and the cases panel on the alert page (``cases_for_alert``, read by
the alert view)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from aml_screen.store import cases
from aml_screen.store.accounts import active_usernames, get_user
from aml_screen.store.evidence_packages import approve, download, prepare
from aml_screen.store.models import CASE_DISPOSITIONS, CASE_STATUSES, Alert, User
from web.i18n import gettext
from web.ids import form_id, form_ids, page_number
from web.security import form_int, require, signed_in
from web.services import services

bp = Blueprint("cases", __name__, url_prefix="/cases")
NAV = [(30, "cases.index", "cases.nav", "cases.view")]
FILTER_FIELDS = ("status", "assignee", "subject")


def _actor(db: Session) -> User:
    return db.get_one(User, signed_in().id)


def _to_case(case_id: int, anchor: str = "") -> Response:
    return redirect(url_for("cases.detail", case_id=case_id) + anchor)


def parse_filter(args: MultiDict[str, str], viewer_id: int) -> cases.CaseFilter:
    status = args.get("status", "open")
    return cases.CaseFilter(
        status=status if status in CASE_STATUSES else None,
        assignee=args.get("assignee") or None, viewer_id=viewer_id,
        subject=(args.get("subject") or "").strip() or None,
        page=page_number(args.get("page")))


def cases_for_alert(db: Session, alert: Alert) -> dict[str, Any]:
    """For the alert page (read in its transaction): the cases holding the alert, and the
    open cases about the same subject it could be added to."""
    return {"containing": cases.cases_of_alert(db, alert.id),
            "candidates": cases.open_cases_about(db, alert.subject_type, alert.subject_id,
                                                 excluding_alert=alert.id)}


@bp.get("")
@require("cases.view")
def index() -> str:
    flt = parse_filter(request.args, signed_in().id)
    with services().database.transaction() as db:
        page = cases.list_cases(db, flt)
        users = active_usernames(db)
    args = {k: v for k, v in request.args.items() if k in FILTER_FIELDS and v}
    return render_template("cases/index.html", page=page, flt=flt, args=args, users=users,
                           statuses=CASE_STATUSES)


@bp.post("")
@require("cases.edit")
def create() -> Response:
    ids = form_ids("alert_id")
    with services().database.transaction() as db:
        case = cases.open_case(db, _actor(db), ids, request.form.get("title"))
        case_id = case.id
    flash(gettext("cases.opened", case_id=case_id), "info")
    return _to_case(case_id)


@bp.get("/<id:case_id>")
@require("cases.view")
def detail(case_id: int) -> str:
    with services().database.transaction() as db:
        found = cases.view_case(db, case_id, _actor(db))
        users = active_usernames(db)
    return render_template("cases/detail.html", d=found, case=found.case, users=users,
                           dispositions=CASE_DISPOSITIONS)


@bp.post("/<id:case_id>/alerts")
@require("cases.edit")
def add_alert(case_id: int) -> Response:
    with services().database.transaction() as db:
        cases.add_alert(db, case_id, _actor(db), form_id("alert_id"), form_int("version"))
    flash(gettext("cases.saved"), "info")
    return _to_case(case_id, "#alerts")


@bp.post("/<id:case_id>/alerts/<id:alert_id>/remove")
@require("cases.edit")
def remove_alert(case_id: int, alert_id: int) -> Response:
    with services().database.transaction() as db:
        cases.remove_alert(db, case_id, _actor(db), alert_id, form_int("version"))
    flash(gettext("cases.saved"), "info")
    return _to_case(case_id, "#alerts")


@bp.post("/<id:case_id>/notes")
@require("cases.edit")
def add_note(case_id: int) -> Response:
    with services().database.transaction() as db:
        cases.add_note(db, case_id, _actor(db), request.form.get("body", ""))
    return _to_case(case_id, "#notes")


@bp.post("/<id:case_id>/edit")
@require("cases.edit")
def edit(case_id: int) -> Response:
    with services().database.transaction() as db:
        cases.edit(db, case_id, _actor(db), form_int("version"), request.form.get("title", ""),
                   request.form.get("narrative", ""))
    flash(gettext("cases.saved"), "info")
    return _to_case(case_id)


@bp.post("/<id:case_id>/close")
@require("cases.edit")
def close(case_id: int) -> Response:
    with services().database.transaction() as db:
        cases.close(db, case_id, _actor(db), form_int("version"),
                    request.form.get("disposition", ""))
    flash(gettext("cases.saved"), "info")
    return _to_case(case_id)


@bp.post("/<id:case_id>/reopen")
@require("cases.edit")
def reopen(case_id: int) -> Response:
    with services().database.transaction() as db:
        cases.reopen(db, case_id, _actor(db), form_int("version"))
    flash(gettext("cases.saved"), "info")
    return _to_case(case_id)


@bp.post("/<id:case_id>/assign")
@require("cases.edit")
def assign(case_id: int) -> Response:
    name = request.form.get("assignee", "")
    with services().database.transaction() as db:
        assignee = get_user(db, name) if name else None
        cases.assign(db, case_id, _actor(db), assignee, form_int("version"))
    flash(gettext("cases.saved"), "info")
    return _to_case(case_id)


@bp.post("/<id:case_id>/packages")
@require("evidence.prepare")
def prepare_package(case_id: int) -> Response:
    with services().database.transaction() as db:
        package = prepare(db, case_id, _actor(db), form_int("version"))
        digest = package.sha256
    flash(gettext("cases.package_prepared", sha256=digest), "info")
    return _to_case(case_id, "#packages")


@bp.post("/<id:case_id>/packages/<id:package_id>/approve")
@require("evidence.approve")
def approve_package(case_id: int, package_id: int) -> Response:
    with services().database.transaction() as db:
        package = approve(db, case_id, package_id, _actor(db))
        digest = package.approved_sha256
    flash(gettext("cases.package_approved", sha256=digest), "info")
    return _to_case(case_id, "#packages")


@bp.get("/<id:case_id>/packages/<id:package_id>.zip")
@require("cases.view")
def download_package(case_id: int, package_id: int) -> Response:
    with services().database.transaction() as db:
        name, content = download(db, case_id, package_id, _actor(db))
    return Response(content, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
