"""The dashboard's words agree with its figures: a rate chart with nothing to draw says why
when alerts were closed, typologies are named in the user's language in full, and the
time-to-close axis never repeats a label."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import delete, select, update

from aml_screen.store.models import Alert, AlertLabel
from tests.web.client import database, login
from web.dashboard.charts import days


def test_a_rate_chart_without_rules_says_how_many_alerts_were_closed(app: Flask) -> None:
    start = datetime(2025, 3, 3, 9, tzinfo=UTC)
    with database(app).transaction() as session:
        chosen = list(session.scalars(select(Alert.id).order_by(Alert.id).limit(3)))
        session.execute(delete(AlertLabel).where(AlertLabel.alert_id.in_(chosen),
                                                 AlertLabel.kind == "rule"))
        session.execute(update(Alert).where(Alert.id.in_(chosen)).values(
            created_at=start, status="closed", disposition="false_positive",
            close_reason="homonym", closed_at=start + timedelta(hours=5))
            .execution_options(synchronize_session=False))
        session.execute(update(Alert).where(Alert.id.not_in(chosen)).values(
            created_at=start).execution_options(synchronize_session=False))
    client = app.test_client()
    login(client, "salif")
    page = client.get("/dashboard?from=2025-03-03&to=2025-03-09").get_data(as_text=True)
    rule_section = page.split('id="fp-rule"')[1].split("</section>")[0]
    assert "None of the 3 alerts closed in this range came from a rule" in rule_section
    created = page.split('id="created"')[1].split("</section>")[0]
    assert "sanctions<" not in created
    assert ">Sanctions and watchlists<" in created
    ttc = page.split('id="time-to-close"')[1].split("</section>")[0]
    labels = re.findall(r'<text[^>]*text-anchor="end"[^>]*>([^<]+)</text>', ttc)
    assert labels
    assert len(labels) == len(set(labels))


def test_days_keep_the_decimals_a_tick_needs(app: Flask) -> None:
    with app.test_request_context("/"):
        ticks = [days(v) for v in (0.0, 0.05, 0.1, 0.15, 0.2, 0.25)]
        assert len(set(ticks)) == len(ticks)
        assert days(12.345) == "12.3"
