"""Retention purge on the sample batch: alerts triaged and put in cases, dates moved into the
past, then purged; nothing personal is left anywhere, statistics and the audit chain survive,
and whatever an open case still holds is not touched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from aml_screen.store import Database
from aml_screen.store.audit import record, verify_chain
from aml_screen.store.base import Base, utcnow
from aml_screen.store.models import (
    Alert,
    AuditEvent,
    Batch,
    Case,
    CaseAlert,
    CaseNote,
    Comment,
    EvidencePackage,
    Hit,
    Transaction,
    User,
)
from aml_screen.store.retention import (
    PLACEHOLDER,
    digests_only,
    plan_purge,
    purge,
    retention_cutoff,
)
from aml_screen.store.triage import add_comment, change_status
from tests.store.samples import add_user, load_sample, sample_run

NARRATIVE = ("Iyad Ag Ghaly a reçu 4 900 000 XOF de Aïssata Maïga en espèces à Kidal ; "
             "correspondance avec l'entrée ONU QDi.316.")
LONG_AGO = timedelta(days=6 * 366)


@dataclass(frozen=True)
class Trail:
    batch_id: int
    case_id: int
    case_alert_ids: list[int]


def party_names() -> set[str]:
    """Every originator and beneficiary name of the sample batch (people and companies)."""
    frame = sample_run().run.transactions
    names = frame.get_column("originator_name").to_list() + \
        frame.get_column("beneficiary_name").to_list()
    return {name for name in names if name}


def build_cases(database: Database, case_status: str = "closed") -> Trail:
    """The sample batch loaded; every alert commented and closed; the two alerts about
    Iyad Ag Ghaly and Amadou Kouffa in a case with a narrative, a note and an evidence
    package, all audited."""
    add_user(database, "hawa", "investigator", language="fr")
    add_user(database, "salif", "supervisor")
    batch_id = load_sample(database, uploader="hawa")
    with database.transaction() as session:
        hawa = session.scalars(select(User).where(User.username == "hawa")).one()
        alerts = session.scalars(select(Alert).order_by(Alert.id)).all()
        for alert in alerts:
            add_comment(session, alert.id, hawa, f"{alert.subject_name} : vérifié à Gao")
            change_status(session, alert.id, hawa, "closed", alert.version,
                          disposition="suspicious_reported",
                          reason=f"{alert.subject_name} confirmé")
        chosen = [a for a in alerts if a.subject_name in ("Iyad Ag Ghaly", "Amadou Kouffa")]
        case = Case(title="Iyad Ag Ghaly et Amadou Kouffa", subject_type="party",
                    subject_id="iyad ag ghaly", subject_name="Iyad Ag Ghaly",
                    status=case_status, narrative=NARRATIVE, created_by_id=hawa.id,
                    disposition="suspicious_reported" if case_status == "closed" else None,
                    closed_at=utcnow() if case_status == "closed" else None)
        session.add(case)
        session.flush()
        for alert in chosen:
            session.add(CaseAlert(case_id=case.id, alert_id=alert.id, added_by_id=hawa.id))
        session.add(CaseNote(case_id=case.id, author_id=hawa.id,
                             body="Appel de la banque : Iyad Ag Ghaly connu à Tombouctou"))
        session.add(EvidencePackage(
            case_id=case.id, file_name="dossier_iyad_ag_ghaly.zip", sha256="ab" * 32,
            size_bytes=11, content=b"PK Iyad Ag", case_version=1, prepared_by_id=hawa.id,
            manifest={"case": {"subject_name": "Iyad Ag Ghaly"}, "manifest_sha256": "cd" * 32,
                      "files": [{"name": "recit_iyad_ag_ghaly.txt", "sha256": "ef" * 32}]}))
        record(session, hawa, "case.create", "case", case.id,
               after={"title": case.title, "narrative": NARRATIVE})
        return Trail(batch_id, case.id, [a.id for a in chosen])


def age(database: Database, delta: timedelta, *, batch: bool = True,
        case: bool = True) -> None:
    """Move closing and finishing dates ``delta`` into the past."""
    with database.engine.begin() as connection:
        if batch:
            connection.execute(update(Alert).values(closed_at=utcnow() - delta))
            connection.execute(update(Batch).values(finished_at=utcnow() - delta))
        if case:
            connection.execute(update(Case).where(Case.status == "closed")
                               .values(closed_at=utcnow() - delta))


def everything(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table except the public list entries."""
    with database.engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    table.select().order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables if table.name != "listed_entries"}


def names_left(database: Database, names: set[str]) -> list[tuple[str, str]]:
    found = []
    folded = {name.casefold() for name in names}
    for table, rows in everything(database).items():
        for row in rows:
            text = repr(row).casefold()
            found += [(table, name) for name in folded if name in text]
    return found


def _run_purge(database: Database, years: int = 5) -> dict[str, Any]:
    with database.transaction() as session:
        plan = plan_purge(session, utcnow(), years)
        return purge(session, plan)


def test_the_cutoff_is_in_calendar_years() -> None:
    assert retention_cutoff(datetime(2031, 3, 1, 9, tzinfo=UTC), 5) == \
        datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert retention_cutoff(datetime(2028, 2, 29, tzinfo=UTC), 5) == \
        datetime(2023, 2, 28, tzinfo=UTC)


def test_nothing_recent_expires(database: Database) -> None:
    build_cases(database)
    age(database, timedelta(days=4 * 365))
    with database.transaction() as session:
        plan = plan_purge(session, utcnow(), 5)
    assert plan.empty
    assert plan.rows["transactions"] == 0


def test_an_expired_batch_and_case_are_purged_without_a_trace_of_names(
        database: Database) -> None:
    trail = build_cases(database)
    age(database, LONG_AGO)
    with database.engine.connect() as connection:
        before = {row.id: (row.risk_score, row.disposition, row.status, row.list_ids)
                  for row in connection.execute(select(Alert))}
        scores = sorted(connection.execute(select(Hit.score)).scalars())
    assert names_left(database, party_names())  # the data really is there before

    with database.transaction() as session:
        plan = plan_purge(session, utcnow(), 5)
    assert (plan.case_ids, plan.batch_ids) == ((trail.case_id,), (trail.batch_id,))
    assert plan.spans["alerts"].count == len(before) == sample_run().run.alerts.height
    assert plan.rows["transactions"] == sample_run().run.transactions.height
    assert plan.rows["quarantine_rows"] == sample_run().run.quarantine.height
    summary = _run_purge(database)

    assert names_left(database, party_names() | {"Kidal", "Tombouctou", "Gao"}) == []
    with database.engine.connect() as connection:
        after = {row.id: (row.risk_score, row.disposition, row.status, row.list_ids)
                 for row in connection.execute(select(Alert))}
        assert after == before  # statistics keep working
        assert sorted(connection.execute(select(Hit.score)).scalars()) == scores
        assert connection.execute(select(func.count()).select_from(Transaction)).scalar() == 0
        batch = connection.execute(select(Batch)).one()
        case = connection.execute(select(Case)).one()
        package = connection.execute(select(EvidencePackage)).one()
        assert {c.body for c in connection.execute(select(Comment))} == {PLACEHOLDER}
    assert batch.purged_at is not None
    assert batch.sha256 == sample_run().sha256
    assert batch.list_versions == sample_run().run.summary["list_versions"]
    assert (case.purged_at is not None, case.narrative, case.disposition) == (
        True, None, "suspicious_reported")
    assert (package.content, package.sha256) == (b"", "ab" * 32)
    assert package.manifest == {"manifest_sha256": "cd" * 32,
                                "files": [{"sha256": "ef" * 32}]}

    with database.transaction() as session:
        report = verify_chain(session)
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        redacted = session.scalar(select(func.count()).where(AuditEvent.redacted_at.is_not(None)))
    assert report.broken is None
    assert last is not None
    assert last.action == "retention.purged"
    assert last.after == summary
    assert summary["audit_events"] == redacted > len(before) * 2
    assert (summary["cases"], summary["batches"], summary["alerts"]) == (1, 1, len(before))
    with database.transaction() as session:
        assert plan_purge(session, utcnow(), 5).empty  # purged once


def test_an_open_case_keeps_its_alerts_and_their_batch(database: Database) -> None:
    trail = build_cases(database, case_status="open")
    age(database, LONG_AGO)
    with database.transaction() as session:
        plan = plan_purge(session, utcnow(), 5)
    assert plan.empty
    snapshot = everything(database)
    _run_purge(database)
    after = everything(database)
    assert after.pop("audit_events")[:-1] == snapshot.pop("audit_events")
    assert after == snapshot
    with database.engine.connect() as connection:
        names = connection.execute(select(Alert.subject_name)
                                   .where(Alert.id.in_(trail.case_alert_ids))).scalars()
        assert sorted(names) == ["Amadou Kouffa", "Iyad Ag Ghaly"]


def test_a_recently_closed_case_keeps_its_old_alerts(database: Database) -> None:
    """Alerts closed long ago but in a case closed last year: the case's period counts, so
    the case's alerts and their batch stay."""
    trail = build_cases(database)
    age(database, LONG_AGO, case=False)
    with database.transaction() as session:
        plan = plan_purge(session, utcnow(), 5)
    assert plan.batch_ids == ()
    assert plan.case_ids == ()
    assert not set(plan.alert_ids) & set(trail.case_alert_ids)


def test_planning_changes_nothing(database: Database) -> None:
    build_cases(database)
    age(database, LONG_AGO)
    snapshot = everything(database)
    with database.transaction() as session:
        plan = plan_purge(session, utcnow(), 5)
    assert not plan.empty
    assert everything(database) == snapshot


@pytest.mark.parametrize(("manifest", "kept"), [
    ({"sha256": "a" * 64, "subject": "Awa Sangaré", "amount": str(Decimal("1.50"))},
     {"sha256": "a" * 64}),
    ({"files": [{"name": "x.pdf", "sha256": "b" * 64}, {"name": "y.txt"}]},
     {"files": [{"sha256": "b" * 64}]}),
    ({"subject": "Awa Sangaré"}, None),
])
def test_a_purged_manifest_keeps_only_its_digests(manifest: dict[str, Any],
                                                  kept: dict[str, Any] | None) -> None:
    assert digests_only(manifest) == kept
