"""Re-screening a stored batch after a list update: exactly the new hit becomes an alert,
attached to the re-screen; a second re-screen against the same versions adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from aml_screen.jobs.rescreen import rescreen_stored_batch
from aml_screen.store import Database
from aml_screen.store.loading import register_batch
from aml_screen.store.models import Alert, AuditEvent, Hit, Rescreen
from aml_screen.store.rescreen import RescreenError, request_rescreen
from tests.jobs.lists import ADDED_SUBJECT, keep_sample_upload, list_settings
from tests.store.samples import add_user, load_sample, sample_run


def _rescreen(database: Database, settings_folder: Path, batch_id: int,
              updated: bool = True) -> Rescreen:
    settings = list_settings(settings_folder, updated=updated)
    keep_sample_upload(settings)
    with database.transaction() as session:
        rescreen_id = request_rescreen(session, batch_id, None).id
    rescreen_stored_batch(settings, database, rescreen_id)
    with database.transaction() as session:
        found = session.get_one(Rescreen, rescreen_id)
        session.expunge(found)
        return found


def test_only_the_new_hit_becomes_an_alert(database: Database, tmp_path: Path) -> None:
    add_user(database, "salif", "supervisor")
    batch_id = load_sample(database, "salif")
    with database.transaction() as session:
        original = set(session.scalars(select(Alert.alert_key)))
    first = _rescreen(database, tmp_path / "lists", batch_id)
    assert first.status == "done", (first.error_key, first.error_params)
    assert (first.new_hits, first.new_alerts) == (6, 1)  # Awa Sangaré: 6 screened rows
    assert {v["list_id"] for v in first.list_versions or []} == {"sample_un",
                                                                 "sample_national"}
    with database.transaction() as session:
        alerts = session.scalars(select(Alert).where(Alert.rescreen_id == first.id)).all()
        assert [(a.subject_id, a.batch_id, a.status) for a in alerts] == [
            (ADDED_SUBJECT, batch_id, "new")]
        assert alerts[0].alert_key not in original
        hits = session.scalars(select(Hit).where(Hit.alert_id == alerts[0].id)).all()
        assert {h.entry_id for h in hits} == {"ML-GEL-2025-042"}
        assert len(session.scalars(select(Alert)).all()) == len(original) + 1
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "batch", AuditEvent.object_id == str(batch_id))
            .order_by(AuditEvent.seq)).all()
        assert actions[-2:] == ["batch.rescreen_requested", "batch.rescreened"]
    second = _rescreen(database, tmp_path / "lists", batch_id)
    assert (second.status, second.new_hits, second.new_alerts) == ("done", 0, 0)
    with database.transaction() as session:
        assert len(session.scalars(select(Alert)).all()) == len(original) + 1


def test_unchanged_lists_find_nothing_new(database: Database, tmp_path: Path) -> None:
    batch_id = load_sample(database)
    rescreen = _rescreen(database, tmp_path / "lists", batch_id, updated=False)
    assert (rescreen.status, rescreen.new_hits, rescreen.new_alerts) == ("done", 0, 0)
    with database.transaction() as session:
        assert len(session.scalars(select(Alert)).all()) == sample_run().run.alerts.height


def test_a_batch_not_screened_yet_cannot_be_rescreened(database: Database) -> None:
    with database.transaction() as session:
        batch, _ = register_batch(session, "b.csv", "1" * 64, 10, None)
        with pytest.raises(RescreenError):
            request_rescreen(session, batch.id, None)


def test_a_missing_file_fails_the_rescreen_with_a_reason(database: Database,
                                                         tmp_path: Path) -> None:
    batch_id = load_sample(database)
    settings = list_settings(tmp_path / "lists", updated=True)
    with database.transaction() as session:
        rescreen_id = request_rescreen(session, batch_id, None).id
    assert rescreen_stored_batch(settings, database, rescreen_id) == 0
    with database.transaction() as session:
        rescreen = session.get_one(Rescreen, rescreen_id)
        assert (rescreen.status, rescreen.error_key) == ("failed", "rescreen.file_missing")
