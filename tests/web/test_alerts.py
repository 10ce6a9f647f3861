from __future__ import annotations

import re
from html import unescape

import pytest
from defusedxml.ElementTree import fromstring
from flask import Flask
from sqlalchemy import select, update

from aml_screen.store.models import Alert, AuditEvent, Hit, Transaction
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


def test_queue_filters_by_country_of_either_party(app: Flask) -> None:
    run = sample_run().run
    sides = run.alerts.explode("transaction_ids").join(
        run.transactions, left_on="transaction_ids", right_on="transaction_id")
    with database(app).transaction() as session:
        ids: dict[str, int] = dict(session.execute(select(Alert.subject_id, Alert.id)).all())
    client = app.test_client()
    login(client, "aminata")
    for country in ("NE", "SN"):
        expected = sides.filter((sides["originator_country"] == country)
                                | (sides["beneficiary_country"] == country))
        page = client.get(f"/alerts?status=&country={country}").get_data(as_text=True)
        assert sorted(int(i) for i, _ in ROW.findall(page)) == sorted(
            {ids[s] for s in expected.get_column("subject_id").to_list()})
    assert _queue(app, "?status=&country=FR") == []
    page = client.get("/alerts?status=").get_data(as_text=True)
    assert '<select name="country">' in page
    assert '<option value="NE"' in page


def _checkboxes(page: str) -> dict[int, int]:
    return {int(a): int(v) for a, v in re.findall(
        r'name="alert" form="bulk-close"\s+value="(\d+):(\d+)"', page)}


def test_bulk_close_from_the_queue_reports_alerts_changed_meanwhile(app: Flask) -> None:
    fatou, moussa = app.test_client(), app.test_client()
    login(fatou, "fatou")
    login(moussa, "moussa")
    shown = _checkboxes(fatou.get("/alerts?status=new&sort=risk").get_data(as_text=True))
    chosen = dict(list(shown.items())[:3])
    assert len(chosen) == 3
    moved = next(iter(chosen))
    post(moussa, f"/alerts/{moved}/status", {"status": "in_review",
                                             "version": str(chosen[moved])},
         page=f"/alerts/{moved}")
    done = post(fatou, "/alerts/bulk-close", {
        "alert": [f"{i}:{v}" for i, v in chosen.items()],
        "disposition": "false_positive", "reason": "Homonymes : autre date de naissance",
        "back": "/alerts?status=new&sort=risk"}, page="/alerts?status=new",
        follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "2 alerts closed." in text
    assert f"were left as they are: #{moved}." in text
    with database(app).transaction() as session:
        states = {a.id: (a.status, a.close_reason) for a in session.scalars(
            select(Alert).where(Alert.id.in_(chosen)))}
        events = [e.object_id for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "alert.closed", AuditEvent.actor_name == "fatou"))
                  if (e.after or {}).get("bulk")]
    assert states[moved] == ("in_review", None)
    assert {states[i] for i in chosen if i != moved} == {
        ("closed", "Homonymes : autre date de naissance")}
    assert sorted(int(e) for e in events) == sorted(set(chosen) - {moved})
    refused = post(fatou, "/alerts/bulk-close", {"alert": [], "disposition": "false_positive",
                                                 "reason": "x"})
    assert refused.status_code == 400
    assert "no alert was selected" in refused.get_data(as_text=True)
    client = app.test_client()
    login(client, "aminata")
    assert _checkboxes(client.get("/alerts?status=").get_data(as_text=True)) == {}


def test_detail_draws_the_timeline_and_the_network_escaped(app: Flask) -> None:
    alert_id = _alert_ids(app)[3]
    evil = '"><img src=x onerror=alert(1)> Awa'
    with database(app).transaction() as session:
        alert = session.get_one(Alert, alert_id)
        txn = session.scalars(select(Transaction).where(
            Transaction.batch_id == alert.batch_id,
            Transaction.transaction_id.in_(alert.transaction_ids))).first()
        assert txn is not None
        subject_is_originator = txn.originator_name == alert.subject_name
        column = "beneficiary_name" if subject_is_originator else "originator_name"
        session.execute(update(Transaction).where(Transaction.id == txn.id)
                        .values({column: evil}))
    client = app.test_client()
    login(client, "aminata")
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    svgs = re.findall(r"<svg .*?</svg>", page, re.DOTALL)
    assert [re.search(r'id="(\w+)"', s).group(1) for s in svgs] == [  # type: ignore[union-attr]
        "timeline", "network"]
    for svg in svgs:
        fromstring(svg)
    assert 'class="highlight"' in svgs[0]
    assert svgs[1].count('class="counterparty"') == 1
    assert "<img" not in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt; Awa" in page
    assert re.search(r'<td class="counterparty-name">&#34;&gt;&lt;img', page)


def test_detail_shows_the_party_details_the_batch_gave(app: Flask) -> None:
    alert_id = _alert_ids(app)[0]
    with database(app).transaction() as session:
        alert = session.get_one(Alert, alert_id)
        session.execute(update(Transaction).where(
            Transaction.batch_id == alert.batch_id,
            Transaction.transaction_id == alert.transaction_ids[0],
        ).values(originator_birth_date="1981-07-05", originator_nationality="MR",
                 originator_id_number="<b>123456</b>",
                 ingest_notes='[{"field":"originator_birth_date","value":"31/02/1990"}]'))
    client = app.test_client()
    login(client, "fatou")
    text = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    details = text[text.index('<dl class="party-details">'):]
    details = details[:details.index("</dl>")]
    assert "1981-07-05" in details
    assert "MR" in details
    assert "&lt;b&gt;123456&lt;/b&gt;" in details
    assert 'originator birth date &#34;31/02/1990&#34; is not a date' in text  # told in words
    assert "originator_birth_date" not in text
