"""A store holding the bundled sample batch (8 alerts, 12 hits) and a second batch whose
parties have hostile and Arabic names, other list versions and a rule digest."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from aml_screen.store import Database
from aml_screen.store.models import Alert, AlertLabel, Batch, Hit, Transaction, User
from tests.store.isolation import isolated_database
from tests.store.samples import add_user, load_sample

HOSTILE = {
    "formula": '=HYPERLINK("http://x")',
    "phone": "+2250707",
    "at": "@SUM(A1)",
    "minus": "-1+1",
    "tab": "\tcmd",
}
ARABIC = "محمد ولد عبد الله"
LIST_SHA = hashlib.sha256(b"ml-gel 2026-10-01").hexdigest()
LIST_DATE = "2026-10-01T00:00:00Z"
RULE_DIGEST = hashlib.sha256(b"rules 2026-10").hexdigest()
RAISED = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Store:
    database: Database
    sample_batch: int
    hostile_batch: int
    closed_alert: int
    """The hostile batch's Arabic-name alert: closed as a false positive."""


def add_hostile_batch(database: Database) -> tuple[int, int]:
    """A batch screened against a newer national list with rules, one alert per hostile
    name, each with one hit; returns (batch id, the closed alert's id)."""
    with database.transaction() as session:
        salif = session.scalars(select(User).where(User.username == "salif")).one()
        batch = Batch(file_name="virements-octobre.csv",
                      sha256=hashlib.sha256(b"hostile batch").hexdigest(), size_bytes=4096,
                      status="done", rule_digest=RULE_DIGEST,
                      list_versions=[{"list_id": "national_ml", "sha256": LIST_SHA,
                                      "version_date": LIST_DATE, "entries": 40}],
                      summary={"engine_version": "0.2.0"}, finished_at=RAISED)
        session.add(batch)
        session.flush()
        names = [*HOSTILE.values(), ARABIC]
        closed = 0
        for number, name in enumerate(names, start=1):
            txn = f"TX-OCT-{number:04d}"
            is_arabic = name == ARABIC
            alert = Alert(
                alert_key=f"hostile-{number}", batch_id=batch.id, subject_type="party",
                subject_id=f"party-{number}", subject_name=name, risk_score=90.0 + number,
                max_match_score=90.0 + number, hit_count=1, rule_ids=["TF-LIST-01"],
                list_ids=["national_ml"], typologies=["sanctions"], transaction_ids=[txn],
                reasons=[], status="closed" if is_arabic else "escalated",
                disposition="false_positive" if is_arabic else None,
                close_reason="Homonyme : date de naissance différente" if is_arabic else None,
                closed_at=datetime(2026, 10, 7, 12, 0, tzinfo=UTC) if is_arabic else None,
                assignee_id=salif.id, created_at=RAISED, updated_at=RAISED)
            session.add(alert)
            session.flush()
            if is_arabic:
                closed = alert.id
            session.execute(insert(AlertLabel), [
                {"alert_id": alert.id, "kind": "list", "value": "national_ml"},
                {"alert_id": alert.id, "kind": "rule", "value": "TF-LIST-01"},
                {"alert_id": alert.id, "kind": "typology", "value": "sanctions"}])
            session.add(Transaction(batch_id=batch.id, transaction_id=txn,
                                    booked_at=datetime(2026, 10, 1, 8, number, tzinfo=UTC),
                                    originator_name=name, beneficiary_name="Société Sahel"))
            session.add(Hit(alert_id=alert.id, transaction_id=txn, party_role="originator",
                            party_name=name, party_name_normalised=name.lower(),
                            list_id="national_ml", list_version=LIST_SHA,
                            entry_id=f"ML-GEL-2026-{number:03d}", matched_name=name,
                            matched_name_normalised=name.lower(), name_kind="primary",
                            entity_type="person", programmes=["ML-GEL-TERRORISME"],
                            score=95.5, explanation={}))
        return batch.id, closed


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder: Path = tmp_path_factory.mktemp("exports")
    with isolated_database(folder) as database:
        add_user(database, "salif", "supervisor", language="fr")
        add_user(database, "aminata", "auditor")
        sample = load_sample(database, uploader=None)
        hostile, closed = add_hostile_batch(database)
        yield Store(database, sample, hostile, closed)
