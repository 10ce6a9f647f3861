"""The STR of a suspicious case built from the sample batch: it validates against the goAML
5.0.2 schema, carries the case's transactions, parties and narrative, is audited, and is
refused, with the reason, when the case or the settings do not allow it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from sqlalchemy import select

from aml_screen.goaml.case import export_case
from aml_screen.goaml.model import GoamlError
from aml_screen.i18n import translate
from aml_screen.settings import Settings
from aml_screen.store import Database, NotFoundError
from aml_screen.store.audit import verify_chain
from aml_screen.store.models import AuditEvent, User
from tests.goaml.cases import NARRATIVE, goaml_schema, suspicious_case
from tests.store.samples import repo_settings

SETTINGS = repo_settings(goaml_entity_id="2042")


def _export(database: Database, case_id: int, settings: Settings = SETTINGS) -> bytes:
    with database.transaction() as session:
        fatou = session.scalars(select(User).where(User.username == "fatou")).one()
        return export_case(session, case_id, settings, fatou)


@pytest.mark.shared
def test_the_str_validates_against_the_goaml_schema(database: Database,
                                                    shared_data: Path) -> None:
    case_id = suspicious_case(database, subjects=("Iyad Ag Ghaly", "Amadou Kouffa",
                                                  "Comptoir de Change Al Wafa Sahel"))
    body = _export(database, case_id)
    errors = [f"{e.path}: {e.reason}" for e in goaml_schema(shared_data).iter_errors(
        body.decode("utf-8"))]
    assert errors == []
    root = fromstring(body)
    assert [t.findtext("transactionnumber") for t in root.iter("transaction")] == [
        "TX-2025-00049", "TX-2025-00052", "TX-2025-00047"]  # by booking time


def test_the_str_carries_the_case(database: Database) -> None:
    case_id = suspicious_case(database)
    body = _export(database, case_id)
    root = fromstring(body)
    assert root.findtext("reason") == NARRATIVE
    assert root.findtext("rentity_id") == "2042"
    assert root.findtext("entity_reference") == f"AML-SCREEN-CASE-{case_id}"
    assert root.findtext("reporting_person/last_name") == "fatou"
    sent = {t.findtext("transactionnumber"): t for t in root.iter("transaction")}
    assert set(sent) == {"TX-2025-00047", "TX-2025-00049"}
    iyad = sent["TX-2025-00047"]
    assert iyad.findtext("amount_local") == "1000000.0000"
    assert iyad.findtext("t_from/from_account/account") == "+22171138538"
    assert iyad.findtext("t_from/from_account/signatory/t_person/last_name") == "Ag Ghaly"
    assert iyad.findtext("t_to/to_account/account_name") == "Awa Sangaré"
    assert (iyad.findtext("t_from/from_country"), iyad.findtext("t_to/to_country")) == (
        "SN", "BF")
    with database.transaction() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert verify_chain(session).broken is None
    assert event is not None
    assert (event.action, event.object_id, event.actor_name) == (
        "case.str_exported", str(case_id), "fatou")
    assert event.after is not None
    assert event.after["sha256"] == hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize(("case", "settings", "key"), [
    ({"disposition": "not_suspicious"}, SETTINGS, "goaml.not_suspicious"),
    ({"disposition": None}, SETTINGS, "goaml.not_suspicious"),
    ({"narrative": "  \n "}, SETTINGS, "goaml.no_narrative"),
    ({"narrative": None}, SETTINGS, "goaml.no_narrative"),
    ({}, repo_settings(), "goaml.no_entity_id"),
    ({}, repo_settings(goaml_entity_id="NE-BANK-7"), "goaml.bad_entity_id"),
    ({}, repo_settings(goaml_entity_id="2042", local_currency="EUR"),
     "goaml.foreign_currency"),
])
def test_refusals_say_why(database: Database, case: dict[str, object], settings: Settings,
                          key: str) -> None:
    case_id = suspicious_case(database, **case)  # type: ignore[arg-type]
    with pytest.raises(GoamlError) as raised:
        _export(database, case_id, settings)
    assert raised.value.key == key
    with database.transaction() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "case.str_exported" not in actions


def test_the_missing_entity_id_message_tells_the_admin_what_to_set() -> None:
    for lang in ("en", "fr"):
        assert "AML_SCREEN_GOAML_ENTITY_ID" in translate("goaml.no_entity_id", lang)


def test_an_unknown_case(database: Database) -> None:
    suspicious_case(database)
    with pytest.raises(NotFoundError):
        _export(database, 999)
