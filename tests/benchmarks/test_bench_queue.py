"""The queue benchmark at a tiny size: the store it fills agrees with itself (labels, hits,
rule hits, statuses), and a short run against ``aml-screen serve`` answers every endpoint
without errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aml_screen.store import open_database
from aml_screen.store.models import Alert, AlertLabel, Hit, ListedEntry, RuleHit, Transaction
from benchmarks import bench_queue


def test_the_fill_holds_what_was_asked_for(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    bench_queue.fill(url, 200, 1500, clients=2)
    database = open_database(url)
    try:
        with database.transaction() as session:
            assert session.scalar(select(func.count(Alert.id))) == 200
            assert session.scalar(select(func.count(Transaction.id))) == 1500
            statuses = set(session.scalars(select(Alert.status).distinct()))
            labelled = dict(session.execute(select(AlertLabel.kind, func.count())
                                            .group_by(AlertLabel.kind)).all())
            unequal = session.scalar(select(func.count()).select_from(AlertLabel).join(
                Alert, Alert.id == AlertLabel.alert_id).where(AlertLabel.status != Alert.status))
            alerts = session.scalars(select(Alert)).all()
            hits = session.scalars(select(Hit)).all()
            entries = set(session.execute(select(ListedEntry.list_version,
                                                 ListedEntry.list_id, ListedEntry.entry_id)))
            rule_hits = session.scalar(select(func.count(RuleHit.id)))
            owners = {t.transaction_id: t.originator_name for t in session.scalars(
                select(Transaction).where(Transaction.transaction_id.in_(
                    [i for a in alerts for i in a.transaction_ids])))}
    finally:
        database.dispose()
    assert statuses == set(bench_queue.STATUSES)
    assert unequal == 0  # labels carry their alert's status, as the store keeps them
    assert set(labelled) == {"list", "rule", "typology", "country"}
    assert len(hits) == sum(bool(a.list_ids) for a in alerts)
    assert {(h.list_version, h.list_id, h.entry_id) for h in hits} <= entries
    assert rule_hits == sum(len(a.rule_ids) for a in alerts)
    assert all(owners[t] == a.subject_name for a in alerts for t in a.transaction_ids)


@pytest.mark.parametrize("workers", [None, 2])
def test_a_short_run_answers_every_endpoint(tmp_path: Path, workers: int | None) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    figures = bench_queue.run_benchmark(url, 120, 600, clients=2, seconds=2, threads=2,
                                        workers=workers, folder=tmp_path)
    assert figures["server_workers"] == (workers or 1)
    assert figures["errors"] == 0
    assert set(figures["endpoints"]) == set(bench_queue.ENDPOINTS)
    assert all(e["requests"] >= 1 for e in figures["endpoints"].values())
    assert figures["requests_per_s"] > 0
    assert "p95 ms" in bench_queue.report(figures)


def test_clients_that_pause_make_fewer_requests() -> None:
    calls: list[str] = []
    lock = threading.Lock()

    def step(endpoint: str) -> None:
        with lock:
            calls.append(endpoint)

    wall = bench_queue.drive([step, step], bench_queue.ENDPOINTS, seconds=1.0, think=0.4)
    assert 0.9 < wall < 2.0
    # each client: one request, then a pause of 0.2-0.6 s, until the second is over
    assert 4 <= len(calls) <= 2 * (1 + 1.0 / 0.2)
    assert calls[:2] == ["queue", "queue"]
