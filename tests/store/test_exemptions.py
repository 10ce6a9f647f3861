"""Exemptions in the store: proposal from a stored hit, four-eyes approval, expiry,
revocation, optimistic locking and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from aml_screen.exemptions import listed_entries, party_details, with_pair_keys
from aml_screen.pipeline import list_names
from aml_screen.store import ConflictError, Database
from aml_screen.store.exemptions import (
    MAX_DAYS,
    ExemptionError,
    FourEyesError,
    active_exemptions,
    alert_pairs,
    decide,
    hit_pair,
    list_exemptions,
    propose,
    revoke,
)
from aml_screen.store.models import Alert, AuditEvent, Hit, User
from aml_screen.store.triage import change_status
from aml_screen.watchlists.loader import load_watchlists
from tests.store.samples import (
    add_user,
    close_as_false_positive,
    load_sample,
    repo_settings,
    sample_run,
)

TODAY = date(2026, 1, 15)


def _setup(database: Database) -> dict[str, int]:
    ids = {name: add_user(database, name, role) for name, role in
           (("fatou", "investigator"), ("salif", "supervisor"), ("ibrahim", "supervisor"))}
    load_sample(database, "fatou")
    with database.transaction() as session:
        ids["hit"] = session.scalars(select(Hit.id).where(
            Hit.party_name == "Amadou Kouffa")).one()
        ids["alert"] = close_as_false_positive(session, ids["hit"], _user(session, ids["fatou"]))
    return ids


def _user(session: Session, user_id: int) -> User:
    return session.get_one(User, user_id)


def _propose(database: Database, ids: dict[str, int], **kwargs: object) -> tuple[int, int]:
    with database.transaction() as session:
        exemption = propose(session, _user(session, ids["fatou"]), ids["hit"],
                            "Homonyme : éleveur à Mopti, né en 1990, pièce vérifiée",
                            exemption_days=365, today=TODAY, **kwargs)  # type: ignore[arg-type]
        return exemption.id, exemption.version


def test_stored_keys_equal_the_pipeline_keys(database: Database) -> None:
    """The keys computed from the stored transaction and listed entry rows are those the
    pipeline computes from the batch frame for the same party."""
    ids = _setup(database)
    settings = repo_settings()
    hits = sample_run().run.hits
    names = list_names(load_watchlists(list(settings.default_watchlists), settings))
    keyed = with_pair_keys(hits, party_details(sample_run().run.transactions),
                           listed_entries(names, hits))
    with database.transaction() as session:
        stored = session.scalars(select(Hit)).all()
        assert len(stored) == hits.height
        for hit in stored:
            pair = hit_pair(session, hit)
            frame = keyed.filter(pl.col("transaction_id") == hit.transaction_id,
                                 pl.col("party_role") == hit.party_role,
                                 pl.col("entry_id") == hit.entry_id)
            assert frame.get_column("party_key").unique().to_list() == [pair.party_key]
            assert frame.get_column("entry_digest").unique().to_list() == [pair.entry_digest]
        kouffa = session.get_one(Hit, ids["hit"])
        assert hit_pair(session, kouffa).party_details == {
            "account": "NE3715654974409306529466", "country": "NE"}


def test_four_eyes_approval_makes_it_active_and_audited(database: Database) -> None:
    ids = _setup(database)
    exemption_id, version = _propose(database, ids)
    with database.transaction() as session:
        assert active_exemptions(session, TODAY).is_empty()
        with pytest.raises(FourEyesError):
            decide(session, _user(session, ids["fatou"]), exemption_id, version, approve=True)
    with database.transaction() as session:
        approved = decide(session, _user(session, ids["salif"]), exemption_id, version,
                          approve=True)
        assert (approved.status, approved.decided_by_id) == ("active", ids["salif"])
        assert approved.expires_on == TODAY + timedelta(days=365)
    with database.transaction() as session:
        active = active_exemptions(session, TODAY)
        assert active.get_column("exemption_id").to_list() == [exemption_id]
        assert active_exemptions(session, TODAY + timedelta(days=366)).is_empty()
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "exemption").order_by(AuditEvent.seq)).all()
        assert [e.action for e in events] == ["exemption.propose", "exemption.approve"]
        assert events[1].before["status"] == "proposed"
        assert events[1].after["status"] == "active"
        assert events[1].actor_name == "salif"


def test_only_a_hit_of_an_alert_closed_as_false_positive_is_exempted(
        database: Database) -> None:
    """The probe approved an exemption for a hit whose alert was still ``new``."""
    ids = _setup(database)
    with database.transaction() as session:
        fresh = session.scalars(select(Hit).where(Hit.party_name != "Amadou Kouffa")
                                .order_by(Hit.id)).first()
        assert fresh is not None
        assert session.get_one(Alert, fresh.alert_id).status == "new"
        with pytest.raises(ExemptionError) as raised:
            propose(session, _user(session, ids["fatou"]), fresh.id, "Homonyme",
                    exemption_days=365, today=TODAY)
    assert raised.value.key == "exemptions.not_false_positive"
    assert f"alert #{fresh.alert_id} is not" in str(raised.value)
    exemption_id, version = _propose(database, ids)
    with database.transaction() as session:  # reopened after the proposal
        alert = session.get_one(Alert, ids["alert"])
        change_status(session, alert.id, _user(session, ids["salif"]), "in_review",
                      alert.version)
    with database.transaction() as session, pytest.raises(ExemptionError):
        decide(session, _user(session, ids["salif"]), exemption_id, version, approve=True)
    with database.transaction() as session:  # rejecting it stays possible
        decide(session, _user(session, ids["salif"]), exemption_id, version, approve=False)


def test_a_stale_version_is_a_conflict(database: Database) -> None:
    ids = _setup(database)
    exemption_id, version = _propose(database, ids)
    with database.transaction() as session:
        decide(session, _user(session, ids["salif"]), exemption_id, version, approve=False)
    with database.transaction() as session, pytest.raises(ConflictError):
        decide(session, _user(session, ids["ibrahim"]), exemption_id, version, approve=True)


def test_reason_expiry_and_duplicates_are_checked(database: Database) -> None:
    ids = _setup(database)
    with database.transaction() as session, pytest.raises(ExemptionError):
        propose(session, _user(session, ids["fatou"]), ids["hit"], "   ",
                exemption_days=365, today=TODAY)
    for too_far in (TODAY, TODAY + timedelta(days=MAX_DAYS + 1)):
        with pytest.raises(ExemptionError):
            _propose(database, ids, expires_on=too_far)
    exemption_id, _ = _propose(database, ids, expires_on=TODAY + timedelta(days=10))
    with pytest.raises(ExemptionError) as raised:
        _propose(database, ids)
    assert raised.value.params["exemption_id"] == exemption_id


def test_revoke_ends_it_and_the_pair_alerts_again(database: Database) -> None:
    ids = _setup(database)
    exemption_id, version = _propose(database, ids, expires_on=TODAY + timedelta(days=20))
    with database.transaction() as session:
        version = decide(session, _user(session, ids["salif"]), exemption_id, version,
                         approve=True).version
        soon = list_exemptions(session, expiring_within=30, today=TODAY)
        assert [e.id for e in soon] == [exemption_id]
        assert list_exemptions(session, expiring_within=10, today=TODAY) == []
    with database.transaction() as session:
        revoked = revoke(session, _user(session, ids["ibrahim"]), exemption_id, version)
        assert revoked.status == "revoked"
        assert active_exemptions(session, TODAY).is_empty()
        assert [e.id for e in list_exemptions(session, status="revoked")] == [exemption_id]
        hit = session.get_one(Hit, ids["hit"])
        pairs = alert_pairs(session, hit.alert_id)
        assert [(h.id, e.status if e else None) for h, _, e in pairs] == [
            (ids["hit"], "revoked")]
        with pytest.raises(ExemptionError):
            revoke(session, _user(session, ids["ibrahim"]), exemption_id, revoked.version)


def test_an_alerts_pairs_are_read_at_once_and_equal_each_hits_own(database: Database) -> None:
    """The alert page's pairs are keyed for all hits together, in a fixed number of
    statements whatever the number of hits, and equal the pairs of each hit on its own."""
    _setup(database)
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    with database.transaction() as session:
        alerts = session.scalars(select(Alert)).all()
        counts = {a.id: len(session.scalars(select(Hit.id).where(Hit.alert_id == a.id)).all())
                  for a in alerts}
        assert max(counts.values()) >= 2, counts
        for alert in alerts:
            hits = session.scalars(select(Hit).where(Hit.alert_id == alert.id)).all()
            own = {hit.id: hit_pair(session, hit) for hit in hits}
            event.listen(database.engine, "before_cursor_execute", seen)
            try:
                pairs = alert_pairs(session, alert.id)
            finally:
                event.remove(database.engine, "before_cursor_execute", seen)
            assert len(statements) <= 5, statements
            statements.clear()
            assert {hit.id for hit, _, _ in pairs} <= set(own)
            for hit, pair, _ in pairs:
                assert pair == own[hit.id]
            shown = {(own[h.id].list_id, own[h.id].entry_id, own[h.id].party_key,
                      own[h.id].entry_digest) for h in hits}
            assert len(pairs) == len(shown)
