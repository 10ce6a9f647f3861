"""The dashboard's figures drawn as charts, with every label in the user's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from aml_screen.rules.sentences import typology_label
from aml_screen.store.dashboard import NO_TYPOLOGY, Dashboard, Rate
from web.charts.bars import HBar, Series, horizontal_bars, stacked_bars
from web.charts.line import line_chart
from web.i18n import current_language, format_number, gettext

DISPOSITION_COLOURS = {"false_positive": "#5b6475", "not_suspicious": "#1e6b3a",
                       "suspicious_reported": "#b3261e"}


@dataclass(frozen=True)
class DashboardCharts:
    created: Markup
    closed: Markup
    fp_by_rule: Markup
    fp_by_list: Markup
    time_to_close: Markup


def week_label(week: date) -> str:
    year, number, _ = week.isocalendar()
    return gettext("dashboard.week_short", year=year, week=f"{number:02d}")


def days(value: float) -> str:
    """A duration in days with the decimals a tick needs (0.25, 0.5 — never six "0.0"),
    written the user's way."""
    return format_number(round(value, 3) if value < 10 else round(value, 1))


def _percent(value: float) -> str:
    return f"{value:.0f} %"


def _rates(rows: list[Rate], title: str, chart_id: str) -> Markup:
    bars = [HBar(r.label, r.percent,
                 gettext("dashboard.fp_note", fp=r.false_positives, closed=r.closed))
            for r in rows]
    return horizontal_bars(bars, title=title, desc=gettext("dashboard.fp_desc"),
                           x_label=gettext("dashboard.fp_axis"), maximum=100.0,
                           fmt=_percent, chart_id=chart_id)


def dashboard_charts(board: Dashboard) -> DashboardCharts:
    weeks = [week_label(w) for w in board.weeks]
    week_axis = gettext("dashboard.week_axis")
    lang = current_language()
    created = stacked_bars(
        weeks, [Series(typology_label(name, lang) if name != NO_TYPOLOGY
                       else gettext("dashboard.no_typology"), counts)
                for name, counts in board.created.items()],
        title=gettext("dashboard.created_title"),
        desc=gettext("dashboard.created_desc", total=board.created_total),
        x_label=week_axis, y_label=gettext("dashboard.alerts_axis"), chart_id="chart-created")
    closed = stacked_bars(
        weeks, [Series(gettext(f"web.disposition.{name}"), counts,
                       DISPOSITION_COLOURS.get(name)) for name, counts in board.closed.items()],
        title=gettext("dashboard.closed_title"),
        desc=gettext("dashboard.closed_desc", total=board.closed_total),
        x_label=week_axis, y_label=gettext("dashboard.alerts_axis"), chart_id="chart-closed")
    time_to_close = line_chart(
        weeks, board.mean_days_to_close, title=gettext("dashboard.ttc_title"),
        desc=gettext("dashboard.ttc_desc"), x_label=week_axis,
        y_label=gettext("dashboard.days_axis"), fmt=days,
        chart_id="chart-ttc")
    return DashboardCharts(
        created=created, closed=closed,
        fp_by_rule=_rates(board.fp_by_rule, gettext("dashboard.fp_rule_title"), "chart-fp-rule"),
        fp_by_list=_rates(board.fp_by_list, gettext("dashboard.fp_list_title"), "chart-fp-list"),
        time_to_close=time_to_close,
    )
