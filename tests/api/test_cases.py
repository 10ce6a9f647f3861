"""Cases through the API: the web's list filters page by page, one case with its alerts,
notes and packages (the view audited), alerts added with the case version (409 when stale,
all or none), and a note — which voids an approved evidence package, and the answer says
so, in the client's language."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.store import cases
from aml_screen.store.accounts import get_user
from aml_screen.store.evidence_packages import approve, prepare
from aml_screen.store.models import Alert, AuditEvent, EvidencePackage
from tests.api.conftest import Api, make_token
from tests.web.client import database


def _alert(session: Any, subject: str) -> Alert:
    found: Alert = session.scalars(select(Alert).where(Alert.subject_name == subject)).one()
    return found


@pytest.fixture(scope="module")
def kouffa(app: Flask) -> dict[str, int]:
    """A case about Amadou Kouffa opened by fatou, and two alerts made about him too (the
    sample has one alert per subject)."""
    with database(app).transaction() as session:
        first = _alert(session, "Amadou Kouffa")
        others = [_alert(session, name) for name in ("Iyad Ag Ghaly", "BELMOKHTAR Mokhtar")]
        for other in others:
            other.subject_type, other.subject_id = first.subject_type, first.subject_id
        session.flush()
        case = cases.open_case(session, get_user(session, "fatou"), [first.id], "Kouffa")
        return {"case": case.id, "first": first.id, "second": others[0].id,
                "third": others[1].id}


@pytest.fixture
def fatou(app: Flask) -> Api:
    return Api(app.test_client(), make_token(app, "fatou", "read", "triage"))


def _version(api: Api, case_id: int) -> int:
    found: int = api.get(f"/api/v1/cases/{case_id}").get_json()["version"]
    return found


def test_the_list_is_the_webs(app: Flask, fatou: Api, kouffa: dict[str, int]) -> None:
    with database(app).transaction() as session:
        moussa = get_user(session, "moussa")
        for name in ("Abdelkader Ben Hamouda", "Boubacar Hama Djibrila"):
            cases.open_case(session, moussa, [_alert(session, name).id])
    everything = fatou.get("/api/v1/cases?status=all&per_page=100").get_json()
    assert everything["total"] == len(everything["items"]) >= 2
    mine = fatou.get("/api/v1/cases?assignee=me").get_json()["items"]
    assert [item["id"] for item in mine] == [kouffa["case"]]
    assert mine[0]["assignee"] == "fatou"
    assert mine[0]["subject_name"] == "Amadou Kouffa"
    found = fatou.get("/api/v1/cases?subject=KOUFFA").get_json()["items"]
    assert [item["id"] for item in found] == [kouffa["case"]]
    first = fatou.get("/api/v1/cases?status=all&per_page=1&page=1").get_json()
    second = fatou.get("/api/v1/cases?status=all&per_page=1&page=2").get_json()
    assert first["pages"] == everything["total"]
    assert first["items"][0]["id"] != second["items"][0]["id"]
    for query in ("status=pending", "per_page=0", "page=x", "owner=me"):
        assert fatou.get(f"/api/v1/cases?{query}").status_code == 422


def test_adding_alerts_checks_the_version_and_the_subject(app: Flask, fatou: Api,
                                                          kouffa: dict[str, int]) -> None:
    url = f"/api/v1/cases/{kouffa['case']}/alerts"
    read = _version(fatou, kouffa["case"])
    with database(app).transaction() as session:  # someone else changes the case meanwhile
        cases.add_note(session, kouffa["case"], get_user(session, "moussa"), "Vu.")
    stale = fatou.post(url, {"alert_ids": [kouffa["second"]], "version": read})
    assert (stale.status_code, stale.get_json()["code"]) == (409, "cases.conflict")
    version = _version(fatou, kouffa["case"])
    with database(app).transaction() as session:
        elsewhere = _alert(session, "Amadou Kouffa").id + 1000
    mixed = fatou.post(url, {"alert_ids": [kouffa["second"], elsewhere], "version": version})
    assert mixed.status_code == 404
    added = fatou.post(url, {"alert_ids": [kouffa["second"], kouffa["third"]],
                             "version": version})
    assert added.status_code == 200, added.get_json()
    body = added.get_json()
    assert (body["case"]["alerts"], body["voided_packages"], body["warning"]) == (3, [], None)
    assert body["case"]["version"] > version
    again = fatou.post(url, {"alert_ids": [kouffa["second"]], "version": body["case"]["version"]})
    assert (again.status_code, again.get_json()["code"]) == (400, "cases.alert_already_in")
    detail = fatou.get(f"/api/v1/cases/{kouffa['case']}").get_json()
    assert [a["id"] for a in detail["alerts"]] == sorted(
        [kouffa["first"], kouffa["second"], kouffa["third"]])
    with database(app).transaction() as session:
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "case",
            AuditEvent.object_id == str(kouffa["case"])).order_by(AuditEvent.seq)).all()
    assert actions.count("case.alert_added") == 2  # the refused attempts changed nothing
    assert "case.view" in actions


def test_a_note_voids_an_approved_package_and_says_so(app: Flask, fatou: Api,
                                                      kouffa: dict[str, int]) -> None:
    with database(app).transaction() as session:
        case = cases.get_case(session, kouffa["case"])
        package = prepare(session, case.id, get_user(session, "fatou"), case.version)
        approve(session, case.id, package.id, get_user(session, "salif"))
        package_id = package.id
    listed = fatou.get(f"/api/v1/cases/{kouffa['case']}").get_json()["packages"]
    assert next((p["id"], p["status"], p["approved_by"]) for p in listed) == (
        package_id, "approved", "salif")
    response = fatou.client.post(f"/api/v1/cases/{kouffa['case']}/notes",
                                 json={"body": "  Appel de la banque le 3 mars.  "},
                                 headers={"Authorization": f"Bearer {fatou.secret}",
                                          "Accept-Language": "fr"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["note"]["body"] == "Appel de la banque le 3 mars."
    assert body["note"]["author"] == "fatou"
    assert body["voided_packages"] == [{"id": package_id, "was": "approved"}]
    assert body["warning"].startswith(f"Le dossier de preuves #{package_id} était approuvé")
    with database(app).transaction() as session:
        assert session.get_one(EvidencePackage, package_id).status == "void"
    notes = fatou.get(f"/api/v1/cases/{kouffa['case']}").get_json()["notes"]
    assert [n["body"] for n in notes][-1] == "Appel de la banque le 3 mars."
    assert fatou.post(f"/api/v1/cases/{kouffa['case']}/notes",
                      {"body": ""}).status_code == 422


def test_who_may_read_and_change_cases(app: Flask, kouffa: dict[str, int]) -> None:
    url = f"/api/v1/cases/{kouffa['case']}"
    analyst = Api(app.test_client(), make_token(app, "awa", "read"))
    assert analyst.get(url).status_code == 403
    auditor = Api(app.test_client(), make_token(app, "aminata", "read"))
    assert auditor.get(url).status_code == 200
    assert auditor.post(url + "/notes", {"body": "x"}).status_code == 403
    reader = Api(app.test_client(), make_token(app, "salif", "read"))
    assert reader.post(url + "/notes", {"body": "x"}).status_code == 403
    assert reader.get("/api/v1/cases/987654").status_code == 404


def test_a_note_with_a_nul_character_is_422_not_a_server_error(fatou: Api,
                                                               kouffa: dict[str, int]) -> None:
    """PostgreSQL stores no text with a NUL character: found by the property tests."""
    url = f"/api/v1/cases/{kouffa['case']}/notes"
    response = fatou.post(url, {"body": "Appel\x00 de la banque"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "body", "message": "holds a NUL character (code 0), which no text may contain"}]
