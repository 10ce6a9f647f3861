"""goAML reports uploaded through the web: the batch page says the format read, the alert
page shows the report each transaction came in and the banks' BICs; an activity report's
parties are screened."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.store.models import Alert, Batch, Transaction
from tests.store.samples import add_user
from tests.web.client import database, login, post, running_app

DATA = Path(__file__).resolve().parents[1] / "ingest" / "data"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with running_app(tmp_path_factory.mktemp("intake")) as flask_app:
        add_user(database(flask_app), "awa", "analyst")
        client = flask_app.test_client()
        login(client, "awa")
        for name in ("goaml_str.xml", "goaml_activity.xml"):
            post(client, "/batches", {"batch": (io.BytesIO((DATA / name).read_bytes()), name)},
                 page="/batches", content_type="multipart/form-data")
        yield flask_app


def _batch(app: Flask, name: str) -> Batch:
    with database(app).transaction() as session:
        batch = session.scalars(select(Batch).where(Batch.file_name == name)).one()
        session.expunge(batch)
    return batch


def _page(app: Flask, url: str) -> str:
    client = app.test_client()
    login(client, "awa")
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_upload_form_accepts_every_batch_format(app: Flask) -> None:
    page = _page(app, "/batches")
    assert 'accept=".parquet,.xlsx,.xlsm,.xls,.zip,.xml,.fin,.rje,.mt,.txt,.csv"' in page


def test_batch_page_shows_the_format_read(app: Flask) -> None:
    batch = _batch(app, "goaml_str.xml")
    assert (batch.status, batch.rows_loaded, batch.rows_quarantined) == ("done", 2, 1)
    page = _page(app, f"/batches/{batch.id}")
    assert '<dd id="batch-format">goAML report</dd>' in page
    assert '<dd class="report">STR report DS-2026-117 from reporting entity 2041</dd>' in page


def test_alert_page_shows_the_report_and_bics(app: Flask) -> None:
    batch = _batch(app, "goaml_str.xml")
    with database(app).transaction() as session:
        stored = session.scalars(select(Transaction).where(
            Transaction.batch_id == batch.id, Transaction.transaction_id == "NE-0001")).one()
        assert (stored.report_id, stored.reporting_entity, stored.report_code,
                stored.beneficiary_bic) == ("DS-2026-117", "2041", "STR", "BSAHNENI")
        alert_id = next(a.id for a in session.scalars(select(Alert).where(
            Alert.batch_id == batch.id)) if "NE-0001" in a.transaction_ids)
    page = _page(app, f"/alerts/{alert_id}")
    assert "STR report DS-2026-117 from reporting entity 2041" in page
    assert "BSAHNENI" in page


def test_activity_report_parties_are_screened(app: Flask) -> None:
    batch = _batch(app, "goaml_activity.xml")
    assert (batch.status, batch.rows_loaded) == ("done", 2)
    with database(app).transaction() as session:
        alerts = session.scalars(select(Alert).where(Alert.batch_id == batch.id)).all()
        names = {a.subject_name for a in alerts}
        alert_ids = [a.id for a in alerts]
    assert "Comptoir de Change Al Wafa Sahel" in names
    for alert_id in alert_ids:
        assert "DPMS-2026-009" in _page(app, f"/alerts/{alert_id}")
