"""Identifiers past what the database columns hold (the probe's 500s on about 20 endpoints):
in a path they name no page (404), in a query string or a form they are refused (400) with
a message, and an export refuses them before it starts streaming."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.store.ids import MAX_ID
from aml_screen.store.models import Alert
from tests.web.client import database, login, post
from tests.web.routes import all_routes
from web.ids import check_every_id_is_bounded, init_app

HUGE = ("99999999999999999999999", str(MAX_ID + 1), "0", "²")
ID_ROUTES = [(method, path) for method, path, _, _ in all_routes() if "{" in path]
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_the_id_routes_are_the_apps() -> None:
    assert len(ID_ROUTES) >= 30


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(("method", "path"), ID_ROUTES)
def test_an_id_route_with_a_number_past_the_columns_is_not_a_page(
        app: Flask, method: str, path: str, value: str) -> None:
    client = app.test_client()
    login(client, "salif")
    url = _PLACEHOLDER.sub(value, path)
    response = client.get(url) if method == "GET" else post(client, url)
    assert response.status_code == 404


@pytest.fixture(scope="module")
def alert(app: Flask) -> Alert:
    with database(app).transaction() as session:
        found = session.scalars(select(Alert).order_by(Alert.id)).first()
        assert found is not None
        session.expunge(found)
        return found


@pytest.mark.parametrize("value", [*HUGE, "12abc"])
@pytest.mark.parametrize(("method", "path", "field"), [
    ("GET", "/alerts?batch={value}", "batch"),
    ("POST", "/cases", "alert_id"),
    ("POST", "/alerts/bulk-close", "alert"),
    ("POST", "/exemptions/propose", "hit_id"),
])
def test_an_id_in_a_query_or_form_past_the_columns_is_refused(
        app: Flask, method: str, path: str, field: str, value: str) -> None:
    client = app.test_client()
    login(client, "salif")
    if method == "GET":
        response = client.get(path.format(value=value))
    else:
        data: dict[str, Any] = {field: value, "reason": "x", "disposition": "false_positive"}
        response = post(client, path, data)
    assert response.status_code == 400
    assert "is not an identifier" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", HUGE[:2])
def test_adding_an_alert_past_the_columns_to_a_case_is_refused(
        app: Flask, alert: Alert, value: str) -> None:
    client = app.test_client()
    login(client, "salif")
    opened = post(client, "/cases", {"alert_id": str(alert.id), "title": "Ids"})
    assert opened.status_code == 302
    response = post(client, opened.headers["Location"] + "/alerts",
                    {"alert_id": value, "version": "1"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/alerts", "/cases", "/audit"])
def test_a_page_number_past_the_columns_shows_a_page(app: Flask, path: str) -> None:
    client = app.test_client()
    login(client, "root")
    assert client.get(f"{path}?page=99999999999999999999999").status_code == 200


@pytest.mark.parametrize("value", HUGE[:2])
def test_an_export_of_a_batch_past_the_columns_is_refused_before_streaming(
        app: Flask, value: str) -> None:
    client = app.test_client()
    login(client, "aminata")
    response = client.get(f"/exports/download?kind=hits&format=csv&batch={value}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "expected a batch number" in response.get_data(as_text=True)


def test_an_app_with_an_unbounded_int_route_does_not_start() -> None:
    probe = Flask(__name__)
    init_app(probe)
    probe.add_url_rule("/bounded/<id:thing_id>", "bounded", lambda thing_id: "")
    check_every_id_is_bounded(probe)
    probe.add_url_rule("/probe/<int:thing_id>", "probe", lambda thing_id: "")
    with pytest.raises(RuntimeError, match="probe"):
        check_every_id_is_bounded(probe)
