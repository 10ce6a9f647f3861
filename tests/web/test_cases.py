"""Cases in the browser through Flask's test client: opening a case from the alert page,
the four-eyes rule on evidence packages (checked on the user, not the role), approval voided
by a later change, a stale save refused with a conflict, and the auditor only reading."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from aml_screen.evidence import verify_package
from aml_screen.store.models import Alert, AuditEvent, Case, EvidencePackage
from tests.web.client import database, login, post


def client_for(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def alert_id(app: Flask, subject: str) -> int:
    with database(app).transaction() as s:
        return s.scalars(select(Alert.id).where(Alert.subject_name == subject)).one()


def case_row(app: Flask, case_id: int) -> Case:
    with database(app).transaction() as s:
        return s.get_one(Case, case_id)


def packages(app: Flask, case_id: int) -> list[EvidencePackage]:
    with database(app).transaction() as s:
        return list(s.scalars(select(EvidencePackage).where(EvidencePackage.case_id == case_id)
                              .order_by(EvidencePackage.id)))


def open_case(client: FlaskClient, alert: int, title: str) -> int:
    response = post(client, "/cases", {"alert_id": str(alert), "title": title},
                    page=f"/alerts/{alert}")
    assert response.status_code == 302, response.get_data(as_text=True)
    found = re.search(r"/cases/(\d+)$", response.headers["Location"])
    assert found
    return int(found[1])


def html(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def prepare(client: FlaskClient, case_id: int, version: int) -> Any:
    return post(client, f"/cases/{case_id}/packages", {"version": str(version)},
                page=f"/cases/{case_id}")


def test_open_a_case_from_the_alert_page_and_add_notes(app: Flask) -> None:
    fatou = client_for(app, "fatou")
    alert = alert_id(app, "Iyad Ag Ghaly")
    page = html(fatou, f"/alerts/{alert}")
    assert 'id="open-case"' in page
    assert "This alert is in no case yet." in page
    case_id = open_case(fatou, alert, "Iyad Ag Ghaly — financement")
    detail = html(fatou, f"/cases/{case_id}")
    assert "Iyad Ag Ghaly — financement" in detail
    assert "TX-2025-00047" in detail
    assert post(fatou, f"/cases/{case_id}/notes", {"body": "Vérifier le compte à Kidal."},
                page=f"/cases/{case_id}").status_code == 302
    assert "Vérifier le compte à Kidal." in html(fatou, f"/cases/{case_id}")
    assert f"/cases/{case_id}" in html(fatou, f"/alerts/{alert}")
    listing = html(fatou, "/cases?subject=ag+ghaly")
    assert "Iyad Ag Ghaly — financement" in listing
    assert "Iyad Ag Ghaly — financement" not in html(fatou, "/cases?subject=kouffa")
    with database(app).transaction() as s:
        views = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.view",
                                                   AuditEvent.object_id == str(case_id)))
        assert {e.actor_name for e in views} == {"fatou"}


def test_the_preparer_cannot_approve_even_as_supervisor(app: Flask) -> None:
    salif = client_for(app, "salif")
    case_id = open_case(salif, alert_id(app, "Ets Ansar Dine"), "Ansar Dine")
    assert prepare(salif, case_id, case_row(app, case_id).version).status_code == 302
    (package,) = packages(app, case_id)
    assert 'class="approve"' not in html(salif, f"/cases/{case_id}")
    refused = post(salif, f"/cases/{case_id}/packages/{package.id}/approve",
                   page=f"/cases/{case_id}")
    assert refused.status_code == 400
    assert "another supervisor must approve it" in refused.get_data(as_text=True)
    fatou = client_for(app, "fatou")
    assert post(fatou, f"/cases/{case_id}/packages/{package.id}/approve",
                page=f"/cases/{case_id}").status_code == 403
    assert packages(app, case_id)[0].status == "prepared"


def test_approval_binds_the_digest_and_a_later_change_voids_it(app: Flask) -> None:
    fatou, salif = client_for(app, "fatou"), client_for(app, "salif")
    case_id = open_case(fatou, alert_id(app, "BELMOKHTAR Mokhtar"), "Belmokhtar")
    assert prepare(fatou, case_id, case_row(app, case_id).version).status_code == 302
    (package,) = packages(app, case_id)
    assert 'class="approve"' in html(salif, f"/cases/{case_id}")
    assert post(salif, f"/cases/{case_id}/packages/{package.id}/approve",
                page=f"/cases/{case_id}").status_code == 302
    (approved,) = packages(app, case_id)
    assert approved.status == "approved"
    assert approved.approved_sha256 == package.sha256
    download = fatou.get(f"/cases/{case_id}/packages/{package.id}.zip")
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert hashlib.sha256(download.data).hexdigest() == package.sha256
    assert download.data == approved.content
    assert verify_package(download.data).ok
    warned = html(fatou, f"/cases/{case_id}")
    assert 'id="void-warning"' in warned  # the change that would void it is named first
    assert f"Evidence package #{package.id} is approved" in warned
    version = case_row(app, case_id).version
    assert post(fatou, f"/cases/{case_id}/edit",
                {"version": str(version), "title": "Belmokhtar",
                 "narrative": "Nouveaux virements identifiés."},
                page=f"/cases/{case_id}").status_code == 302
    (voided,) = packages(app, case_id)
    assert voided.status == "void"
    assert voided.void_reason == "case_changed:case.edited"
    page = html(salif, f"/cases/{case_id}")
    assert "voided: the title or narrative was changed" in page  # was the raw code
    assert 'id="void-warning"' not in page  # nothing approved is left to void
    assert 'class="approve"' not in page
    kept = fatou.get(f"/cases/{case_id}/packages/{package.id}.zip")
    assert kept.status_code == 200  # the approved package stays downloadable, marked void
    assert kept.data == approved.content
    assert 'filename="VOID-' in kept.headers["Content-Disposition"]


def test_a_stale_save_is_a_conflict(app: Flask) -> None:
    fatou, moussa = client_for(app, "fatou"), client_for(app, "moussa")
    case_id = open_case(fatou, alert_id(app, "Amadou Kouffa"), "Kouffa")
    seen = case_row(app, case_id).version
    assert post(fatou, f"/cases/{case_id}/edit",
                {"version": str(seen), "title": "Kouffa — titre de Fatou", "narrative": ""},
                page=f"/cases/{case_id}").status_code == 302
    stale = post(moussa, f"/cases/{case_id}/edit",
                 {"version": str(seen), "title": "Kouffa — titre de Moussa", "narrative": ""},
                 page=f"/cases/{case_id}")
    assert stale.status_code == 409
    assert "Someone else changed case" in stale.get_data(as_text=True)
    assert case_row(app, case_id).title == "Kouffa — titre de Fatou"
    closed = post(moussa, f"/cases/{case_id}/close",
                  {"version": str(seen), "disposition": "not_suspicious"},
                  page=f"/cases/{case_id}")
    assert closed.status_code == 409
    assert case_row(app, case_id).status == "open"


def test_the_auditor_reads_but_cannot_change(app: Flask) -> None:
    fatou = client_for(app, "fatou")
    alert = alert_id(app, "Hamadoun Ould Baba Cheikh")
    case_id = open_case(fatou, alert, "Ould Baba Cheikh")
    assert prepare(fatou, case_id, case_row(app, case_id).version).status_code == 302
    (package,) = packages(app, case_id)
    aminata = client_for(app, "aminata")
    page = html(aminata, f"/cases/{case_id}")
    assert "Ould Baba Cheikh" in page
    assert package.sha256 in page
    assert 'id="edit-form"' not in page
    assert 'id="prepare-package"' not in page
    assert 'id="note-form"' not in page
    assert 'id="case-actions"' not in page
    assert "Ould Baba Cheikh" in html(aminata, "/cases?status=all")
    alert_page = html(aminata, f"/alerts/{alert}")
    assert f"/cases/{case_id}" in alert_page
    assert 'id="open-case"' not in alert_page
    assert aminata.get(f"/cases/{case_id}/packages/{package.id}.zip").status_code == 200
    for path, data in ((f"/cases/{case_id}/notes", {"body": "x"}),
                       (f"/cases/{case_id}/close", {"version": "1",
                                                    "disposition": "not_suspicious"}),
                       (f"/cases/{case_id}/packages", {"version": "1"}),
                       ("/cases", {"alert_id": str(alert)})):
        assert post(aminata, path, data, page="/cases").status_code == 403
    with database(app).transaction() as s:
        downloads = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "evidence.downloaded", AuditEvent.actor_name == "aminata"))
        assert [e.object_id for e in downloads] == [str(package.id)]


def test_the_analyst_sees_no_case_panel(app: Flask) -> None:
    awa = client_for(app, "awa")
    page = html(awa, f"/alerts/{alert_id(app, 'Iyad Ag Ghaly')}")
    assert 'id="alert-cases"' not in page
    assert awa.get("/cases").status_code == 403


def test_an_alert_joins_an_open_case_about_its_subject_from_the_alert_page(app: Flask) -> None:
    first = alert_id(app, "Comptoir de Change Al Wafa Sahel")
    second = alert_id(app, "Boubacar Hama Djibrila")
    with database(app).transaction() as s:  # a later alert about the same subject
        alert, later = s.get_one(Alert, first), s.get_one(Alert, second)
        later.subject_type, later.subject_id = alert.subject_type, alert.subject_id
    fatou = client_for(app, "fatou")
    case_id = open_case(fatou, first, "Al Wafa")
    page = html(fatou, f"/alerts/{second}")
    assert f"Add to case #{case_id} (Al Wafa)" in page
    version = case_row(app, case_id).version
    assert post(fatou, f"/cases/{case_id}/alerts", {"alert_id": str(second),
                                                    "version": str(version)},
                page=f"/alerts/{second}").status_code == 302
    detail = html(fatou, f"/cases/{case_id}")
    assert "TX-2025-00052" in detail
    assert "TX-2025-00053" in detail
    assert f"Add to case #{case_id}" not in html(fatou, f"/alerts/{second}")
