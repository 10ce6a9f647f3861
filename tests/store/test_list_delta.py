"""Delta re-screening of the stored parties after a list update: the party an added entry
names becomes exactly one alert, the hits of a removed entry are retired (kept), running
again adds nothing, and only the added entry's names are matched; the store keeps each
party name once, and forgets one no stored transaction holds."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import delete, func, select

from aml_screen.jobs.list_delta import run_list_delta
from aml_screen.store import Database
from aml_screen.store.list_delta import request_delta
from aml_screen.store.models import (
    Alert,
    AuditEvent,
    Hit,
    ListDelta,
    PartyName,
    Rescreen,
    Transaction,
)
from aml_screen.store.party_names import batch_names, forget_unused_names
from aml_screen.watchlists.registry import Version
from tests.jobs.lists import ADDED_SUBJECT, list_settings
from tests.store.list_versions import ADDED_ID, REMOVED_ENTRY, SOURCE, store_both
from tests.store.samples import load_sample, sample_run


def _party_names() -> set[str]:
    """The non-blank party names of the sample batch."""
    transactions = sample_run().run.transactions
    names = set(transactions.get_column("originator_name").drop_nulls()) | set(
        transactions.get_column("beneficiary_name").drop_nulls())
    return {name for name in names if name.strip()}


def _delta(database: Database, folder: Path, old: Version, new: Version) -> ListDelta:
    settings = list_settings(folder, updated=False)
    with database.transaction() as session:
        delta_id = request_delta(session, old, new, None).id
    run_list_delta(settings, database, delta_id)
    with database.transaction() as session:
        found = session.get_one(ListDelta, delta_id)
        session.expunge(found)
        return found


def test_an_added_entry_alerts_once_and_a_removed_one_is_retired(database: Database,
                                                                 tmp_path: Path) -> None:
    batch_id = load_sample(database)
    old, new = store_both(list_settings(tmp_path / "lists", updated=False))
    with database.transaction() as session:
        before = set(session.scalars(select(Alert.id)))
        removed_hits = session.scalar(select(func.count()).select_from(Hit).where(
            Hit.list_id == SOURCE, Hit.entry_id == REMOVED_ENTRY))
    assert removed_hits
    first = _delta(database, tmp_path / "lists", old, new)
    assert first.status == "done", (first.error_key, first.error_params)
    assert (first.entries_added, first.entries_removed, first.entries_changed) == (1, 1, 0)
    assert first.index_names == 2  # Awa Sangaré and her alias: no unchanged entry's name
    assert first.names_read == len(_party_names())
    assert (first.new_hits, first.new_alerts, first.retired_hits) == (6, 1, removed_hits)
    with database.transaction() as session:
        alerts = session.scalars(select(Alert).where(Alert.id.not_in(before))).all()
        assert [(a.subject_id, a.batch_id) for a in alerts] == [(ADDED_SUBJECT, batch_id)]
        rescreen = session.get_one(Rescreen, alerts[0].rescreen_id)
        assert (rescreen.delta_id, rescreen.batch_id, rescreen.new_alerts) == (
            first.id, batch_id, 1)
        assert {h.entry_id for h in session.scalars(
            select(Hit).where(Hit.alert_id == alerts[0].id))} == {ADDED_ID}
        retired = session.scalars(select(Hit).where(Hit.entry_id == REMOVED_ENTRY)).all()
        assert {(h.retired_on, h.retired_delta_id) for h in retired} == {
            ("2026-12-07", first.id)}
        actions = set(session.scalars(select(AuditEvent.action)))
        assert {"lists.delta_requested", "lists.delta_rescreened",
                "batch.rescreened"} <= actions
    again = _delta(database, tmp_path / "lists", old, new)
    assert (again.status, again.new_hits, again.new_alerts, again.retired_hits) == (
        "done", 0, 0, 0)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == len(before) + 1


def test_the_store_keeps_each_party_name_once(database: Database) -> None:
    load_sample(database)
    with database.transaction() as session:
        assert sorted(session.scalars(select(PartyName.name))) == sorted(_party_names())


def test_a_version_no_longer_stored_fails_the_run(database: Database, tmp_path: Path) -> None:
    old, new = store_both(list_settings(tmp_path / "lists", updated=False))
    with database.transaction() as session:
        delta_id = request_delta(session, old, new, None).id
    run_list_delta(list_settings(tmp_path / "other", updated=False), database, delta_id)
    with database.transaction() as session:
        delta = session.get_one(ListDelta, delta_id)
        assert (delta.status, delta.error_key) == ("failed", "lists.delta.version_missing")


def test_a_name_no_stored_transaction_holds_is_forgotten(database: Database) -> None:
    batch_id = load_sample(database)
    with database.transaction() as session:
        names = batch_names(session, [batch_id])
        gone, kept = names[0], names[1]
        session.execute(delete(Transaction).where(
            (Transaction.originator_name == gone) | (Transaction.beneficiary_name == gone)))
        forget_unused_names(session, pl.Series([gone, kept]))
        stored = set(session.scalars(select(PartyName.name)))
    assert gone not in stored
    assert stored == set(names.to_list()) - {gone}
