"""The alert page is made for reading: one card per listed entry however many transactions
hit it, the decision panel before the evidence, rule evidence in sentences with the rule's
title and typology, the evidence's raw keys only in the technical details."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.store.models import Alert, AlertLabel
from tests.store.samples import add_user
from tests.store.test_subject_activity import SUBJECT, load_batch, write_activity_batch
from tests.web.client import database, login

TRANSACTIONS = 50


@pytest.fixture(scope="module")
def busy_alert(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """An alert on the listed Iyad Ag Ghaly, party to fifty transactions of one batch."""
    folder = tmp_path_factory.mktemp("busy")
    batch_id = load_batch(database(app),
                          write_activity_batch(folder / "busy.csv", rows=TRANSACTIONS))
    with database(app).transaction() as session:
        yield session.scalars(select(Alert.id).where(Alert.batch_id == batch_id,
                                                     Alert.subject_type == "party",
                                                     Alert.subject_name == SUBJECT)).one()


def _page(app: Flask, path: str, user: str = "fatou") -> str:
    client = app.test_client()
    login(client, user)
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_fifty_transactions_on_one_entry_make_one_card(app: Flask, busy_alert: int) -> None:
    page = _page(app, f"/alerts/{busy_alert}")
    hits = page[page.index('id="hits"'):]
    assert len(re.findall(r'<article class="hit">', hits)) == 1
    assert f"{TRANSACTIONS} transactions" in hits
    assert page.index('id="triage"') < page.index('id="transactions"') < page.index('id="hits"')
    assert page.count('name="status" value="closed"') == 1


def test_rule_evidence_reads_in_sentences_in_french(app: Flask) -> None:
    with database(app).transaction() as session:
        alert_id = session.scalars(select(AlertLabel.alert_id).where(AlertLabel.kind == "rule")
                                   .order_by(AlertLabel.alert_id)).first()
    assert alert_id is not None
    add_user(database(app), "hadiza", "investigator", language="fr")
    page = _page(app, f"/alerts/{alert_id}", user="hadiza")
    cards = page[page.index('id="rule-hits"'):]
    visible = re.sub(r'<details class="technical">.*?</details>', "", cards, flags=re.S)
    assert '<ul class="says"><li>' in visible
    for raw in ("min_score", "entry_id", "parameters", "condition", "{", "_xof"):
        assert raw not in visible, raw
    assert "terrorist_financing" not in page


def test_a_busy_subjects_activity_table_lists_the_newest_transactions_only(
        app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every transaction is drawn; the table under the chart stops at TABLE_ROWS (a subject
    with 3,000 made a 1.4 MB page) and says where the rest are."""
    from web.alerts.views import TABLE_ROWS

    rows = TABLE_ROWS + 60
    batch_id = load_batch(database(app), write_activity_batch(
        tmp_path_factory.mktemp("busier") / "busier.csv", rows=rows))
    with database(app).transaction() as session:
        alert_id = session.scalars(select(Alert.id).where(
            Alert.batch_id == batch_id, Alert.subject_type == "party",
            Alert.subject_name == SUBJECT)).one()
    page = _page(app, f"/alerts/{alert_id}")
    table = page[page.index('id="timeline-figure"'):page.index('id="network-figure"')]
    assert table.count('<td class="mono">') == TABLE_ROWS
    drawn = re.search(r"The 200 newest of the ([\d,]+) transactions drawn", table)
    assert drawn is not None
    assert int(drawn.group(1).replace(",", "")) >= rows
