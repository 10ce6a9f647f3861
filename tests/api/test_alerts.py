"""Alerts through the API: the queue's filters and sorts, page after page by key (the
same alerts in the same order as the web queue), one alert with its evidence, and
transitions with the web's rules (404, 409 on a stale version, 422 on a bad body)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask

from aml_screen.store.alert_filter import SORTS
from aml_screen.store.alert_queue import AlertFilter, list_alerts
from tests.api.conftest import Api, make_token
from tests.web.client import database


def _walk(api: Api, query: str, limit: int) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        after = f"&after={cursor}" if cursor else ""
        response = api.get(f"/api/v1/alerts?limit={limit}&{query}{after}")
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


def _queue(app: Flask, flt: AlertFilter) -> list[int]:
    with database(app).transaction() as session:
        page = list_alerts(session, replace(flt, per_page=1000))
    return [alert.id for alert, _ in page.items]


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_pages_by_key_give_the_queue_in_its_order(app: Flask, supervisor: Api,
                                                  sort: str) -> None:
    expected = _queue(app, AlertFilter(status=None, sort=sort))
    assert len(expected) > 5
    assert _walk(supervisor, f"status=all&sort={sort}", 2) == expected
    assert len(set(expected)) == len(expected)


@pytest.mark.parametrize(("query", "flt"), [
    ("list=sample_un", AlertFilter(list_id="sample_un")),
    ("typology=terrorist_financing&status=new",
     AlertFilter(typology="terrorist_financing", status="new")),
    ("min_risk=90&max_risk=100", AlertFilter(min_risk=90, max_risk=100)),
    ("country=ML&status=all", AlertFilter(country="ML", status=None)),
    ("assignee=none&batch=1", AlertFilter(assignee="none", batch_id=1)),
])
def test_the_filters_are_the_queues(app: Flask, supervisor: Api, query: str,
                                    flt: AlertFilter) -> None:
    assert _walk(supervisor, query, 3) == _queue(app, flt)


@pytest.mark.parametrize("query", [
    "status=whatever", "sort=risk&after=bm9wZQ", "limit=0", "limit=201", "min_risk=abc",
    "batch=99999999999", "unknown=1", "from=yesterday",
])
def test_bad_parameters_are_422_listing_the_fields(supervisor: Api, query: str) -> None:
    response = supervisor.get(f"/api/v1/alerts?{query}")
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"]
    assert all(set(error) == {"field", "message"} for error in body["errors"])


def test_a_cursor_of_another_sort_is_refused(supervisor: Api) -> None:
    cursor = supervisor.get("/api/v1/alerts?limit=1&sort=-risk").get_json()["next_cursor"]
    response = supervisor.get(f"/api/v1/alerts?sort=created&after={cursor}")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "after"


def test_one_alert_comes_with_its_evidence(supervisor: Api) -> None:
    first = supervisor.get("/api/v1/alerts?list=sample_un&limit=1").get_json()["items"][0]
    body = supervisor.get(f"/api/v1/alerts/{first['id']}").get_json()
    assert body["id"] == first["id"]
    assert body["version"] == first["version"]
    assert body["transaction_ids"]
    assert body["transactions"]
    hit = body["hits"][0]
    assert hit["list_id"] == "sample_un"
    assert hit["entry"]["entry_id"] == hit["entry_id"]
    assert hit["entry"]["names"]
    assert "tokens" in hit["explanation"]
    assert body["rule_hits"]
    assert "evidence" in body["rule_hits"][0]
    response = supervisor.get("/api/v1/alerts/999999")
    assert response.status_code == 404
    assert response.get_json()["code"] == "alert.not_found"


def _new_alert(supervisor: Api) -> dict[str, object]:
    found: dict[str, object] = supervisor.get(
        "/api/v1/alerts?status=new&assignee=none&limit=1").get_json()["items"][0]
    return found


def test_a_transition_follows_the_webs_rules(app: Flask, supervisor: Api) -> None:
    alert = _new_alert(supervisor)
    url = f"/api/v1/alerts/{alert['id']}/transitions"
    version = alert["version"]
    refused = supervisor.post(url, {"status": "escalated", "version": version})
    assert (refused.status_code, refused.get_json()["code"]) == (400, "alert.bad_transition")
    refused = supervisor.post(url, {"status": "closed", "version": version,
                                    "comment": "homonym"})
    assert refused.get_json()["code"] == "alert.disposition_required"
    moved = supervisor.post(url, {"status": "in_review", "version": version,
                                  "comment": "Checking the ID card"})
    assert moved.status_code == 200
    assert (moved.get_json()["status"], moved.get_json()["assignee"]) == ("in_review", "salif")
    stale = supervisor.post(url, {"status": "escalated", "version": version})
    assert (stale.status_code, stale.get_json()["code"]) == (409, "alert.conflict")
    closed = supervisor.post(url, {"status": "closed", "version": moved.get_json()["version"],
                                   "disposition": "false_positive",
                                   "comment": "Homonyme : pièce d'identité vérifiée"})
    assert closed.status_code == 200
    detail = supervisor.get(f"/api/v1/alerts/{alert['id']}").get_json()
    assert (detail["status"], detail["disposition"]) == ("closed", "false_positive")
    assert detail["close_reason"] == "Homonyme : pièce d'identité vérifiée"
    assert [c["body"] for c in detail["comments"]] == ["Checking the ID card"]


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"status", "version"}),
    ({"status": "done", "version": 1}, {"status"}),
    ({"status": "closed", "version": "one", "disposition": "maybe"},
     {"version", "disposition"}),
    ({"status": "in_review", "version": 1, "extra": True}, {"extra"}),
    ([1, 2], {"_schema"}),
])
def test_a_bad_transition_body_is_422_listing_the_fields(supervisor: Api, body: object,
                                                         fields: set[str]) -> None:
    response = supervisor.post("/api/v1/alerts/1/transitions", body)
    assert response.status_code == 422
    assert {error["field"] for error in response.get_json()["errors"]} == fields


def test_a_body_that_is_not_json_is_400(supervisor: Api) -> None:
    response = supervisor.client.post("/api/v1/alerts/1/transitions", data="{status: new",
                                      headers={"Authorization": f"Bearer {supervisor.secret}",
                                               "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_an_unknown_alert_is_404_on_transition(supervisor: Api) -> None:
    response = supervisor.post("/api/v1/alerts/424242/transitions",
                               {"status": "in_review", "version": 1})
    assert response.status_code == 404


def test_an_auditor_cannot_triage_even_with_a_read_token(app: Flask) -> None:
    auditor = Api(app.test_client(), make_token(app, "aminata", "read"))
    assert auditor.post("/api/v1/alerts/1/transitions",
                        {"status": "in_review", "version": 1}).status_code == 403
