"""Subject resolution in the store: the same subjects as resolving in memory, batch after
batch, reading back only the summary rows each batch can link to."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from aml_screen.store import Database
from aml_screen.store.loading import load_run, register_batch
from aml_screen.store.models import (
    Alert,
    AlertSubject,
    Batch,
    Hit,
    PartySubject,
    Subject,
    SubjectLink,
    SubjectMerge,
    SubjectProfile,
    SubjectState,
    Transaction,
)
from aml_screen.store.subjects import purge_batch_subjects, resolve_batch
from aml_screen.subjects.known import KnownSubjects
from aml_screen.subjects.records import prepared
from aml_screen.subjects.resolve import resolve
from aml_screen.watchlists.loader import load_watchlists
from benchmarks import subject_data
from benchmarks.bench_subjects import pairwise
from tests.cli.test_subjects_cli import HEADER
from tests.store.samples import load_sample, repo_settings, sample_run, screened
from tests.subjects.records import records


def _batch(database: Database, name: str) -> int:
    with database.transaction() as session:
        batch, _ = register_batch(session, name, hashlib.sha256(name.encode()).hexdigest(),
                                  1, None)
        return batch.id


def _stored(database: Database) -> pl.DataFrame:
    """(``transaction_id``, ``party_role``, ``subject_id``) of every stored party."""
    with database.transaction() as session:
        rows = session.execute(select(PartySubject.transaction_id, PartySubject.party_role,
                                      PartySubject.subject_id)).all()
    return pl.DataFrame(rows, schema=["transaction_id", "party_role", "subject_id"],
                        orient="row")


@pytest.fixture(scope="module")
def labelled() -> list[pl.DataFrame]:
    return subject_data.batches(seed=11, records=12_000, count=3)


def test_the_store_resolves_as_memory_does(database: Database,
                                           labelled: list[pl.DataFrame]) -> None:
    """Three labelled batches resolved into the store give the subjects (ids included)
    that resolving them in memory, each against the full summary of the earlier ones,
    gives: what the store reads back of its tables is all resolution needs."""
    known = KnownSubjects.empty()
    in_memory, merged = [], []
    for index, batch in enumerate(labelled):
        records = batch.drop("person")
        result = resolve(records, known)
        known = result.known
        in_memory.append(result.assignments)
        merged.append(result.merged)
        resolve_batch(database, _batch(database, f"batch-{index}"), prepared(records))
    expected = pl.concat(in_memory)
    for renamed in merged * 2:  # merges made by later batches
        expected = expected.join(renamed, on="subject_id", how="left").with_columns(
            subject_id=pl.coalesce("into", "subject_id")).drop("into")
    stored = _stored(database)
    both = expected.join(stored, on=["transaction_id", "party_role"], suffix="_stored")
    assert both.height == expected.height == stored.height
    assert both.filter(pl.col("subject_id") != pl.col("subject_id_stored")).is_empty()
    truth = pl.concat(labelled).select("transaction_id", "person").join(
        stored, on="transaction_id")
    figures = pairwise(truth)
    assert figures["precision"] >= 0.99
    assert figures["recall"] >= 0.8
    assert sum(m.height for m in merged) > 0, "the set should make later batches merge"
    with database.transaction() as session:
        subjects = dict(session.execute(select(Subject.id, Subject.records)).all())
        merges = session.scalar(select(func.count()).select_from(SubjectMerge))
        state = session.get_one(SubjectState, 1)
    assert set(subjects) == set(stored.get_column("subject_id"))
    counted = stored.group_by("subject_id").len()
    assert all(subjects[sid] == n for sid, n in counted.iter_rows())
    assert merges == sum(m.height for m in merged)
    assert state.generation == len(labelled)
    assert state.key_count == known.key_count


def test_a_batch_is_resolved_once(database: Database) -> None:
    """A retried job finds the batch resolved and writes nothing more."""
    batch_id = _batch(database, "once")
    batch = prepared(records(
        {"name": "Iyad Ag Ghaly", "phone": "+22376123456"},
        {"name": "IYAD AG GALI", "phone": "+22376123456"},
        batch=str(batch_id)))
    first = resolve_batch(database, batch_id, batch)
    assert first is not None
    assert first.subjects == 1
    assert resolve_batch(database, batch_id, batch) is None
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(PartySubject)) == 2
        codes = session.scalars(select(SubjectLink.code)).all()
        assert session.get_one(SubjectState, 1).generation == 1
    assert sorted(codes) == ["rare_name", "same_phone"]  # both reasons, stored once


def test_a_later_batch_joins_the_subject_by_phone(database: Database) -> None:
    first_id, second_id = _batch(database, "first"), _batch(database, "second")
    resolve_batch(database, first_id, prepared(records(
        {"name": "Moussa Traoré", "phone": "+223 76 12 34 56", "account": "ML001"},
        batch=str(first_id))))
    resolve_batch(database, second_id, prepared(records(
        {"name": "TRAORE Moussa", "phone": "0022376123456"},
        {"name": "Moussa Traoré"},  # a namesake with nothing else: left alone
        batch=str(second_id))))
    stored = _stored(database).sort("transaction_id")
    with database.transaction() as session:
        links = session.execute(select(SubjectLink.code, SubjectLink.batch_id)).all()
    by_batch = {row.batch_id: row.code for row in links}
    assert by_batch == {second_id: "same_phone"}
    with database.transaction() as session:
        parties = session.execute(select(PartySubject.batch_id, PartySubject.transaction_id,
                                         PartySubject.subject_id)).all()
    subject_of = {(b, t): s for b, t, s in parties}
    assert subject_of[(first_id, "t0")] == subject_of[(second_id, "t0")]
    assert subject_of[(second_id, "t1")] != subject_of[(first_id, "t0")]
    assert stored.height == 3


def test_a_stored_sample_has_every_party_resolved(database: Database) -> None:
    """Loading a screened batch resolves its parties in the same transaction: each side
    of each transaction with a name or an account has a subject."""
    batch_id = load_sample(database)
    transactions = sample_run().run.transactions
    sides = sum(transactions.select(
        (pl.col(f"{role}_name").is_not_null() | pl.col(f"{role}_account").is_not_null()).sum()
    ).item() for role in ("originator", "beneficiary"))
    with database.transaction() as session:
        resolved = session.scalar(select(func.count()).select_from(PartySubject).where(
            PartySubject.batch_id == batch_id))
        stored = session.scalar(select(func.count()).select_from(Transaction))
    assert stored == transactions.height
    assert resolved == sides


def test_every_alert_is_tied_to_the_subjects_of_its_parties(database: Database) -> None:
    load_sample(database)
    with database.transaction() as session:
        alerts = session.execute(select(Alert.id, Alert.subject_type, Alert.subject_id)).all()
        tied = session.execute(select(AlertSubject.alert_id, AlertSubject.subject_id)).all()
        names = dict(session.execute(select(Subject.id, Subject.name)).all())
    subjects_of: dict[int, set[str]] = {}
    for alert_id, subject_id in tied:
        subjects_of.setdefault(alert_id, set()).add(subject_id)
    assert {alert.id for alert in alerts} == set(subjects_of)
    iyad = next(a for a in alerts if a.subject_id == "iyad ag ghaly")
    assert [names[s] for s in subjects_of[iyad.id]] == ["Iyad Ag Ghaly"]


def test_purging_a_batch_keeps_what_other_batches_showed(database: Database) -> None:
    first_id, second_id = _batch(database, "old"), _batch(database, "recent")
    resolve_batch(database, first_id, prepared(records(
        {"name": "Aminata Diallo", "phone": "+22376000001", "birth_date": "1980-02-03"},
        batch=str(first_id))))
    resolve_batch(database, second_id, prepared(records(
        {"name": "DIALLO Aminata", "phone": "+22376000001"}, batch=str(second_id))))
    with database.transaction() as session:
        purge_batch_subjects(session, [first_id])
    with database.transaction() as session:
        subject = session.scalars(select(Subject)).one()
        left = session.execute(select(SubjectProfile.batch_id, SubjectProfile.birth_date)).all()
        parties = session.scalars(select(PartySubject.batch_id)).all()
    assert subject.records == 1
    assert parties == [second_id]
    assert left == [(second_id, None)]  # the birth date came with the purged batch


def test_spellings_of_one_listed_person_make_one_alert(database: Database,
                                                       tmp_path: Path) -> None:
    """Screening alerts per normalised name (three alerts here); stored, the batch's
    resolved subjects make it one alert for Iyad Ag Ghali holding every spelling's hits and
    transactions, while a namesake-free other party keeps its own alert."""
    path = tmp_path / "one_bank.csv"
    path.write_text(HEADER + (
        "C-1,2026-05-02 10:00:00,2500000,XOF,Iyad Ag Ghaly,ML1200100200300400,ML,"
        "Sahel Négoce SARL,ML9900100200300999,ML,wire,marchandises\n"
        "C-2,2026-05-09 10:00:00,3100000,XOF,IYAD AG GALI,ML1200100200300400,ML,"
        "Transports Niamey Express SA,NE5500100200300555,NE,wire,transport\n"
        "C-3,2026-05-10 10:00:00,1800000,XOF,GHALI IYAD AG,ML1200100200300400,ML,"
        "Awa Sangaré,BF4400100200300422,BF,wire,famille\n"
        "C-4,2026-05-11 10:00:00,900000,XOF,Abdelkader Ben Hamouda,SN6600100200300666,SN,"
        "Fatoumata Coulibaly,ML7700100200300777,ML,wire,famille\n"), encoding="utf-8")
    settings = repo_settings()
    run = screened(path, settings, load_watchlists(list(settings.default_watchlists),
                                                   settings))
    screened_party = run.run.alerts.filter(pl.col("subject_type") == "party")
    iyad_names = {"iyad ag ghaly", "iyad ag gali", "ghali iyad ag"}
    assert iyad_names <= set(screened_party.get_column("subject_id"))
    with database.transaction() as session:
        batch, _ = register_batch(session, path.name, run.sha256, 1, None)
        load_run(session, batch, run.run, run.entries)
    with database.transaction() as session:
        alerts = session.scalars(select(Alert)).all()
        iyad = [a for a in alerts if a.subject_id in iyad_names]
        assert len(iyad) == 1
        assert sorted(iyad[0].transaction_ids) == ["C-1", "C-2", "C-3"]
        spellings = set(session.scalars(select(Hit.party_name).where(
            Hit.alert_id == iyad[0].id)))
        subjects = session.scalars(select(AlertSubject.subject_id).where(
            AlertSubject.alert_id == iyad[0].id)).all()
    assert spellings == {"Iyad Ag Ghaly", "IYAD AG GALI", "GHALI IYAD AG"}
    assert len(subjects) == 1
    assert any(a.subject_name == "Abdelkader Ben Hamouda" for a in alerts)
    with database.transaction() as session:
        stored = session.get_one(Batch, batch.id)
    assert stored.summary is not None
    assert stored.summary["alerts"] == len(alerts)  # the batch page counts what is stored
    assert len(alerts) == screened_party.height - 2 + run.run.alerts.filter(
        pl.col("subject_type") == "account").height
