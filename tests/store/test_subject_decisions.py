"""Investigators' split and merge: audited, applied to every table, and respected by the
batches that come after."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select

from aml_screen.store import Database
from aml_screen.store.audit import verify_chain
from aml_screen.store.errors import SubjectDecisionError
from aml_screen.store.loading import load_run, register_batch
from aml_screen.store.models import (
    AuditEvent,
    PartySubject,
    Subject,
    SubjectDecision,
    SubjectLink,
    SubjectProfile,
    User,
)
from aml_screen.store.subject_decisions import merge_subjects, split_subject
from aml_screen.store.subject_search import current_subject
from aml_screen.watchlists.loader import load_watchlists
from tests.store.samples import add_user, repo_settings, screened

HEADER = ("transaction_id,booked_at,amount,currency,originator_name,originator_account,"
          "originator_country,originator_phone,originator_birth_date,beneficiary_name,"
          "beneficiary_account,beneficiary_country,channel,purpose\n")


def _load(database: Database, folder: Path, name: str, rows: str) -> int:
    path = folder / name
    path.write_text(HEADER + rows, encoding="utf-8")
    settings = repo_settings()
    run = screened(path, settings, load_watchlists(list(settings.default_watchlists),
                                                   settings))
    with database.transaction() as session:
        batch, _ = register_batch(session, name, run.sha256, 1, None)
        load_run(session, batch, run.run, run.entries)
        return batch.id


def _subject_of(database: Database, batch_id: int, transaction_id: str) -> str:
    with database.transaction() as session:
        return session.scalars(select(PartySubject.subject_id).where(
            PartySubject.batch_id == batch_id, PartySubject.transaction_id == transaction_id,
            PartySubject.party_role == "originator")).one()


@pytest.fixture
def fatou(database: Database) -> int:
    return add_user(database, "fatou", "investigator")


def test_a_split_holds_in_later_batches(database: Database, fatou: int,
                                        tmp_path: Path) -> None:
    """A father and son share a phone: resolution joins them; the investigator splits the
    son off; a later batch where the son uses the phone again leaves them two."""
    father = _load(database, tmp_path, "a.csv", (
        "F-1,2026-01-05 09:00:00,50000,XOF,Moussa Traoré,ML0000000000000001,ML,+22376000001,"
        "1961-04-02,Boutique Tchad Import,TD0000000000000009,TD,cash,achat\n"))
    son = _load(database, tmp_path, "b.csv", (
        "S-1,2026-02-05 09:00:00,70000,XOF,Moussa Traoré,ML0000000000000002,ML,+22376000001,"
        "1994-08-20,Boutique Tchad Import,TD0000000000000009,TD,cash,achat\n"))
    joined = _subject_of(database, father, "F-1")
    assert _subject_of(database, son, "S-1") == joined  # the shared phone joined them

    with database.transaction() as session:
        actor = session.get_one(User, fatou)
        created = split_subject(session, actor, joined, [(son, "S-1", "originator")],
                                "Fils homonyme, né en 1994, même téléphone familial")
        new_id = created.id
    assert _subject_of(database, son, "S-1") == new_id
    with database.transaction() as session:
        records = dict(session.execute(select(Subject.id, Subject.records)).all())
        births = dict(session.execute(select(SubjectProfile.subject_id,
                                             SubjectProfile.birth_date)).all())
        links = session.scalars(select(SubjectLink.code).where(
            SubjectLink.subject_id == joined)).all()
    assert (records[joined], records[new_id]) == (1, 1)
    assert (births[joined], births[new_id]) == ("1961-04-02", "1994-08-20")
    assert "same_phone" not in links

    later = _load(database, tmp_path, "c.csv", (
        "S-2,2026-03-05 09:00:00,90000,XOF,Moussa Traoré,ML0000000000000002,ML,+22376000001,"
        "1994-08-20,Boutique Tchad Import,TD0000000000000009,TD,cash,achat\n"))
    assert _subject_of(database, later, "S-2") == new_id  # his account and birth date
    with database.transaction() as session:
        assert session.get(Subject, joined) is not None
        assert session.get(Subject, new_id) is not None  # still two subjects
        assert verify_chain(session).broken is None
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "subject.split")).one()
    assert event.after is not None
    assert event.after["into"] == new_id


def test_a_merge_renames_everywhere_and_later_batches_join_the_kept_subject(
        database: Database, fatou: int, tmp_path: Path) -> None:
    first = _load(database, tmp_path, "a.csv", (
        "M-1,2026-01-05 09:00:00,50000,XOF,Aminata Diallo,ML0000000000000011,ML,,,"
        "Boutique Tchad Import,TD0000000000000009,TD,cash,achat\n"))
    second = _load(database, tmp_path, "b.csv", (
        "M-2,2026-02-05 09:00:00,80000,XOF,DIALLO Aminata,SN0000000000000012,SN,,,"
        "Boutique Tchad Import,TD0000000000000009,TD,cash,achat\n"))
    keep, other = _subject_of(database, first, "M-1"), _subject_of(database, second, "M-2")
    assert keep != other  # a common name with two accounts: two people, as far as data go
    with database.transaction() as session:
        with pytest.raises(SubjectDecisionError):
            merge_subjects(session, session.get_one(User, fatou), keep, other, "  ")
        merge_subjects(session, session.get_one(User, fatou), keep, other,
                       "Même personne : la banque a confirmé le second compte")
    with database.transaction() as session:
        assert current_subject(session, other) == keep
        assert session.get_one(Subject, keep).records == 2
        decision = session.scalars(select(SubjectDecision)).one()
        link = session.scalars(select(SubjectLink).where(
            SubjectLink.code == "investigator_merge")).one()
    assert (decision.decision, decision.left, decision.right) == ("same", keep, other)
    assert "la banque a confirmé" in (link.params or "")
    third = _load(database, tmp_path, "c.csv", (
        "M-3,2026-03-05 09:00:00,60000,XOF,Aminata Diallo,SN0000000000000012,SN,,,"
        "Boutique Tchad Import,TD0000000000000009,TD,cash,achat\n"))
    assert _subject_of(database, third, "M-3") == keep
    stored = pl.DataFrame({"s": [_subject_of(database, b, t) for b, t in
                                 ((first, "M-1"), (second, "M-2"), (third, "M-3"))]})
    assert stored.get_column("s").n_unique() == 1
