"""Search and subject profile pages over two banks' batches: one person under two spellings
is one subject whose profile gathers both banks' transactions."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.store.cases import add_alert, open_case
from aml_screen.store.models import (
    Alert,
    AlertSubject,
    AuditEvent,
    PartySubject,
    Transaction,
    User,
)
from tests.cli.test_subjects_cli import BANK_A, BANK_B
from tests.store.samples import add_user
from tests.web.client import database, login, post, running_app


@pytest.fixture(scope="module")
def two_banks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with running_app(tmp_path_factory.mktemp("subjects")) as flask_app:
        add_user(database(flask_app), "awa", "analyst")
        add_user(database(flask_app), "fatou", "investigator", language="fr")
        client = flask_app.test_client()
        login(client, "awa")
        for name, content in (("bank_a.csv", BANK_A), ("bank_b.csv", BANK_B)):
            post(client, "/batches", {"batch": (io.BytesIO(content.encode()), name)},
                 page="/batches", content_type="multipart/form-data")
        yield flask_app


def _iyad(app: Flask) -> str:
    with database(app).transaction() as session:
        return session.scalars(select(PartySubject.subject_id).where(
            PartySubject.transaction_id == "A-001",
            PartySubject.party_role == "originator")).one()


def test_search_lists_the_one_person_with_both_spellings(two_banks: Flask) -> None:
    client = two_banks.test_client()
    login(client, "awa")
    page = client.get("/search?q=iyad+ag+ghali").get_data(as_text=True)
    assert "One subject found" in page
    assert "IYAD AG GALI · Iyad Ag Ghaly" in page or "Iyad Ag Ghaly · IYAD AG GALI" in page
    assert f'href="/subjects/{_iyad(two_banks)}"' in page
    with database(two_banks).transaction() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "subject.search").order_by(AuditEvent.seq.desc())).first()
    assert event is not None
    assert event.after == {"query": "iyad ag ghali", "results": 1}


def test_the_profile_gathers_both_banks_in_the_readers_language(two_banks: Flask) -> None:
    client = two_banks.test_client()
    login(client, "fatou")
    subject_id = _iyad(two_banks)
    page = client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    assert "IYAD AG GALI" in page
    assert "Iyad Ag Ghaly" in page
    assert "Même compte (ML1200100200300400)" in page  # why the two are one, in French
    sent = re.search(r'id="subject-totals".*?<td>XOF</td><td class="num">([^<]*)</td>'
                     r'<td class="num">([^<]*)</td>', page, re.S)
    assert sent is not None
    assert sent.group(2) == "6\u202f500\u202f000"  # 2,500,000 + 4,000,000 sent
    assert "<svg" in page  # the month chart
    assert page.count("/alerts/") >= 2  # both batches' alerts about him
    assert "Transports Niamey Express SA" in page
    with database(two_banks).transaction() as session:
        viewed = session.scalars(select(AuditEvent.object_id).where(
            AuditEvent.action == "subject.view")).all()
    assert subject_id in viewed


def test_the_transaction_list_filters(two_banks: Flask) -> None:
    client = two_banks.test_client()
    login(client, "awa")
    subject_id = _iyad(two_banks)
    received = client.get(f"/subjects/{subject_id}?direction=in").get_data(as_text=True)
    assert "No transaction meets this filter." in received
    april = client.get(f"/subjects/{subject_id}?from=2026-04-01").get_data(as_text=True)
    assert "B-101" in april
    assert "A-001" not in april.split('id="subject-activity"')[1]


def test_unknown_or_malformed_subjects_are_not_pages(two_banks: Flask) -> None:
    client = two_banks.test_client()
    login(client, "awa")
    assert client.get("/subjects/S0000000000000000").status_code == 404
    assert client.get("/subjects/not-a-subject").status_code == 404


def _alert_of(app: Flask, transaction_id: str) -> int:
    """The alert on Iyad Ag Ghali in the batch holding ``transaction_id``."""
    with database(app).transaction() as session:
        return session.scalars(select(Alert.id).where(
            Alert.subject_name.in_(["Iyad Ag Ghaly", "IYAD AG GALI"]),
            Alert.batch_id == session.scalar(select(Transaction.batch_id).where(
                Transaction.transaction_id == transaction_id)))).one()


def test_each_alert_links_the_subjects_other_alerts_and_its_case(two_banks: Flask) -> None:
    """The second bank's alert on IYAD AG GALI shows the first bank's alert on Iyad Ag
    Ghaly; once that one is in a case, the case takes the other too (another spelling, the
    same subject) and the queue flags both as under that case."""
    first, second = _alert_of(two_banks, "A-001"), _alert_of(two_banks, "B-101")
    client = two_banks.test_client()
    login(client, "fatou")
    page = client.get(f"/alerts/{second}").get_data(as_text=True)
    context = page.split('id="alert-subjects"')[1].split("</section>")[0]
    assert f'href="/alerts/{first}"' in context
    assert f'href="/subjects/{_iyad(two_banks)}"' in context
    with database(two_banks).transaction() as session:
        fatou = session.scalars(select(User).where(User.username == "fatou")).one()
        case = open_case(session, fatou, [first], "Iyad Ag Ghali — deux banques")
        add_alert(session, case.id, fatou, second, case.version)
        case_id = case.id
    queue = client.get("/alerts?status=").get_data(as_text=True)
    assert queue.count(f"dans le dossier n° {case_id}") == 2


def test_the_link_chart_data_follows_the_money(two_banks: Flask) -> None:
    client = two_banks.test_client()
    login(client, "awa")
    iyad = _iyad(two_banks)
    data = client.get(f"/subjects/{iyad}/graph.json?hops=2").get_json()
    labels = {n["data"]["id"]: n["data"]["label"] for n in data["elements"]["nodes"]}
    edges = {(labels[e["data"]["source"]], labels[e["data"]["target"]]):
             Decimal(e["data"]["total"]) for e in data["elements"]["edges"]}
    assert data["root"] == iyad
    assert edges == {("Iyad Ag Ghaly", "Sahel Négoce SARL"): Decimal("2500000"),
                     ("Iyad Ag Ghaly", "Transports Niamey Express SA"): Decimal("4000000")}
    assert next(n for n in data["elements"]["nodes"] if n["data"]["id"] == iyad)["data"][
        "listed"]
    large = client.get(f"/subjects/{iyad}/graph.json?min_amount=3000000").get_json()
    assert len(large["elements"]["edges"]) == 1
    april = client.get(f"/subjects/{iyad}/graph.json?from=2026-04-01").get_json()
    assert {n["data"]["label"] for n in april["elements"]["nodes"]} == {
        "Iyad Ag Ghaly", "Transports Niamey Express SA"}


def test_an_investigator_splits_a_spelling_off_and_the_alert_follows(two_banks: Flask) -> None:
    client = two_banks.test_client()
    login(client, "fatou")
    iyad = _iyad(two_banks)
    profile = client.get(f"/subjects/{iyad}").get_data(as_text=True)
    ticked = re.search(r'name="spelling" form="split-form" value="(\d+\|IYAD AG GALI)"', profile)
    assert ticked is not None
    refused = post(client, f"/subjects/{iyad}/split", {"spelling": ticked.group(1),
                                                        "reason": ""}, page=f"/subjects/{iyad}")
    assert refused.status_code == 400
    done = post(client, f"/subjects/{iyad}/split",
                {"spelling": ticked.group(1), "reason": "Homonyme : autre date de naissance"},
                page=f"/subjects/{iyad}", follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "Un enregistrement séparé dans ce nouveau sujet" in page
    new_id = re.search(r'<small class="mono">(S[0-9a-f]{16})</small>', page)
    assert new_id is not None
    assert new_id.group(1) != iyad
    assert "Homonyme : autre date de naissance" in page
    second = _alert_of(two_banks, "B-101")
    with database(two_banks).transaction() as session:
        tied = session.scalars(select(AlertSubject.subject_id).where(
            AlertSubject.alert_id == second)).all()
    assert tied == [new_id.group(1)]
