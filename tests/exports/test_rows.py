"""The rows each filter keeps (checked against the unfiltered rows filtered here in
Python), the versions each row carries, and reading in chunks."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from aml_screen.errors import InputError
from aml_screen.exports.filters import ExportFilter, make_filter
from aml_screen.exports.rows import count_rows, iter_rows
from aml_screen.store.models import Alert, Hit, Rescreen
from tests.exports.conftest import (
    ARABIC,
    LIST_DATE,
    LIST_SHA,
    RULE_DIGEST,
    Store,
    add_hostile_batch,
)
from tests.store.isolation import isolated_database
from tests.store.samples import add_user, sample_run


def rows(store: Store, kind: str, flt: ExportFilter | None = None,
         **options: Any) -> list[dict[str, Any]]:
    with store.database.transaction() as session:
        return list(iter_rows(session, kind, flt or ExportFilter(), **options))


def test_every_hit_and_alert_is_exported_once(store: Store) -> None:
    hits, alerts = rows(store, "hits"), rows(store, "alerts")
    assert len(hits) == sample_run().run.hits.height + 6 == 18
    assert len(alerts) == 8 + 6
    assert sorted({row["alert_id"] for row in hits}) == sorted(row["alert_id"] for row in alerts)
    with store.database.transaction() as session:
        assert count_rows(session, "hits", ExportFilter()) == 18
        assert count_rows(session, "alerts", ExportFilter()) == 14


def test_each_hit_carries_the_list_and_rule_versions_that_produced_it(store: Store) -> None:
    versions = {entry["list_id"]: entry for entry in sample_run().run.summary["list_versions"]}
    for row in rows(store, "hits"):
        if row["batch_id"] == store.hostile_batch:
            assert (row["list_version"], row["list_version_date"]) == (LIST_SHA, LIST_DATE)
            assert row["rule_digest"] == RULE_DIGEST
            assert row["engine_version"] == "0.2.0"
            assert row["file_name"] == "virements-octobre.csv"
            assert row["assignee"] == "salif"
            assert row["booked_at"] is not None
            assert row["booked_at"].year == 2026
        else:
            listed = versions[row["list_id"]]
            assert row["list_version"] == listed["sha256"]
            assert row["list_version_date"] == listed["version_date"]
            assert row["engine_version"] == sample_run().run.summary["engine_version"]
            assert row["file_name"] == "sample_batch.csv"
            assert row["transaction_id"].startswith("TX-2025-")
    un = next(row for row in rows(store, "hits") if row["list_id"] == "sample_un")
    assert un["list_version_date"] == "2026-02-27T00:00:00Z"


def test_each_alert_carries_its_batch_list_versions_and_rule_digest(store: Store) -> None:
    hostile = rows(store, "alerts", ExportFilter(batch_id=store.hostile_batch))
    assert {row["list_versions"] for row in hostile} == {f"national_ml {LIST_SHA} ({LIST_DATE})"}
    assert {row["rule_digest"] for row in hostile} == {RULE_DIGEST}
    sample = rows(store, "alerts", ExportFilter(batch_id=store.sample_batch))
    for entry in sample_run().run.summary["list_versions"]:
        assert all(entry["sha256"] in row["list_versions"] for row in sample)
    closed = next(row for row in hostile if row["subject_name"] == ARABIC)
    assert closed["status"] == "closed"
    assert closed["disposition"] == "false_positive"
    assert closed["close_reason"] == "Homonyme : date de naissance différente"
    assert closed["closed_at"] is not None


@pytest.mark.parametrize(("field", "value", "keep"), [
    ("batch_id", "hostile", lambda row, s: row["batch_id"] == s.hostile_batch),
    ("batch_id", "sample", lambda row, s: row["batch_id"] == s.sample_batch),
    ("list_id", "sample_un", lambda row, _s: "sample_un" in row["list_ids"]),
    ("rule_id", "TF-LIST-02", lambda row, _s: "TF-LIST-02" in row["rule_ids"]),
    ("typology", "terrorist_financing",
     lambda row, _s: "terrorist_financing" in row["typologies"]),
    ("status", "escalated", lambda row, _s: row["status"] == "escalated"),
    ("disposition", "false_positive", lambda row, _s: row["disposition"] == "false_positive"),
    ("date_from", date(2026, 10, 6), lambda row, _s: row["created_at"].date() >= date(2026, 10, 6)),
    ("date_to", date(2026, 10, 5), lambda row, _s: row["created_at"].date() <= date(2026, 10, 5)),
])
def test_each_filter_narrows_alerts_and_hits(store: Store, field: str, value: Any,
                                             keep: Any) -> None:
    if value in ("hostile", "sample"):
        value = store.hostile_batch if value == "hostile" else store.sample_batch
    everything = rows(store, "alerts")
    expected = [row["alert_id"] for row in everything if keep(row, store)]
    assert 0 < len(expected) < len(everything)
    flt = ExportFilter(**{field: value})
    assert [row["alert_id"] for row in rows(store, "alerts", flt)] == expected
    hits = rows(store, "hits", flt)
    if field == "list_id":  # a hit belongs to one list: only that list's hits remain
        expected_hits = [row for row in rows(store, "hits") if row["list_id"] == value]
    else:
        expected_hits = [row for row in rows(store, "hits") if row["alert_id"] in expected]
    assert hits == expected_hits
    with store.database.transaction() as session:
        assert count_rows(session, "hits", flt) == len(expected_hits)
        assert count_rows(session, "alerts", flt) == len(expected)


def test_filters_combine(store: Store) -> None:
    flt = ExportFilter(date_from=date(2026, 10, 5), date_to=date(2026, 10, 5),
                       status="closed", list_id="national_ml")
    assert [row["party_name"] for row in rows(store, "hits", flt)] == [ARABIC]
    other = ExportFilter(list_id="national_ml", typology="terrorist_financing")
    assert rows(store, "hits", other) == []


def test_rows_are_read_in_chunks(store: Store) -> None:
    chunks: list[int] = []
    read = rows(store, "hits", chunk=5, on_chunk=chunks.append)
    assert chunks == [5, 5, 5, 3]
    assert read == rows(store, "hits")
    assert len(rows(store, "hits", limit=4)) == 4


def test_user_text_is_checked_with_messages_naming_the_bad_value() -> None:
    assert make_filter(date_from="2026-10-01", batch="3", status="closed",
                       list_id=" un_sc ") == ExportFilter(
        date_from=date(2026, 10, 1), batch_id=3, status="closed", list_id="un_sc")
    for kwargs, key in [({"date_from": "01/10/2026"}, "exports.bad_date"),
                        ({"date_to": "2026-02-30"}, "exports.bad_date"),
                        ({"date_from": "2026-10-02", "date_to": "2026-10-01"},
                         "exports.bad_range"),
                        ({"batch": "abc"}, "exports.bad_batch"),
                        ({"status": "open"}, "exports.bad_choice"),
                        ({"disposition": "guilty"}, "exports.bad_choice")]:
        with pytest.raises(InputError) as raised:
            make_filter(**kwargs)
        assert raised.value.key == key
        assert raised.value.exit_code == 2


def test_alerts_of_a_rescreen_carry_the_rescreens_list_versions(tmp_path: Path) -> None:
    newer = hashlib.sha256(b"ml-gel 2026-11-15").hexdigest()
    with isolated_database(tmp_path) as database:
        add_user(database, "salif", "supervisor")
        batch_id, closed = add_hostile_batch(database)
        with database.transaction() as session:
            rescreen = Rescreen(batch_id=batch_id, status="done", list_versions=[
                {"list_id": "national_ml", "sha256": newer,
                 "version_date": "2026-11-15T00:00:00Z"}])
            session.add(rescreen)
            session.flush()
            alert = session.get_one(Alert, closed)
            alert.rescreen_id = rescreen.id
            hit = session.scalars(select(Hit).where(Hit.alert_id == closed)).one()
            hit.list_version = newer
        store = Store(database, 0, batch_id, closed)
        hits = {row["alert_id"]: row for row in rows(store, "hits")}
        alerts = {row["alert_id"]: row for row in rows(store, "alerts")}
    assert (hits[closed]["list_version"], hits[closed]["list_version_date"]) == (
        newer, "2026-11-15T00:00:00Z")
    assert alerts[closed]["list_versions"] == f"national_ml {newer} (2026-11-15T00:00:00Z)"
    others = [row for key, row in hits.items() if key != closed]
    assert {row["list_version_date"] for row in others} == {LIST_DATE}
