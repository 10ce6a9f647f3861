"""The audit trail viewer: events newest first with filters, each event's before/after in
the reader's words, and the hash chain's status. Read-only: no route here changes or
removes an event.

Checking the chain reads every event. Up to ``AUDIT_AUTO_VERIFY_LIMIT`` events (app config,
default ``AUTO_VERIFY_LIMIT``) it is checked on every visit; above that only when asked
(``/audit/chain``), so a large trail does not slow each page down."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from aml_screen.store.audit import ChainReport, describe_chain, verify_chain
from aml_screen.store.audit_trail import (
    event_count,
    event_with_users,
    filter_choices,
    list_events,
    user_names,
)
from web.audit.trail import FILTER_FIELDS, parse_filter
from web.audit.words import known_actions, object_words, shown_event
from web.i18n import current_language
from web.security import require
from web.services import services

bp = Blueprint("audit", __name__, url_prefix="/audit")
NAV = [(90, "audit.index", "audit.nav", "audit.view")]
AUTO_VERIFY_LIMIT = 20_000


def _verify() -> ChainReport:
    with services().database.transaction() as db:
        return verify_chain(db)


@bp.get("")
@require("audit.view")
def index() -> str:
    flt = parse_filter(request.args)
    with services().database.transaction() as db:
        page = list_events(db, flt)
        users = user_names(db, page.items)
        choices = filter_choices(db)
        total = event_count(db)
    limit = int(current_app.config.get("AUDIT_AUTO_VERIFY_LIMIT", AUTO_VERIFY_LIMIT))
    report = _verify() if total <= limit else None
    args = {k: v for k, v in request.args.items() if k in FILTER_FIELDS and v}
    object_types = [(code, object_words(code) or code) for code in choices["object_type"]]
    return render_template("audit/index.html", page=page, flt=flt, args=args,
                           events=[shown_event(event, users) for event in page.items],
                           actors=choices["actor"], object_types=object_types,
                           actions=known_actions(), report=report, total=total,
                           status=describe_chain(report, current_language()) if report else None)


@bp.get("/chain")
@require("audit.view")
def chain() -> str:
    report = _verify()
    return render_template("audit/chain.html", report=report,
                           status=describe_chain(report, current_language()))


@bp.get("/events/<id:event_id>")
@require("audit.view")
def event(event_id: int) -> str:
    with services().database.transaction() as db:
        found = event_with_users(db, event_id)
    if found is None:
        abort(404)
    return render_template("audit/event.html", shown=shown_event(*found))
