"""The exports page and downloads: filters applied, files readable, names neutralised, the
right language, every download in the audit trail, bad filters shown on the form."""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pypdf import PdfReader
from sqlalchemy import func, select

from aml_screen.store.models import AuditEvent
from tests.exports.conftest import ARABIC, HOSTILE, LIST_SHA, RULE_DIGEST, add_hostile_batch
from tests.store.samples import add_user
from tests.web.browser import BROWSER_MARKS, log_in, serve_app
from tests.web.client import database, login


@pytest.fixture(scope="module")
def exports_app(app: Flask) -> Flask:
    """The shared app plus a batch of hostile and Arabic names and a French auditor."""
    add_hostile_batch(database(app))
    add_user(database(app), "mariam", "auditor", language="fr")
    return app


def _events(app: Flask) -> int:
    with database(app).transaction() as session:
        return session.scalar(select(func.count(AuditEvent.id))) or 0


def _last_event(app: Flask) -> AuditEvent:
    with database(app).transaction() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event is not None
        return event


def test_the_form_offers_the_filters_in_the_users_language(exports_app: Flask) -> None:
    client = exports_app.test_client()
    login(client, "aminata")
    page = client.get("/exports").get_data(as_text=True)
    assert '<a href="/exports">Exports</a>' in page
    assert 'href="/static/exports.css"' in page
    assert 'action="/exports/download"' in page
    for value in ("sample_un", "national_ml", "TF-LIST-02", "terrorist_financing",
                  "virements-octobre.csv", "false_positive", "escalated"):
        assert f'value="{value}"' in page or value in page
    assert "PDF (first 20000 rows" in page
    french = exports_app.test_client()
    login(french, "mariam")
    page = french.get("/exports").get_data(as_text=True)
    assert "Exporter les correspondances et les alertes" in page
    assert "Alertes levées à partir du" in page


def test_csv_download_streams_the_filtered_hits(exports_app: Flask) -> None:
    client = exports_app.test_client()
    login(client, "aminata")
    response = client.get("/exports/download?kind=hits&format=csv&list=national_ml"
                          "&status=escalated&from=2026-10-01&to=2026-10-31")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="aml-screen-hits-\d{8}T\d{4}Z\.csv"',
                        disposition)
    body = response.get_data()
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [row["Party name"] for row in table] == ["'" + name for name in HOSTILE.values()]
    assert {row["List version (SHA-256)"] for row in table} == {LIST_SHA}
    assert {row["Rule version (digest)"] for row in table} == {RULE_DIGEST}
    event = _last_event(exports_app)
    assert (event.action, event.actor_name, event.object_id) == ("export.hits", "aminata",
                                                                 "csv")
    assert event.after is not None
    assert event.after["rows"] == 5
    assert event.after["sha256"] == hashlib.sha256(body).hexdigest()
    assert event.after["filters"] == {"date_from": "2026-10-01", "date_to": "2026-10-31",
                                      "list_id": "national_ml", "status": "escalated"}


def test_xlsx_download_of_alerts_leaves_no_temporary_file(exports_app: Flask) -> None:
    pattern = f"{tempfile.gettempdir()}/aml-screen-export-*"
    before = set(glob.glob(pattern))
    client = exports_app.test_client()
    login(client, "salif")
    response = client.get("/exports/download?kind=alerts&format=xlsx&disposition=false_positive")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.get_data()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][3] == ARABIC
    assert rows[1][10] == "false_positive"
    response.close()
    assert set(glob.glob(pattern)) == before
    event = _last_event(exports_app)
    assert (event.action, event.actor_name, event.object_id) == ("export.alerts", "salif",
                                                                 "xlsx")


def test_pdf_download_in_french(exports_app: Flask) -> None:
    client = exports_app.test_client()
    login(client, "mariam")
    response = client.get("/exports/download?kind=hits&format=pdf&typology=sanctions"
                          "&list=national_ml")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data()))
                     .pages)
    assert "Correspondances sur listes" in text
    assert "Exporté par : mariam" in text
    assert ARABIC in text
    assert "Lignes : 6" in text


@pytest.mark.parametrize(("query", "message"), [
    ("from=2026-13-01", "“2026-13-01” is not a day: write it day/month/year"),
    ("from=13/13/2026", "“13/13/2026” is not a day: write it day/month/year"),
    ("format=docx", "--format &#39;docx&#39;: expected one of csv, xlsx, pdf"),
    ("kind=cases", "--kind &#39;cases&#39;: expected one of hits, alerts"),
    ("from=2026-10-09&to=2026-10-01", "the date range ends (Oct 1, 2026) before it starts"),
])
def test_bad_filters_are_shown_on_the_form(exports_app: Flask, query: str,
                                           message: str) -> None:
    client = exports_app.test_client()
    login(client, "aminata")
    before = _events(exports_app)
    response = client.get(f"/exports/download?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="export-form"' in page
    assert _events(exports_app) == before


def test_roles_without_the_permission_are_refused(exports_app: Flask) -> None:
    for name in ("awa", "fatou", "root"):
        client = exports_app.test_client()
        login(client, name)
        assert client.get("/exports/download?format=csv").status_code == 403
        assert "/exports" not in client.get("/alerts").get_data(as_text=True).split("<main>")[0]


def _prepare(app: Flask) -> None:
    add_hostile_batch(database(app))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_app(tmp_path_factory.mktemp("exports-browser"),
                   {"salif": "supervisor", "aminata": "auditor"}, prepare=_prepare) as url:
        yield url


@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
def test_an_auditor_downloads_an_xlsx_from_the_menu(server: str, page: Any,
                                                    screenshots: Path, tmp_path: Path) -> None:
    log_in(page, server, "aminata")
    page.click("header nav a:has-text('Exports')")
    page.wait_for_url(f"{server}/exports")
    page.check("input[name=kind][value=alerts]")
    page.check("input[name=format][value=xlsx]")
    page.select_option("select[name=status]", "escalated")
    page.screenshot(path=str(screenshots / "exports.png"), full_page=True)
    with page.expect_download() as download_info:
        page.click("#export-download")
    download = download_info.value
    assert re.fullmatch(r"aml-screen-alerts-\d{8}T\d{4}Z\.xlsx", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(load_workbook(target).worksheets[0].iter_rows(values_only=True))
    assert [row[3] for row in rows[1:]] == ["'" + name for name in HOSTILE.values()]
    assert {row[9] for row in rows[1:]} == {"escalated"}
