from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from defusedxml.ElementTree import fromstring
from flask import Flask
from sqlalchemy import insert, select, update

from aml_screen.store.models import Alert, AlertLabel
from tests.store.samples import add_user
from tests.web.client import database, login

MONDAY = date(2025, 3, 3)
SVG = re.compile(r"<svg .*?</svg>", re.DOTALL)
EVIL = '<script>alert(1)</script>'


@pytest.fixture(scope="module")
def history(app: Flask) -> list[int]:
    """Alerts created over three weeks from ``MONDAY``; three closed (two false positives)
    and a rule label that is hostile markup."""
    start = datetime(2025, 3, 3, 9, tzinfo=UTC)
    with database(app).transaction() as session:
        ids = list(session.scalars(select(Alert.id).order_by(Alert.id)))
        for index, alert_id in enumerate(ids):
            created = start + timedelta(days=3 * index)
            closing = {0: "false_positive", 1: "false_positive", 2: "not_suspicious"}.get(index)
            session.execute(update(Alert).where(Alert.id == alert_id).values(
                created_at=created,
                status="closed" if closing else "new", disposition=closing,
                close_reason="homonym" if closing else None,
                closed_at=created + timedelta(days=2) if closing else None,
            ).execution_options(synchronize_session=False))
        session.execute(insert(AlertLabel), [{"alert_id": ids[0], "kind": "rule",
                                              "value": EVIL}])
    add_user(database(app), "binta", "supervisor", language="fr")
    return ids


def _page(app: Flask, user: str, query: str = "") -> str:
    client = app.test_client()
    login(client, user)
    response = client.get(f"/dashboard{query}")
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_dashboard_draws_every_chart_with_the_figures(app: Flask, history: list[int]) -> None:
    page = _page(app, "salif", "?from=2025-03-03&to=2025-03-30")
    charts = SVG.findall(page)
    assert len(charts) == 5
    for chart in charts:
        fromstring(chart)  # well-formed XML
    assert "8 alerts created and 3 closed from Mar 3, 2025 to Mar 30, 2025." in page
    closed = page.split('id="closed"')[1].split("</section>")[0]
    rows = re.findall(r"<tr><td>(W\d\d) \([-\d]+\)</td>(.*?)</tr>", closed, re.DOTALL)
    cells = {week: re.findall(r'<td class="num">([^<]*)</td>', rest) for week, rest in rows}
    # alerts 0, 1, 2 created on days 0, 3, 6 and closed two days later: W10 has two
    # closings (days 2 and 5), W11 one (day 8); each took two days.
    assert cells["W10"] == ["2", "0", "0", "2.0"]
    assert cells["W11"] == ["0", "1", "0", "2.0"]
    assert cells["W12"] == ["0", "0", "0", "—"]
    fp_list = page.split('id="fp-list"')[1].split("</section>")[0]
    assert re.search(r"<td>sample_\w+</td><td class=\"num\">\d</td>", fp_list)
    assert "class=\"bar\"" in page


def test_hostile_labels_are_escaped_in_charts_and_tables(app: Flask,
                                                         history: list[int]) -> None:
    page = _page(app, "aminata", "?from=2025-03-03&to=2025-03-30")
    assert EVIL not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_dashboard_speaks_french(app: Flask, history: list[int]) -> None:
    page = _page(app, "binta", "?from=2025-03-30&to=2025-03-03")  # reversed on purpose
    assert "Tableau de bord" in page
    assert "Taux de faux positifs par liste" in page
    assert "Semaine (ISO, UTC)" in page
    assert "8 alertes créées et 3 clôturées du 3 mars 2025 au 30 mars 2025." in page


def test_default_range_is_the_last_26_weeks(app: Flask, history: list[int]) -> None:
    page = _page(app, "root")
    created = page.split('id="created"')[1].split("</section>")[0]
    assert len(re.findall(r"<tr><td>W\d\d \(", created)) == 26
    assert f'name="to" value="{date.today():%d/%m/%Y}"' in page
