"""Alerts are stored in bulk (``COPY`` on PostgreSQL, one ``executemany`` on SQLite) with
their hits, rule hits and labels: read back through the ORM they equal alerts stored one
object at a time, JSON lists and objects as the same values (not a JSON string holding
them). Keys already stored are skipped and the new alerts' ids go to the right keys when
the batch already has alerts or another batch is being stored at the same moment;
``alert.created`` is owed for the new alerts, and without a subscriber no alert is read for
it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from aml_screen.pipeline import ScreeningRun
from aml_screen.schema import ALERT_SCHEMA, HIT_SCHEMA, QUARANTINE_SCHEMA, RULE_HIT_SCHEMA
from aml_screen.store import Database
from aml_screen.store.alert_labels import label_rows
from aml_screen.store.base import utcnow
from aml_screen.store.loading import load_results, store_new_alerts
from aml_screen.store.models import (
    Alert,
    AlertLabel,
    Batch,
    Hit,
    Rescreen,
    RuleHit,
    WebhookDelivery,
)
from aml_screen.store.secret_box import WEBHOOKS, SecretBox
from aml_screen.store.webhook_endpoints import create_endpoint

AWA = 'awa "la grande" traoré, bamako'
REASONS = [{"kind": "list", "list_id": "sample_un", "entry": "ML-1", "contribution": 91.5,
            "names": ["أحمد", "Aïcha\nMint"]}]
WINDOW = datetime(2026, 3, 1, 8, 30, 15, 250000, tzinfo=UTC)


def _alert(key: str, subject_type: str, subject_id: str, **values: Any) -> dict[str, Any]:
    return {"alert_id": key, "batch_key": "b" * 64, "subject_type": subject_type,
            "subject_id": subject_id, "subject_name": subject_id, "risk_score": 91.5,
            "rule_ids": [], "list_ids": [], "typologies": [], "transaction_ids": ["TX-1"],
            "hit_count": 0, "max_match_score": None, "reasons": json.dumps(REASONS),
            **values}


def _hit(party: str, entry_id: str, **values: Any) -> dict[str, Any]:
    return {"transaction_id": "TX-1", "party_role": "originator", "party_name": party.title(),
            "party_name_normalised": party, "list_id": "sample_un", "list_version": "v1",
            "entry_id": entry_id, "matched_name": party.upper(),
            "matched_name_normalised": party, "name_kind": "primary",
            "entity_type": "person", "programmes": None, "score": 91.5,
            "explanation": json.dumps({"scorer": "jw", "tokens": [["awa", "awa", 1.0]]}),
            "topics": None, "relation": None, **values}


def _run(prefix: str, parties: list[str]) -> ScreeningRun:
    """A screening run of a few alerts holding what is hard to write: quotes, commas, line
    breaks and Arabic, empty and missing lists, missing scores and windows."""
    alerts = [_alert(f"{prefix}-{i}", "party", party, list_ids=["sample_un", "national"],
                     rule_ids=["large_cash"], typologies=["sanctions", "structuring"],
                     hit_count=2, max_match_score=91.5, transaction_ids=["TX-1", "TX-2"])
              for i, party in enumerate(parties)]
    alerts.append(_alert(f"{prefix}-acct", "account", "ML-001", risk_score=40.0,
                         rule_ids=["rapid_movement"], typologies=["layering"]))
    hits = [_hit(party, f"E-{i}", programmes=["SDGT"] if i else None,
                 topics=["sanction", "role.pep"] if i else None,
                 relation=json.dumps([{"kind": "family", "role": "Fille"}]) if i else None)
            for i, party in enumerate(parties)]
    rule_hits = [{"rule_id": "large_cash", "typology": "structuring", "severity_score": 70.0,
                  "subject_type": "party", "subject_id": party, "subject_name": None,
                  "transaction_ids": None, "window_start": None, "window_end": None,
                  "evidence": json.dumps({"sum": "1500000.50", "threshold": 1e6})}
                 for party in parties]
    rule_hits.append({"rule_id": "rapid_movement", "typology": "layering",
                      "severity_score": 55.0, "subject_type": "account",
                      "subject_id": "ML-001", "subject_name": "Compte, \"ML\"",
                      "transaction_ids": ["TX-1", "TX-2"], "window_start": WINDOW,
                      "window_end": WINDOW + timedelta(hours=2), "evidence": "{}"})
    transactions = pl.DataFrame({
        "transaction_id": ["TX-1", "TX-2"], "originator_name": [parties[0].title()] * 2,
        "originator_account": ["ML-001"] * 2, "beneficiary_name": ["Moussa"] * 2,
        "beneficiary_account": ["NE-9"] * 2, "originator_country": ["ML", "ML"],
        "beneficiary_country": ["NE", None]})
    return ScreeningRun(
        transactions=transactions, quarantine=pl.DataFrame(schema=QUARANTINE_SCHEMA),
        alerts=pl.DataFrame(alerts, schema=ALERT_SCHEMA),
        hits=pl.DataFrame(hits, schema=HIT_SCHEMA),
        rule_hits=pl.DataFrame(rule_hits, schema=RULE_HIT_SCHEMA),
        summary={"batch_key": "b" * 64, "rows_read": 2, "rows_loaded": 2})


def _batch(session: Session, name: str) -> Batch:
    batch = Batch(file_name=f"{name}.csv", sha256=name.ljust(64, "0"), size_bytes=1,
                  status="running")
    session.add(batch)
    session.flush()
    return batch


def _store_by_orm(session: Session, batch: Batch, run: ScreeningRun) -> None:
    """``run`` stored one ORM object at a time, as alerts were before the bulk write."""
    alerts = {}
    for row in run.alerts.iter_rows(named=True):
        alerts[row["alert_id"]] = alert = Alert(
            alert_key=row["alert_id"], batch_id=batch.id, subject_type=row["subject_type"],
            subject_id=row["subject_id"], subject_name=row["subject_name"],
            risk_score=row["risk_score"], max_match_score=row["max_match_score"],
            hit_count=row["hit_count"], rule_ids=row["rule_ids"], list_ids=row["list_ids"],
            typologies=row["typologies"], transaction_ids=row["transaction_ids"],
            reasons=json.loads(row["reasons"]), status="new")
        session.add(alert)
    session.flush()
    by_subject = {(a.subject_type, a.subject_id): a.id for a in alerts.values()}
    for row in run.hits.iter_rows(named=True):
        session.add(Hit(**{**row, "alert_id": by_subject["party", row["party_name_normalised"]],
                           "explanation": json.loads(row["explanation"]),
                           "programmes": row["programmes"] or [],
                           "topics": row["topics"] or [], "relation": row["relation"] or ""}))
    for row in run.rule_hits.iter_rows(named=True):
        session.add(RuleHit(**{**row, "alert_id": by_subject[row["subject_type"],
                                                              row["subject_id"]],
                               "evidence": json.loads(row["evidence"]),
                               "transaction_ids": row["transaction_ids"] or []}))
    for key, kind, value in label_rows(run.alerts, run.transactions).iter_rows():
        session.add(AlertLabel(alert_id=alerts[key].id, kind=kind, value=value))
    session.flush()


_SKIPPED = {"id", "alert_id", "alert_key", "batch_id", "created_at", "updated_at"}


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in _SKIPPED}


def _stored(session: Session, batch_id: int) -> dict[str, Any]:
    """Every stored row of the batch's alerts, told apart by subject (keys, ids and the
    batch left out)."""
    alerts = session.scalars(select(Alert).where(Alert.batch_id == batch_id)).all()
    subject = {a.id: (a.subject_type, a.subject_id) for a in alerts}

    def rows(model: Any) -> list[str]:
        found = session.scalars(select(model).where(model.alert_id.in_(subject))).all()
        return sorted(repr((subject[r.alert_id], _columns(r))) for r in found)

    return {"alerts": sorted(repr(_columns(a)) for a in alerts),
            "hits": rows(Hit), "rule_hits": rows(RuleHit), "labels": rows(AlertLabel)}


def test_alerts_stored_in_bulk_read_back_as_the_orm_stored_them(database: Database) -> None:
    parties = [AWA, "أحمد ولد محمد"]
    before = utcnow()
    with database.transaction() as session:
        bulk = _batch(session, "bulk")
        assert load_results(session, bulk, _run("bulk", parties)) == 3
        by_orm = _batch(session, "orm")
        _store_by_orm(session, by_orm, _run("orm", parties))
    with database.transaction() as session:
        stored = _stored(session, bulk.id)
        assert stored == _stored(session, by_orm.id)
        alerts = session.scalars(select(Alert).where(Alert.batch_id == bulk.id)).all()
    assert [len(stored[rows]) for rows in ("alerts", "hits", "rule_hits")] == [3, 2, 3]
    assert {(a.status, a.version, a.rescreen_id) for a in alerts} == {("new", 1, None)}
    assert all(before <= a.created_at == a.updated_at <= utcnow() for a in alerts)
    awa = next(a for a in alerts if a.subject_id == AWA)
    assert (awa.reasons, awa.list_ids) == (REASONS, ["sample_un", "national"])


def test_known_keys_are_skipped_and_new_ids_go_to_their_keys(database: Database) -> None:
    """A re-screen adds alerts to a batch that has some, after another batch stored
    its own: only the new keys are stored, each hit under its own alert."""
    first = _run("k", ["awa traore", "moussa diallo"])
    with database.transaction() as session:
        batch = _batch(session, "first")
        load_results(session, batch, first)
        other = _batch(session, "other")
        load_results(session, other, _run("o", ["fatou sow", "ibrahim keita"]))
    added = _run("k", ["awa traore", "moussa diallo", "oumar sidi", "aminata maiga"])
    new_keys = {"k-2", "k-3"}
    fresh = added.hits.filter(pl.col("entry_id").is_in(["E-2", "E-3"]))
    with database.transaction() as session:
        rescreen = Rescreen(batch_id=batch.id, status="running", queued_at=utcnow())
        session.add(rescreen)
        session.flush()
        created = store_new_alerts(session, session.get_one(Batch, batch.id), added.alerts,
                                   fresh, None, added.transactions, rescreen.id)
    assert created == len(new_keys)
    with database.transaction() as session:
        alerts = {a.alert_key: a for a in session.scalars(select(Alert))}
        assert len(alerts) == 2 * 3 + len(new_keys)
        assert {key for key, a in alerts.items() if a.rescreen_id == rescreen.id} == new_keys
        for key in new_keys:
            hits = session.scalars(select(Hit).where(Hit.alert_id == alerts[key].id)).all()
            assert [h.party_name_normalised for h in hits] == [alerts[key].subject_id]
        labels = set(session.scalars(select(AlertLabel.alert_id)))
        assert {alerts[key].id for key in new_keys} <= labels


def test_batches_stored_at_once_get_their_own_ids(database: Database) -> None:
    """Two batches stored together (their ids interleave on PostgreSQL): every hit is
    under the alert of its party in its batch."""
    with database.transaction() as session:
        batch_ids = {prefix: _batch(session, prefix).id for prefix in "xy"}
    gate = threading.Barrier(2, timeout=60)

    def store(prefix: str) -> None:
        run = _run(prefix, [f"{prefix} party {i}" for i in range(300)])
        with database.transaction() as session:
            gate.wait()
            load_results(session, session.get_one(Batch, batch_ids[prefix]), run)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(store, "xy"))
    with database.transaction() as session:
        rows = session.execute(select(Alert.batch_id, Alert.subject_id,
                                      Hit.party_name_normalised)
                               .join(Hit, Hit.alert_id == Alert.id)).all()
    assert len(rows) == 2 * 300
    assert all(subject == party and party.startswith(prefix) and batch_ids[prefix] == batch
               for batch, subject, party in rows for prefix in (party[0],))


def _endpoint(database: Database, min_risk: float) -> int:
    box = SecretBox("the web's secret key, for tests", WEBHOOKS)
    with database.transaction() as session:
        return create_endpoint(session, "https://fiu.example.org/hooks", ["alert.created"],
                               box, min_risk=min_risk).endpoint.id


def test_new_alerts_owe_alert_created_with_what_was_stored(database: Database) -> None:
    """Each new alert reaching the endpoint's risk, in the order stored, as stored; known
    alerts stored again owe nothing."""
    endpoint = _endpoint(database, min_risk=50)
    run = _run("h", [AWA, "moussa"])
    for _ in range(2):
        with database.transaction() as session:
            batch = session.scalar(select(Batch)) or _batch(session, "hooks")
            store_new_alerts(session, batch, run.alerts, run.hits, None, run.transactions,
                             None)
    with database.transaction() as session:
        alerts = {a.id: a for a in session.scalars(select(Alert).where(Alert.risk_score >= 50))}
        owed = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert len(alerts) == 2
    assert [d.endpoint_id for d in owed] == [endpoint] * len(alerts)
    sent = [json.loads(d.body)["data"]["alert"] for d in owed]
    assert [alert["id"] for alert in sent] == sorted(alerts)
    for alert in sent:
        stored = alerts[alert["id"]]
        assert alert == {
            "id": stored.id, "alert_key": stored.alert_key, "batch_id": stored.batch_id,
            "subject_type": stored.subject_type, "risk_score": stored.risk_score,
            "hit_count": stored.hit_count, "list_ids": stored.list_ids,
            "rule_ids": stored.rule_ids, "typologies": stored.typologies, "status": "new",
            "disposition": None, "version": 1}


@contextmanager
def _alert_reads(engine: Engine) -> Iterator[list[str]]:
    """The statements reading whole alert rows while the block runs."""
    seen: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "alerts.risk_score" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", watch)


def test_without_subscribers_no_alert_is_read_for_events(database: Database) -> None:
    box = SecretBox("the web's secret key, for tests", WEBHOOKS)
    with database.transaction() as session:
        create_endpoint(session, "https://fiu.example.org/hooks", ["batch.screened"], box)
    with _alert_reads(database.engine) as reads, database.transaction() as session:
        load_results(session, _batch(session, "quiet"), _run("q", [AWA]))
    assert reads == []
    _endpoint(database, min_risk=50)
    with _alert_reads(database.engine) as reads, database.transaction() as session:
        load_results(session, _batch(session, "heard"), _run("h", [AWA]))
    assert reads
