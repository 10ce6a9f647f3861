"""List and rule changes between completed batches are recorded as system audit events."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from aml_screen.store import Database
from aml_screen.store.audit import verify_chain
from aml_screen.store.base import utcnow
from aml_screen.store.models import AuditEvent, Batch
from aml_screen.store.version_changes import record_version_changes
from tests.store.samples import load_sample, sample_run

UN_2026_02 = {"list_id": "un_sc", "source": "un_sc", "format": "un_xml",
              "sha256": "a" * 64, "version_date": "2026-02-27T00:00:00Z",
              "retrieved_at": "2026-03-01T06:00:00.000000Z", "entries": 1004, "names": 3120}
UN_2026_03 = {**UN_2026_02, "sha256": "b" * 64, "version_date": "2026-03-20T00:00:00Z",
              "retrieved_at": "2026-03-21T06:00:00.000000Z", "entries": 1007}
NATIONAL = {"list_id": "niger_national", "source": "niger_national", "format": "custom_csv",
            "sha256": "c" * 64, "version_date": None, "retrieved_at": None, "entries": 12,
            "names": 34}
RULES_V1, RULES_V2 = "1" * 64, "2" * 64
START = utcnow() - timedelta(days=30)


def _batch(database: Database, name: str, finished: datetime | None,
           lists: list[dict[str, Any]], digest: str | None, status: str = "done") -> int:
    with database.transaction() as session:
        batch = Batch(file_name=name, sha256=hashlib.sha256(name.encode()).hexdigest(),
                      size_bytes=100, status=status, list_versions=lists, rule_digest=digest,
                      finished_at=finished)
        session.add(batch)
        session.flush()
        return batch.id


def _record(database: Database, batch_id: int) -> list[tuple[str, str, Any, Any]]:
    with database.transaction() as session:
        events = record_version_changes(session, session.get_one(Batch, batch_id))
        return [(e.actor_name, e.action, e.before, e.after) for e in events]


def test_the_first_batch_records_the_initial_versions(database: Database) -> None:
    first = _batch(database, "janvier.csv", START, [UN_2026_02, NATIONAL], RULES_V1)
    assert _record(database, first) == [
        ("system", "lists.changed", None, {
            "un_sc": {"sha256": "a" * 64, "version_date": "2026-02-27T00:00:00Z"},
            "niger_national": {"sha256": "c" * 64, "version_date": None}}),
        ("system", "rules.changed", None, {"rule_digest": RULES_V1}),
    ]
    with database.transaction() as session:
        stored = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [(e.object_type, e.object_id) for e in stored] == [("batch", str(first))] * 2
        assert verify_chain(session).broken is None


def test_unchanged_versions_record_nothing(database: Database) -> None:
    _batch(database, "janvier.csv", START, [UN_2026_02, NATIONAL], RULES_V1)
    second = _batch(database, "février.csv", START + timedelta(days=1),
                    [NATIONAL, UN_2026_02], RULES_V1)
    assert _record(database, second) == []


def test_a_new_list_version_is_recorded_with_before_and_after(database: Database) -> None:
    _batch(database, "janvier.csv", START, [UN_2026_02, NATIONAL], RULES_V1)
    second = _batch(database, "mars.csv", START + timedelta(days=1),
                    [UN_2026_03, NATIONAL], RULES_V1)
    national = {"sha256": "c" * 64, "version_date": None}
    assert _record(database, second) == [
        ("system", "lists.changed",
         {"un_sc": {"sha256": "a" * 64, "version_date": "2026-02-27T00:00:00Z"},
          "niger_national": national},
         {"un_sc": {"sha256": "b" * 64, "version_date": "2026-03-20T00:00:00Z"},
          "niger_national": national}),
    ]


def test_a_list_dropped_from_screening_is_a_change(database: Database) -> None:
    _batch(database, "janvier.csv", START, [UN_2026_02, NATIONAL], RULES_V1)
    second = _batch(database, "mars.csv", START + timedelta(days=1), [UN_2026_02], RULES_V1)
    [(_, action, before, after)] = _record(database, second)
    assert action == "lists.changed"
    assert set(before) == {"un_sc", "niger_national"}
    assert set(after) == {"un_sc"}


def test_a_rule_change_alone_records_rules_changed(database: Database) -> None:
    _batch(database, "janvier.csv", START, [UN_2026_02], RULES_V1)
    second = _batch(database, "mars.csv", START + timedelta(days=1), [UN_2026_02], RULES_V2)
    assert _record(database, second) == [
        ("system", "rules.changed", {"rule_digest": RULES_V1}, {"rule_digest": RULES_V2})]


def test_rules_switched_off_is_a_change_too(database: Database) -> None:
    _batch(database, "janvier.csv", START, [UN_2026_02], RULES_V1)
    second = _batch(database, "mars.csv", START + timedelta(days=1), [UN_2026_02], None)
    assert _record(database, second) == [
        ("system", "rules.changed", {"rule_digest": RULES_V1}, {"rule_digest": None})]


def test_the_comparison_is_with_the_batch_completed_last_not_a_failed_one(
        database: Database) -> None:
    """Batch ids follow uploads, not completion: the one finished most recently before is
    the reference, and a failed batch (never screened) is skipped."""
    late = _batch(database, "uploaded-first.csv", START + timedelta(days=2), [UN_2026_03],
                  RULES_V2)
    _batch(database, "uploaded-second.csv", START + timedelta(days=1), [UN_2026_02],
           RULES_V1)
    _batch(database, "broken.csv", START + timedelta(days=3), [], None, status="failed")
    newest = _batch(database, "today.csv", START + timedelta(days=4), [UN_2026_03], RULES_V2)
    assert _record(database, newest) == []
    assert late < newest


def test_with_the_real_sample_batch(database: Database) -> None:
    """The list versions the pipeline really records (bundled UN sample and national CSV)."""
    batch_id = load_sample(database)
    expected = {v["list_id"]: {"sha256": v["sha256"], "version_date": v["version_date"]}
                for v in sample_run().run.summary["list_versions"]}
    assert set(expected) == {"sample_un", "sample_national"}
    assert _record(database, batch_id) == [("system", "lists.changed", None, expected)]
    with database.transaction() as session:
        assert verify_chain(session).broken is None
