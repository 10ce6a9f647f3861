"""Replay of a stored batch: the sample batch screened by the real screening job, its list
versions and rule pack snapshotted as the job does, then screened again and compared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from aml_screen.jobs.screening import screen_stored_batch, stored_path
from aml_screen.replay import Difference, ReplayError, Results, compare, replay_batch
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.settings import Settings
from aml_screen.snapshots import list_versions_dir, rule_packs_dir, snapshot_lists, snapshot_rules
from aml_screen.store import Database
from aml_screen.store.audit import verify_chain
from aml_screen.store.loading import register_batch
from aml_screen.store.models import Alert, AuditEvent, Batch, Hit
from aml_screen.watchlists.loader import load_watchlists
from tests.store.samples import SAMPLE, repo_settings, sample_run


def screened_batch(database: Database, data_dir: Path) -> tuple[Settings, int]:
    """The sample batch uploaded and screened by the screening job, with the snapshots the
    job takes (lists and rule pack, the pack digest recorded on the batch)."""
    settings = repo_settings(data_dir=data_dir)
    data = SAMPLE.read_bytes()
    sha256 = sample_run().sha256
    path = stored_path(settings, sha256, SAMPLE.name)
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    with database.transaction() as session:
        batch_id = register_batch(session, SAMPLE.name, sha256, len(data), None)[0].id
    screen_stored_batch(settings, database, batch_id)
    snapshot_lists(settings, load_watchlists(list(settings.default_watchlists), settings))
    digest = snapshot_rules(settings, configured_rules(settings), parameters_override(settings))
    with database.transaction() as session:
        session.execute(update(Batch).where(Batch.id == batch_id).values(rule_digest=digest))
        assert session.get_one(Batch, batch_id).status == "done"
    return settings, batch_id


def test_a_stored_batch_replays_identically(database: Database, tmp_path: Path) -> None:
    settings, batch_id = screened_batch(database, tmp_path)
    report = replay_batch(settings, database, batch_id)
    run = sample_run().run
    assert report.differences == []
    assert report.counts == {"hit": run.hits.height, "rule_hit": run.rule_hits.height,
                             "alert": run.alerts.height}
    assert report.counts["hit"] > 0
    assert report.counts["rule_hit"] > 0
    assert report.settings_used["threshold"] == settings.match_threshold
    with database.transaction() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert verify_chain(session).broken is None
    assert event is not None
    assert (event.action, event.object_id) == ("batch.replayed", str(batch_id))
    assert event.after is not None
    assert (event.after["identical"], event.after["hit"]) == (True, run.hits.height)


def test_a_tampered_hit_score_is_reported_as_changed(database: Database,
                                                    tmp_path: Path) -> None:
    settings, batch_id = screened_batch(database, tmp_path)
    with database.transaction() as session:
        hit = session.scalars(select(Hit).where(Hit.party_name == "Iyad Ag Ghaly")).first()
        assert hit is not None
        key = (hit.transaction_id, hit.party_role, hit.list_id, hit.entry_id, hit.matched_name)
        real = hit.score
        session.execute(update(Hit).where(Hit.id == hit.id).values(score=real - 2.5))
    report = replay_batch(settings, database, batch_id)
    assert report.differences == [
        Difference("hit", "changed", key, f"{real - 2.5:.2f}", f"{real:.2f}")]
    assert report.summary()["hit_changed"] == 1


def test_a_deleted_alert_is_reported_missing_with_its_hits(database: Database,
                                                          tmp_path: Path) -> None:
    settings, batch_id = screened_batch(database, tmp_path)
    with database.engine.begin() as connection:
        alert = connection.execute(select(Alert.id, Alert.alert_key, Alert.hit_count)
                                   .where(Alert.subject_name == "Amadou Kouffa")).one()
        connection.execute(delete(Hit).where(Hit.alert_id == alert.id))
        connection.execute(delete(Alert).where(Alert.id == alert.id))
    report = replay_batch(settings, database, batch_id)
    extra = [d for d in report.differences if d.change == "extra"]
    assert [(d.kind, d.key) for d in extra if d.kind == "alert"] == [("alert", (alert.alert_key,))]
    assert len([d for d in extra if d.kind == "hit"]) == alert.hit_count
    assert all(d.change == "extra" for d in report.differences)


def test_a_missing_list_version_stops_the_replay_naming_it(database: Database,
                                                          tmp_path: Path) -> None:
    settings, batch_id = screened_batch(database, tmp_path)
    with database.transaction() as session:
        versions = session.get_one(Batch, batch_id).list_versions or []
    national = next(v for v in versions if v["list_id"] == "sample_national")
    shutil.rmtree(list_versions_dir(settings) / national["sha256"])
    with pytest.raises(ReplayError) as raised:
        replay_batch(settings, database, batch_id)
    assert raised.value.exit_code == 2
    assert f"sample_national (-, sha256 {national['sha256']})" in str(raised.value)
    assert "sample_un" not in str(raised.value)


def test_an_edited_list_snapshot_is_refused(database: Database, tmp_path: Path) -> None:
    settings, batch_id = screened_batch(database, tmp_path)
    (national,) = list_versions_dir(settings).glob("*/national_sample.csv")
    with national.open("a", encoding="utf-8") as handle:  # a name added after the run
        handle.write("ML-GEL-2026-099,Hamadou Ag Khallini,person,,,,\n")
    with pytest.raises(ReplayError, match=r"national_sample\.csv no longer matches"):
        replay_batch(settings, database, batch_id)


def test_a_missing_rule_pack_or_batch_file_stops_the_replay(database: Database,
                                                           tmp_path: Path) -> None:
    settings, batch_id = screened_batch(database, tmp_path)
    upload = stored_path(settings, sample_run().sha256, SAMPLE.name)
    upload.write_bytes(upload.read_bytes() + b"\n")
    with pytest.raises(ReplayError, match=r"uploaded file .*\.csv no longer matches"):
        replay_batch(settings, database, batch_id)
    upload.write_bytes(SAMPLE.read_bytes())
    shutil.rmtree(rule_packs_dir(settings))
    with pytest.raises(ReplayError, match=r"rule pack [0-9a-f]{64} was not kept"):
        replay_batch(settings, database, batch_id)


def test_values_under_one_key_are_compared_as_a_multiset() -> None:
    key = ("AML-STRUCT-01", "account", "ML-0042")
    stored = Results({}, {key: ["TX-1 TX-2", "TX-3"]}, {("a1",): ["80.00"]})
    replayed = Results({}, {key: ["TX-3", "TX-4"]}, {("a2",): ["80.00"]})
    assert compare(stored, replayed) == [
        Difference("rule_hit", "changed", key, "TX-1 TX-2", "TX-4"),
        Difference("alert", "missing", ("a1",), "80.00", None),
        Difference("alert", "extra", ("a2",), None, "80.00"),
    ]
    assert compare(stored, stored) == []
