from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select, update

from aml_screen.store.models import Alert, AuditEvent, Hit
from tests.store.samples import sample_run
from tests.web.client import database, login, post

ROW = re.compile(r'<a href="/alerts/(\d+)" class="subject">([^<]*)</a>')


def _queue(app: Flask, query: str = "", user: str = "fatou") -> list[str]:
    client = app.test_client()
    login(client, user)
    page = client.get(f"/alerts{query}").get_data(as_text=True)
    return [unescape(name) for _, name in ROW.findall(page)]


def _alert_ids(app: Flask) -> list[int]:
    with database(app).transaction() as session:
        return list(session.scalars(select(Alert.id).order_by(Alert.risk_score.desc(),
                                                              Alert.id)))


@pytest.mark.parametrize(("query", "list_id"), [
    ("?status=", None),
    ("?status=&list=sample_un", "sample_un"),
    ("?status=&list=sample_national", "sample_national"),
    ("?status=&typology=sanctions&min_risk=0", None),
])
def test_queue_filters_by_list(app: Flask, query: str, list_id: str | None) -> None:
    alerts = sample_run().run.alerts
    if list_id:
        alerts = alerts.filter(alerts.get_column("list_ids").list.contains(list_id))
    assert sorted(_queue(app, query)) == sorted(alerts.get_column("subject_name").to_list())


def test_queue_sorts_by_risk_and_shows_counts(app: Flask) -> None:
    names = _queue(app, "?sort=-risk")
    assert len(names) == sample_run().run.alerts.height
    client = app.test_client()
    login(client, "aminata")
    page = client.get("/alerts?status=new").get_data(as_text=True)
    assert re.search(r'id="tab-new"[^>]*>New <span class="count">\d+</span>', page)
    assert _queue(app, "?min_risk=101") == []


def test_untrusted_names_are_escaped_everywhere(app: Flask) -> None:
    alert_id = _alert_ids(app)[-1]
    evil = '<script>alert("x")</script> Iyad'
    with database(app).transaction() as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(subject_name=evil))
        session.execute(update(Hit).where(Hit.alert_id == alert_id).values(party_name=evil))
    client = app.test_client()
    login(client, "fatou")
    for page in (client.get("/alerts?status="), client.get(f"/alerts/{alert_id}")):
        text = page.get_data(as_text=True)
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert" in text


def test_detail_shows_hits_side_by_side_and_records_the_view(app: Flask) -> None:
    alert_id = _alert_ids(app)[0]
    client = app.test_client()
    login(client, "aminata")
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "<mark>" in page
    assert 'class="side-by-side"' in page
    assert "Close the alert" not in page  # the auditor sees no triage form
    with database(app).transaction() as session:
        viewed = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "alert.view", AuditEvent.actor_name == "aminata")).all()
    assert [e.object_id for e in viewed] == [str(alert_id)]


def test_close_needs_a_disposition_and_a_reason_then_closes(app: Flask) -> None:
    alert_id = _alert_ids(app)[1]
    client = app.test_client()
    login(client, "fatou")
    page = f"/alerts/{alert_id}"
    refused = post(client, f"{page}/status", {"status": "closed", "version": "1",
                                              "disposition": "false_positive", "reason": ""},
                   page=page)
    assert refused.status_code == 400
    assert "needs a reason" in refused.get_data(as_text=True)
    done = post(client, f"{page}/status", {"status": "closed", "version": "1",
                                           "disposition": "false_positive",
                                           "reason": "Different birth year"},
                page=page, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert 'id="alert-status">Closed' in text
    assert "Different birth year" in text


def test_two_browsers_saving_one_alert_get_a_conflict(app: Flask) -> None:
    alert_id = _alert_ids(app)[2]
    page = f"/alerts/{alert_id}"
    first, second = app.test_client(), app.test_client()
    login(first, "fatou")
    login(second, "moussa")
    versions = [re.search(r'name="version" value="(\d+)"', c.get(page).get_data(as_text=True))
                for c in (first, second)]
    assert versions[0]
    assert versions[1]
    assert versions[0].group(1) == versions[1].group(1)
    won = post(first, f"{page}/status", {"status": "in_review",
                                         "version": versions[0].group(1)}, page=page)
    lost = post(second, f"{page}/status", {"status": "closed", "version": versions[1].group(1),
                                           "disposition": "not_suspicious",
                                           "reason": "known trader"}, page=page)
    assert won.status_code == 302
    assert lost.status_code == 409
    assert "changed by someone else" in lost.get_data(as_text=True)
    with database(app).transaction() as session:
        assert session.get_one(Alert, alert_id).status == "in_review"


def test_take_next_comment_and_reassign(app: Flask) -> None:
    client = app.test_client()
    login(client, "moussa")
    taken = post(client, "/alerts/next")
    assert taken.status_code == 302
    alert_id = int(taken.headers["Location"].rsplit("/", 1)[1])
    with database(app).transaction() as session:
        alert = session.get_one(Alert, alert_id)
        unassigned_higher = session.scalars(select(Alert.id).where(
            Alert.assignee_id.is_(None), Alert.status == "new",
            Alert.risk_score > alert.risk_score)).all()
    assert unassigned_higher == []
    page = f"/alerts/{alert_id}"
    post(client, f"{page}/comments", {"body": "Asked the bank for ID <copy>"}, page=page)
    assert "Asked the bank for ID &lt;copy&gt;" in client.get(page).get_data(as_text=True)
    boss = app.test_client()
    login(boss, "salif")
    version = re.search(r'name="version" value="(\d+)"', boss.get(page).get_data(as_text=True))
    assert version
    post(boss, f"{page}/assign", {"assignee": "fatou", "version": version.group(1)}, page=page)
    with database(app).transaction() as session:
        assert session.get_one(Alert, alert_id).assignee_id is not None
        assert session.scalars(select(AuditEvent.actor_name).where(
            AuditEvent.action == "alert.assign")).all() == ["salif"]
