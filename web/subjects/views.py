"""Search over every stored batch (``/search``) and a subject's profile
(``/subjects/<id>``): names, identifiers, links with their reasons, transactions with
totals per currency and month, counterparties, alerts and cases. Both views are audited by
the store operations they call."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from werkzeug.wrappers import Response

from aml_screen.store.models import User
from aml_screen.store.subject_decisions import decisions_of, merge_subjects, split_subject
from aml_screen.store.subject_graph import GraphFilter, subject_graph
from aml_screen.store.subject_profile import (
    ActivityFilter,
    Profile,
    subject_profile,
    view_subject,
)
from aml_screen.store.subject_search import search_as
from aml_screen.subjects.describe import describe_link
from web.charts.bars import Series, stacked_bars
from web.dates import parse_day
from web.i18n import current_language, format_amount, format_number, gettext, ngettext
from web.security import require, signed_in
from web.services import services

bp = Blueprint("subjects", __name__)
NAV = [(15, "subjects.search", "web.nav.search", "subjects.view")]
SUBJECT_ID = re.compile(r"^S[0-9a-f]{16}$")
QUERY_LIMIT = 200
"""Longest query kept (a name, an account or a reference is far shorter)."""


@bp.get("/search")
@require("subjects.view")
def search() -> str:
    query = request.args.get("q", "").strip()[:QUERY_LIMIT]
    results = []
    if query:
        with services().database.transaction() as db:
            results = search_as(db, db.get_one(User, signed_in().id), query)
    return render_template("subjects/search.html", query=query, results=results)


def _page(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 1


@bp.get("/subjects/<subject_id>")
@require("subjects.view")
def profile(subject_id: str) -> str | Response:
    if not SUBJECT_ID.match(subject_id):
        abort(404)
    flt = ActivityFilter(date_from=parse_day(request.args.get("from")),
                         date_to=parse_day(request.args.get("to")),
                         direction=request.args.get("direction") or None,
                         currency=(request.args.get("currency") or "")[:3].upper() or None)
    with services().database.transaction() as db:
        found = view_subject(db, subject_id, db.get_one(User, signed_in().id), flt,
                             _page(request.args.get("page")))
        db.expunge_all()
    if found.subject.id != subject_id:  # merged into another since: its profile
        return redirect(url_for("subjects.profile", subject_id=found.subject.id))
    lang = current_language()
    links = [(link, describe_link(link.code, link.params or "{}", lang))
             for link in found.links]
    args = {k: v for k, v in request.args.items() if k in ("from", "to", "direction",
                                                              "currency") and v}
    with services().database.transaction() as db:
        decisions = decisions_of(db, found.subject.id)
        db.expunge_all()
    return render_template("subjects/profile.html", p=found, links=links, flt=flt,
                           args=args, charts=_month_charts(found), decisions=decisions)


def _amount(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _graph_filter() -> GraphFilter:
    return GraphFilter(date_from=parse_day(request.args.get("from")),
                       date_to=parse_day(request.args.get("to")),
                       min_amount=_amount(request.args.get("min_amount")))


@bp.get("/subjects/<subject_id>/graph")
@require("subjects.view")
def graph(subject_id: str) -> str:
    """The link chart page: the chart is drawn by ``graph.js`` from ``graph.json``."""
    with services().database.transaction() as db:
        found = view_subject(db, _subject_or_404(subject_id), db.get_one(User, signed_in().id))
        subject = found.subject
        db.expunge_all()
    hops = _hops(request.args.get("hops"))
    args = {k: v for k, v in request.args.items() if k in ("from", "to", "min_amount") and v}
    return render_template("subjects/graph.html", subject=subject, hops=hops, args=args,
                           flt=_graph_filter())


def _hops(text: str | None) -> int:
    return int(text) if text in ("1", "2", "3") else 2


@bp.get("/subjects/<subject_id>/graph.json")
@require("subjects.view")
def graph_data(subject_id: str) -> Response:
    """The chart's elements in Cytoscape.js form; amounts as text (exact decimals)."""
    with services().database.transaction() as db:
        found = subject_graph(db, _subject_or_404(subject_id), _hops(request.args.get("hops")),
                              _graph_filter())
    nodes = [{"data": {
        "id": n.subject_id, "label": n.name or n.subject_id, "records": n.records,
        "hop": n.hop, "root": n.subject_id == found.root, "alerted": n.alerted,
        "listed": n.listed, "under_case": n.under_case,
        "url": url_for("subjects.profile", subject_id=n.subject_id)}} for n in found.nodes]
    edges = [{"data": {
        "id": f"{e.source}>{e.target}:{e.currency}", "source": e.source, "target": e.target,
        "currency": e.currency, "total": str(e.total), "count": e.count,
        "label": f"{format_amount(e.total)} {e.currency or ''} ({format_number(e.count)})"}}
        for e in found.edges]
    return jsonify({"root": found.root, "capped": found.capped, "elements":
                    {"nodes": nodes, "edges": edges}})


def _subject_or_404(subject_id: str) -> str:
    if not SUBJECT_ID.match(subject_id):
        abort(404)
    return subject_id


@bp.post("/subjects/<subject_id>/merge")
@require("subjects.decide")
def merge(subject_id: str) -> Response:
    """Merge another subject (its id, as search shows it) into this one."""
    other = request.form.get("other", "").strip()
    with services().database.transaction() as db:
        kept = merge_subjects(db, db.get_one(User, signed_in().id), _subject_or_404(subject_id),
                              other, request.form.get("reason", ""))
        kept_id = kept.id
    flash(gettext("web.subject.merged", other=other), "info")
    return redirect(url_for("subjects.profile", subject_id=kept_id))


@bp.post("/subjects/<subject_id>/split")
@require("subjects.decide")
def split(subject_id: str) -> Response:
    """Split the ticked spellings (a name as one batch wrote it) off into a new subject."""
    chosen = [_spelling_key(value) for value in request.form.getlist("spelling")]
    with services().database.transaction() as db:
        found = subject_profile(db, _subject_or_404(subject_id))
        activity = found.activity
        parties = [(int(row["batch_id"]), row["transaction_id"], row["party_role"])
                   for row in activity.iter_rows(named=True)
                   if (row["batch_id"], row["name"]) in chosen]
        created = split_subject(db, db.get_one(User, signed_in().id), found.subject.id,
                                parties, request.form.get("reason", ""))
        created_id = created.id
    flash(ngettext("web.subject.split_done", len(parties)), "info")
    return redirect(url_for("subjects.profile", subject_id=created_id))


def _spelling_key(value: str) -> tuple[int, str]:
    """A ticked spelling: ``<batch id>|<name as written>``."""
    batch, _, name = value.partition("|")
    if not batch.isdigit() or len(batch) > 12:
        abort(400)
    return int(batch), name


def _month_charts(found: Profile) -> list[tuple[str, Markup]]:
    """One chart per currency (amounts in two currencies are never on one axis): received
    and sent per month."""
    charts = []
    for currency in found.totals.get_column("currency").to_list()[:3]:
        months = found.months.filter(found.months["currency"] == currency)
        if months.is_empty():
            continue
        labels = months.get_column("month").to_list()
        received = [float(v) for v in months.get_column("received").to_list()]
        sent = [float(v) for v in months.get_column("sent").to_list()]
        total = format_amount(sum(months.get_column("received").to_list()))
        chart = stacked_bars(
            labels,
            [Series(gettext("web.subject.received"), received, "#2f7d5b"),
             Series(gettext("web.subject.sent"), sent, "#b4533a")],
            title=gettext("web.subject.months_title", currency=currency),
            desc=gettext("web.subject.months_desc", currency=currency, received=total),
            x_label=gettext("web.subject.month"),
            y_label=currency, chart_id=f"months-{currency}")
        charts.append((currency, chart))
    return charts
