"""The supervisors' and auditors' dashboard: alert trends drawn as charts, each with its
figures in a table below."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from aml_screen.store.dashboard import dashboard, default_range
from web.dashboard.charts import dashboard_charts, week_label
from web.dates import parse_day
from web.security import require
from web.services import services

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
NAV = [(50, "dashboard.index", "dashboard.nav", "dashboard.view")]
MAX_DAYS = 3 * 366
"""The longest range drawn (three years of weekly bars)."""


def chosen_range(today: date) -> tuple[date, date]:
    """The range asked for, else the default; a reversed range is put in order and an
    overlong one cut to its last ``MAX_DAYS`` days."""
    start, end = default_range(today)
    start = parse_day(request.args.get("from")) or start
    end = parse_day(request.args.get("to")) or end
    if start > end:
        start, end = end, start
    if (end - start).days > MAX_DAYS:
        start = date.fromordinal(end.toordinal() - MAX_DAYS)
    return start, end


@bp.get("")
@require("dashboard.view")
def index() -> str:
    start, end = chosen_range(date.today())
    with services().database.transaction() as db:
        board = dashboard(db, start, end)
    return render_template("dashboard/index.html", board=board, charts=dashboard_charts(board),
                           weeks=[week_label(w) for w in board.weeks])
