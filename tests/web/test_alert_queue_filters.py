"""The queue page at volume: "take the next alert" takes it from the queue being looked at,
the page never reads the transactions table, and counts past the cap read "N+"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from aml_screen.store import alert_queue
from aml_screen.store.models import Alert, Transaction
from tests.web.client import database, login, post
from web.alerts import views


def _new_alerts_by_country(app: Flask) -> tuple[list[int], dict[str, list[int]]]:
    """New unassigned alerts, highest risk first, and the same per country of either side
    of their transactions (read straight from the transactions)."""
    with database(app).transaction() as session:
        alerts = session.scalars(select(Alert).where(Alert.status == "new",
                                                     Alert.assignee_id.is_(None))
                                 .order_by(Alert.risk_score.desc(), Alert.id)).all()
        sides = {t.transaction_id: {t.originator_country, t.beneficiary_country}
                 for t in session.scalars(select(Transaction))}
    by_country: dict[str, list[int]] = {}
    for alert in alerts:
        for country in sorted({c for t in alert.transaction_ids for c in sides[t] if c}):
            by_country.setdefault(country, []).append(alert.id)
    return [a.id for a in alerts], by_country


def test_take_next_takes_from_the_filtered_queue(app: Flask) -> None:
    top, by_country = _new_alerts_by_country(app)
    country = next(c for c, ids in sorted(by_country.items()) if top[0] not in ids)
    client = app.test_client()
    login(client, "fatou")
    queue = client.get(f"/alerts?country={country}&sort=created").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/alerts/next".*?</form>', queue, re.S)
    assert form
    assert f'name="country" value="{country}"' in form.group(0)
    taken = post(client, "/alerts/next", {"country": country, "sort": "created"})
    assert taken.headers["Location"] == f"/alerts/{by_country[country][0]}"
    for _ in by_country[country][1:]:
        post(client, "/alerts/next", {"country": country})
    empty = post(client, "/alerts/next", {"country": country, "typology": "sanctions"})
    assert empty.headers["Location"] == f"/alerts?country={country}&typology=sanctions"
    assert "No unassigned new alert is left." in client.get(
        empty.headers["Location"]).get_data(as_text=True)


def test_the_queue_page_never_reads_transactions(app: Flask) -> None:
    _top, by_country = _new_alerts_by_country(app)
    country = sorted(by_country)[0]
    client = app.test_client()
    login(client, "fatou")
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = database(app).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for query in ("", f"?country={country}&typology=sanctions&sort=created",
                      "?status=&sort=subject&page=2"):
            assert client.get(f"/alerts{query}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert any("alert_labels" in s for s in statements)
    assert not [s for s in statements if re.search(r"\btransactions\b", s)]


def test_counts_past_the_cap_read_as_more(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (alert_queue, views):
        monkeypatch.setattr(module, "COUNT_CAP", 2)
    client = app.test_client()
    login(client, "aminata")
    page = client.get("/alerts?status=").get_data(as_text=True)
    assert "More than 2 alerts" in page
    assert '<span class="count">2+</span>' in page
    assert re.search(r'<span class="count">[01]</span>', page)  # escalated: none or one
