"""Cases and their evidence packages in the store: opening, changes with optimistic locking
and audit events, listing, the detail, and the package rules (four-eyes on identity,
approval bound to the SHA-256, voided by any later change)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import select

from aml_screen.evidence import verify_package
from aml_screen.store import Database
from aml_screen.store import cases as ops
from aml_screen.store.errors import ConflictError, NotFoundError
from aml_screen.store.evidence_packages import approve, download, prepare
from aml_screen.store.models import Alert, AuditEvent, Case, EvidencePackage, User
from tests.store.samples import add_user, load_sample


@pytest.fixture
def db(database: Database) -> Database:
    for name, role, lang in (("awa", "analyst", "en"), ("fatou", "investigator", "fr"),
                             ("moussa", "investigator", "en"), ("salif", "supervisor", "en"),
                             ("khadija", "supervisor", "fr")):
        add_user(database, name, role, language=lang)
    load_sample(database, "awa")
    return database


def user(session: Any, name: str) -> User:
    return session.scalars(select(User).where(User.username == name)).one()


def alert_of(session: Any, subject_name: str) -> Alert:
    return session.scalars(select(Alert).where(Alert.subject_name == subject_name)).one()


def events(session: Any, object_type: str, object_id: int) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.seq)))


def open_kouffa(db: Database, by: str = "fatou") -> tuple[int, int]:
    """A case about Amadou Kouffa; returns (case id, version)."""
    with db.transaction() as s:
        case = ops.open_case(s, user(s, by), [alert_of(s, "Amadou Kouffa").id])
        return case.id, case.version


def test_open_case_takes_the_subject_of_the_first_alert_and_is_audited(db: Database) -> None:
    with db.transaction() as s:
        alert = alert_of(s, "Amadou Kouffa")
        case = ops.open_case(s, user(s, "fatou"), [alert.id], title="  ")
        assert (case.subject_type, case.subject_id, case.subject_name) == (
            "party", "amadou kouffa", "Amadou Kouffa")
        assert case.title == "Amadou Kouffa"
        assert case.status == "open"
        assert case.assignee_id == user(s, "fatou").id
        assert ops.case_alert_ids(s, case.id) == [alert.id]
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.opened")).one()
        assert event.after is not None
        assert event.after["alert_ids"] == [alert.id]


def test_an_alert_about_another_subject_is_refused(db: Database) -> None:
    case_id, version = open_kouffa(db)
    with db.transaction() as s, pytest.raises(ops.CaseError) as err:
        ops.add_alert(s, case_id, user(s, "fatou"), alert_of(s, "Iyad Ag Ghaly").id, version)
    assert err.value.key == "cases.other_subject"
    with db.transaction() as s, pytest.raises(ops.CaseError):
        ops.open_case(s, user(s, "fatou"), [alert_of(s, "Amadou Kouffa").id,
                                             alert_of(s, "Iyad Ag Ghaly").id])
    with db.transaction() as s, pytest.raises(NotFoundError):
        ops.open_case(s, user(s, "fatou"), [999_999])


def test_every_change_bumps_the_version_and_is_audited(db: Database) -> None:
    case_id, version = open_kouffa(db)
    with db.transaction() as s:
        me = user(s, "fatou")
        case = ops.edit(s, case_id, me, version, "Financement — Kouffa",
                        "Virements répétés vers le Mali.")
        v2 = case.version
        ops.add_note(s, case_id, me, "Appel de la banque le 3 mars.")
        v3 = ops.get_case(s, case_id).version
        case = ops.assign(s, case_id, me, user(s, "moussa"), v3)
        case = ops.close(s, case_id, me, case.version, "suspicious_reported")
        assert case.closed_at is not None
        assert case.disposition == "suspicious_reported"
        case = ops.reopen(s, case_id, me, case.version)
        assert (case.status, case.disposition, case.closed_at) == ("open", None, None)
        assert version < v2 < v3 < case.version
        assert events(s, "case", case_id) == [
            "case.opened", "case.edited", "case.note_added", "case.assigned", "case.closed",
            "case.reopened"]
        edited = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.edited")).one()
        assert edited.before is not None
        assert edited.after is not None
        assert edited.before["narrative"] is None
        assert edited.after["narrative"] == "Virements répétés vers le Mali."


def test_a_stale_version_is_a_conflict_not_a_lost_update(db: Database) -> None:
    case_id, version = open_kouffa(db)
    with db.transaction() as s:
        ops.edit(s, case_id, user(s, "fatou"), version, "Titre de Fatou", "")
    with db.transaction() as s, pytest.raises(ConflictError):
        ops.edit(s, case_id, user(s, "moussa"), version, "Titre de Moussa", "")
    with db.transaction() as s:
        assert ops.get_case(s, case_id).title == "Titre de Fatou"


def test_closed_cases_refuse_changes_until_reopened(db: Database) -> None:
    case_id, version = open_kouffa(db)
    with db.transaction() as s:
        with pytest.raises(ops.CaseError) as err:
            ops.close(s, case_id, user(s, "fatou"), version, "false_positive")
        assert err.value.key == "cases.disposition_required"
        ops.close(s, case_id, user(s, "fatou"), version, "not_suspicious")
    with db.transaction() as s, pytest.raises(ops.CaseError) as err:
        ops.add_note(s, case_id, user(s, "fatou"), "trop tard")
    assert err.value.key == "cases.closed"


def test_alerts_added_and_removed_but_never_the_last(db: Database) -> None:
    """Two batches' alerts about one subject: the second sample load is the same file, so
    a second alert about the subject is made by reusing an alert of a copied subject."""
    case_id, version = open_kouffa(db)
    with db.transaction() as s:
        first = alert_of(s, "Amadou Kouffa")
        with pytest.raises(ops.CaseError) as err:
            ops.add_alert(s, case_id, user(s, "fatou"), first.id, version)
        assert err.value.key == "cases.alert_already_in"
        with pytest.raises(ops.CaseError) as err:
            ops.remove_alert(s, case_id, user(s, "fatou"), first.id, version)
        assert err.value.key == "cases.last_alert"
        other = alert_of(s, "Iyad Ag Ghaly")
        other.subject_id, other.subject_type = first.subject_id, first.subject_type
        s.flush()
        case = ops.add_alert(s, case_id, user(s, "fatou"), other.id, version)
        assert ops.case_alert_ids(s, case_id) == sorted([first.id, other.id])
        case = ops.remove_alert(s, case_id, user(s, "fatou"), first.id, case.version)
        assert ops.case_alert_ids(s, case_id) == [other.id]
        assert events(s, "case", case_id)[-2:] == ["case.alert_added", "case.alert_removed"]


def test_list_filters_by_status_assignee_and_subject_and_pages(db: Database) -> None:
    with db.transaction() as s:
        fatou, moussa = user(s, "fatou"), user(s, "moussa")
        for alert in s.scalars(select(Alert).order_by(Alert.id)):
            ops.open_case(s, fatou if alert.id % 2 else moussa, [alert.id])
        hamouda = s.scalars(select(Case).where(Case.subject_name.like("%Hamouda%"))).one()
        ops.close(s, hamouda.id, fatou, hamouda.version, "not_suspicious")
    with db.transaction() as s:
        everything = ops.list_cases(s, ops.CaseFilter(status=None))
        assert everything.total == 8
        assert all(row.alerts == 1 for row in everything.items)
        assert ops.list_cases(s, ops.CaseFilter(status="open")).total == 7
        closed = ops.list_cases(s, ops.CaseFilter(status="closed"))
        assert [r.case.subject_name for r in closed.items] == ["Abdelkader Ben Hamouda"]
        mine = ops.list_cases(s, ops.CaseFilter(status=None, assignee="me",
                                                viewer_id=user(s, "moussa").id))
        assert mine.total == 4
        assert {r.assignee for r in mine.items} == {"moussa"}
        assert ops.list_cases(s, ops.CaseFilter(status=None, assignee="fatou")).total == 4
        assert ops.list_cases(s, ops.CaseFilter(status=None, assignee="none")).total == 0
        found = ops.list_cases(s, ops.CaseFilter(status=None, subject="AG GHALY"))
        assert [r.case.subject_name for r in found.items] == ["Iyad Ag Ghaly"]
        page2 = ops.list_cases(s, ops.CaseFilter(status=None, per_page=3, page=3))
        assert (page2.pages, page2.page, len(page2.items)) == (3, 3, 2)


def test_detail_holds_alerts_hits_transactions_notes_and_events(db: Database) -> None:
    with db.transaction() as s:
        alert = alert_of(s, "Abdelkader Ben Hamouda")
        case = ops.open_case(s, user(s, "fatou"), [alert.id])
        ops.add_note(s, case.id, user(s, "fatou"), "Bénéficiaire : Salamata Compaoré.")
        case_id = case.id
    with db.transaction() as s:
        detail = ops.case_detail(s, case_id)
        assert [a.alert.id for a in detail.alerts] == [alert.id]
        assert len(detail.alerts[0].hits) == 2
        assert len(detail.alerts[0].rule_hits) == 2
        assert [t.transaction_id for t in detail.transactions] == ["TX-2025-00054"]
        assert detail.transactions[0].beneficiary_name == "Salamata Compaoré"
        assert [(n.body, who) for n, who in detail.notes] == [
            ("Bénéficiaire : Salamata Compaoré.", "fatou")]
        actions = [e.action for e in detail.events]
        assert actions[:2] == ["case.opened", "case.note_added"]
        assert detail.created_by == "fatou"
        assert detail.assignee == "fatou"


def test_package_prepared_approved_by_another_supervisor_and_bound(db: Database) -> None:
    case_id, version = open_kouffa(db)
    with db.transaction() as s:
        package = prepare(s, case_id, user(s, "fatou"), version)
        package_id, digest = package.id, package.sha256
        assert package.language == "fr"
        assert package.case_version == version
        assert hashlib.sha256(package.content).hexdigest() == digest
        assert package.manifest["case_id"] == case_id
        assert package.manifest["prepared_by"] == "fatou"
    with db.transaction() as s:
        with pytest.raises(ops.CaseError) as err:
            approve(s, case_id, package_id, user(s, "moussa"))
        assert err.value.key == "evidence.supervisor_only"
        approved = approve(s, case_id, package_id, user(s, "salif"))
        assert approved.status == "approved"
        assert approved.approved_sha256 == digest
        assert approved.approved_by_id == user(s, "salif").id
    with db.transaction() as s:
        name, content = download(s, case_id, package_id, user(s, "salif"))
        assert name.endswith(".zip")
        assert hashlib.sha256(content).hexdigest() == digest
        assert verify_package(content).ok
        assert events(s, "evidence_package", package_id) == [
            "evidence.prepared", "evidence.approved", "evidence.downloaded"]
        bound = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "evidence.approved")).one()
        assert bound.after is not None
        assert bound.after["sha256"] == digest


def test_the_preparer_cannot_approve_even_as_a_supervisor(db: Database) -> None:
    case_id, version = open_kouffa(db, by="salif")
    with db.transaction() as s:
        package_id = prepare(s, case_id, user(s, "salif"), version).id
    with db.transaction() as s, pytest.raises(ops.CaseError) as err:
        approve(s, case_id, package_id, user(s, "salif"))
    assert err.value.key == "evidence.four_eyes"
    with db.transaction() as s:
        assert approve(s, case_id, package_id, user(s, "khadija")).status == "approved"
        with pytest.raises(ops.CaseError) as err:
            approve(s, case_id, package_id, user(s, "khadija"))
        assert err.value.key == "evidence.not_prepared"


def test_any_change_voids_prepared_and_approved_packages(db: Database) -> None:
    """A later note voids both packages; the approved one stays downloadable, marked void
    (its download link used to disappear)."""
    case_id, version = open_kouffa(db)
    with db.transaction() as s:
        first = prepare(s, case_id, user(s, "fatou"), version).id
        second = prepare(s, case_id, user(s, "fatou"), version).id
        approve(s, case_id, first, user(s, "salif"))
    with db.transaction() as s:
        ops.add_note(s, case_id, user(s, "moussa"), "Nouvel élément : compte au Niger.")
    with db.transaction() as s:
        for package_id in (first, second):
            package = s.get_one(EvidencePackage, package_id)
            assert package.status == "void"
            assert package.voided_at is not None
            assert package.void_reason == "case_changed:case.note_added"
            assert events(s, "evidence_package", package_id)[-1] == "evidence.voided"
        with pytest.raises(ops.CaseError) as err:
            approve(s, case_id, second, user(s, "salif"))
        assert err.value.key == "evidence.not_prepared"
        name, content = download(s, case_id, first, user(s, "salif"))
        approved = s.get_one(EvidencePackage, first)
        assert name == f"VOID-{approved.file_name}"  # still given as approved, marked void
        assert content == approved.content
        assert events(s, "evidence_package", first)[-1] == "evidence.downloaded"
        with pytest.raises(ConflictError):
            prepare(s, case_id, user(s, "fatou"), version)
        fresh = prepare(s, case_id, user(s, "fatou"), ops.get_case(s, case_id).version)
        assert fresh.status == "prepared"


def test_a_package_prepared_on_a_changed_case_cannot_be_approved(db: Database) -> None:
    """Voiding happens with the change; approval also re-checks the version itself."""
    case_id, version = open_kouffa(db)
    with db.transaction() as s:
        package = prepare(s, case_id, user(s, "fatou"), version)
        package.case_version = version - 1  # as if prepared from an older version
    with db.transaction() as s, pytest.raises(ops.CaseError) as err:
        approve(s, case_id, package.id, user(s, "salif"))
    assert err.value.key == "evidence.stale"


def test_the_package_holds_the_case_audit_trail_and_listed_entries(db: Database) -> None:
    with db.transaction() as s:
        alert = alert_of(s, "Abdelkader Ben Hamouda")
        case = ops.open_case(s, user(s, "fatou"), [alert.id])
        package = prepare(s, case.id, user(s, "fatou"), case.version)
        archive = zipfile.ZipFile(io.BytesIO(package.content))
        trail = json.loads(archive.read("audit_trail.json"))
        assert [e["action"] for e in trail][-1] == "case.opened"
        assert all(len(e["hash"]) == 64 and e["seq"] > 0 for e in trail)
        entries = json.loads(archive.read("listed_entries.json"))
        assert [(e["list_id"], e["entry_id"]) for e in entries] == [
            ("sample_national", "ML-GEL-2024-010")]
        assert len(entries[0]["list_version"]) == 64
        assert "Abd al-Qadir Ben Hamouda" in [n["name"] for n in entries[0]["names"]]
        csv_text = archive.read("transactions.csv").decode("utf-8")
        assert csv_text.startswith("\ufeff")
        assert "578000.0000" in csv_text


def test_the_package_draws_the_case_subjects_link_chart(db: Database) -> None:
    with db.transaction() as s:
        alert = alert_of(s, "Abdelkader Ben Hamouda")
        case = ops.open_case(s, user(s, "fatou"), [alert.id])
        package = prepare(s, case.id, user(s, "fatou"), case.version)
        archive = zipfile.ZipFile(io.BytesIO(package.content))
        links = json.loads(archive.read("links.json"))
        svg = archive.read("link_chart.svg").decode("utf-8")
    root = next(n for n in links["subjects"] if n["hop"] == 0)
    assert root["name"] == "Abdelkader Ben Hamouda"
    assert root["listed"]
    assert links["links"]
    counterparties = {n["name"] for n in links["subjects"] if n["hop"] == 1}
    assert all(name in svg for name in counterparties if name and len(name) < 26)
    assert "Abdelkader Ben Hamouda" in svg
