from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aml_screen.store import ConflictError, Database, TriageError
from aml_screen.store.models import Alert, AuditEvent, User
from aml_screen.store.triage import (
    MAX_BULK,
    add_comment,
    assign,
    change_status,
    close_many,
    take_next,
)
from tests.store.samples import add_user, load_sample, sample_run


@pytest.fixture
def loaded(database: Database) -> Database:
    add_user(database, "fatou", "investigator")
    add_user(database, "moussa", "investigator")
    load_sample(database)
    return database


def _user(session: Session, name: str) -> User:
    return session.scalars(select(User).where(User.username == name)).one()


def _top_alert(database: Database) -> tuple[int, int]:
    with database.transaction() as session:
        alert = session.scalars(select(Alert).order_by(Alert.risk_score.desc(), Alert.id)).first()
        assert alert is not None
        return alert.id, alert.version


@pytest.mark.parametrize(("path", "ok"), [
    (["in_review", "escalated", "closed"], True),
    (["closed", "in_review"], True),
    (["escalated"], False),
    (["in_review", "new"], False),
    (["in_review", "in_review"], False),
])
def test_status_transitions(loaded: Database, path: list[str], ok: bool) -> None:
    alert_id, version = _top_alert(loaded)
    outcome = _walk(loaded, alert_id, version, path)
    assert outcome == (path[-1] if ok else "alert.bad_transition")


def _walk(database: Database, alert_id: int, version: int, path: list[str]) -> str:
    """The alert's final status after moving it along ``path``, or the refusal's key."""
    with database.transaction() as session:
        actor = _user(session, "fatou")
        try:
            for status in path:
                alert = change_status(session, alert_id, actor, status, version,
                                      disposition="false_positive", reason="homonym")
                version = alert.version
        except TriageError as exc:
            return exc.key
        return alert.status


@pytest.mark.parametrize(("disposition", "reason", "key"), [
    (None, "homonym, other birth year", "alert.disposition_required"),
    ("maybe", "homonym", "alert.disposition_required"),
    ("false_positive", "   ", "alert.reason_required"),
    ("false_positive", None, "alert.reason_required"),
])
def test_closing_needs_a_disposition_and_a_reason(loaded: Database, disposition: str | None,
                                                  reason: str | None, key: str) -> None:
    alert_id, version = _top_alert(loaded)
    with pytest.raises(TriageError) as info, loaded.transaction() as session:
        change_status(session, alert_id, _user(session, "fatou"), "closed", version,
                      disposition=disposition, reason=reason)
    assert info.value.key == key


def test_closing_records_who_decided_what(loaded: Database) -> None:
    alert_id, version = _top_alert(loaded)
    with loaded.transaction() as session:
        change_status(session, alert_id, _user(session, "fatou"), "closed", version,
                      disposition="not_suspicious", reason="known customer, trade invoice")
    with loaded.transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.closed")
                                ).one()
    assert event.actor_name == "fatou"
    assert (event.before or {})["status"] == "new"
    assert (event.after or {})["disposition"] == "not_suspicious"


def test_two_sessions_saving_one_alert_one_wins(loaded: Database) -> None:
    """Both investigators read version v; the first save wins, the second gets a conflict
    instead of silently overwriting it: when the two saves race inside the database (the
    UPDATE's version check) and when a form posts the version it was rendered with."""
    alert_id, version = _top_alert(loaded)
    first, second = loaded.sessions(), loaded.sessions()
    try:
        assert second.get_one(Alert, alert_id).version == version  # moussa has it open
        moussa = _user(second, "moussa")
        change_status(first, alert_id, _user(first, "fatou"), "in_review", version)
        first.commit()
        with pytest.raises(ConflictError) as raced:
            change_status(second, alert_id, moussa, "closed", version,
                          disposition="false_positive", reason="homonym")
        second.rollback()
    finally:
        first.close()
        second.close()
    with pytest.raises(ConflictError) as stale_form, loaded.transaction() as session:
        change_status(session, alert_id, _user(session, "moussa"), "escalated", version)
    assert raced.value.key == stale_form.value.key == "alert.conflict"
    with loaded.transaction() as session:
        final = session.get_one(Alert, alert_id)
        assert (final.status, final.version) == ("in_review", version + 1)


def test_take_next_gives_each_investigator_a_different_highest_risk_alert(
        loaded: Database) -> None:
    with loaded.transaction() as session:
        ranked = session.scalars(select(Alert.id).order_by(Alert.risk_score.desc(), Alert.id)
                                 ).all()
        got = [take_next(session, _user(session, name)) for name in ("fatou", "moussa")]
    assert [a.id for a in got if a] == ranked[:2]
    assert [a.status for a in got if a] == ["in_review", "in_review"]
    with loaded.transaction() as session:
        owners = {a.id: a.assignee_id for a in session.scalars(select(Alert))}
        assert owners[ranked[0]] == _user(session, "fatou").id
        assert owners[ranked[1]] == _user(session, "moussa").id


def test_take_next_on_an_empty_queue_returns_nothing(loaded: Database) -> None:
    with loaded.transaction() as session:
        actor = _user(session, "fatou")
        alerts = len(session.scalars(select(Alert.id)).all())
        taken = [take_next(session, actor) for _ in range(alerts + 2)]
    assert len({a.id for a in taken if a}) == alerts
    assert taken[alerts:] == [None, None]


def test_assignment_and_comments(loaded: Database) -> None:
    alert_id, version = _top_alert(loaded)
    with loaded.transaction() as session:
        moussa = _user(session, "moussa")
        alert = assign(session, alert_id, _user(session, "fatou"), moussa, version)
        add_comment(session, alert_id, moussa, "  Called the bank: <b>same</b> person?  ")
        assert alert.assignee_id == moussa.id
        with pytest.raises(TriageError):
            add_comment(session, alert_id, moussa, "   ")
    with loaded.transaction() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["alert.assign", "alert.comment"]


def _open_alerts(database: Database) -> dict[int, int]:
    with database.transaction() as session:
        return dict(session.execute(select(Alert.id, Alert.version)
                                    .where(Alert.status != "closed").order_by(Alert.id)).all())


def test_bulk_close_closes_each_with_one_reason_and_audits_each(loaded: Database) -> None:
    chosen = dict(list(_open_alerts(loaded).items())[:3])
    with loaded.transaction() as session:
        done = close_many(session, _user(session, "fatou"), chosen, "false_positive",
                          "  Homonyms: different birth years  ")
    assert (done.closed, done.conflicts, done.refused) == (sorted(chosen), [], [])
    with loaded.transaction() as session:
        alerts = session.scalars(select(Alert).where(Alert.id.in_(chosen))).all()
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.closed")
                                 .order_by(AuditEvent.id)).all()
        still_open = session.scalars(select(func.count(Alert.id))
                                     .where(Alert.status != "closed")).one()
    assert {(a.status, a.disposition, a.close_reason) for a in alerts} == {
        ("closed", "false_positive", "Homonyms: different birth years")}
    assert all(a.closed_at is not None for a in alerts)
    assert [int(e.object_id) for e in events] == sorted(chosen)
    assert all((e.after or {})["bulk"] and e.actor_name == "fatou" for e in events)
    assert [(e.before or {})["version"] for e in events] == [chosen[i] for i in sorted(chosen)]
    assert still_open == sample_run().run.alerts.height - 3


def test_bulk_close_leaves_alerts_changed_meanwhile_and_closes_the_rest(
        loaded: Database) -> None:
    """The form carries the versions the queue showed: moussa escalated one alert since, and
    one was already closed by then; both are reported, the other two are closed."""
    chosen = dict(list(_open_alerts(loaded).items())[:4])
    moved, gone = list(chosen)[1], list(chosen)[3]
    with loaded.transaction() as session:
        moussa = _user(session, "moussa")
        change_status(session, moved, moussa, "in_review", chosen[moved])
        change_status(session, gone, moussa, "closed", chosen[gone],
                      disposition="suspicious_reported", reason="STR filed")
    with loaded.transaction() as session:
        done = close_many(session, _user(session, "fatou"), chosen, "not_suspicious",
                          "Known traders, invoices on file")
    assert done.conflicts == [moved]
    assert done.refused == [gone]
    assert done.closed == sorted(set(chosen) - {moved, gone})
    with loaded.transaction() as session:
        states = {a.id: (a.status, a.disposition) for a in session.scalars(
            select(Alert).where(Alert.id.in_(chosen)))}
    assert states[moved] == ("in_review", None)
    assert states[gone] == ("closed", "suspicious_reported")
    assert {states[i] for i in done.closed} == {("closed", "not_suspicious")}


@pytest.mark.parametrize(("versions", "disposition", "reason", "key"), [
    ({}, "false_positive", "homonyms", "alert.bulk_empty"),
    ({1: 1}, "maybe", "homonyms", "alert.disposition_required"),
    ({1: 1}, "false_positive", " ", "alert.reason_required"),
    ({i: 1 for i in range(1, MAX_BULK + 2)}, "false_positive", "homonyms",
     "alert.bulk_too_many"),
])
def test_bulk_close_refuses_incomplete_requests(loaded: Database, versions: dict[int, int],
                                                disposition: str, reason: str,
                                                key: str) -> None:
    with pytest.raises(TriageError) as info, loaded.transaction() as session:
        close_many(session, _user(session, "fatou"), versions, disposition, reason)
    assert info.value.key == key
    assert len(_open_alerts(loaded)) == sample_run().run.alerts.height


def test_bulk_close_racing_a_save_closes_nothing(loaded: Database) -> None:
    """A save committed between the version check and the UPDATE: the whole bulk action
    fails with a conflict rather than overwrite it."""
    chosen = dict(list(_open_alerts(loaded).items())[:2])
    first_id = next(iter(chosen))
    bulk, other = loaded.sessions(), loaded.sessions()
    try:
        seen = bulk.scalars(select(Alert).where(Alert.id.in_(chosen))).all()  # checked
        change_status(other, first_id, _user(other, "moussa"), "in_review", chosen[first_id])
        other.commit()
        with pytest.raises(ConflictError) as info:
            close_many(bulk, _user(bulk, "fatou"), chosen, "false_positive", "homonyms")
        bulk.rollback()
    finally:
        bulk.close()
        other.close()
    assert len(seen) == 2
    assert info.value.key == "alert.bulk_conflict"
    assert len(_open_alerts(loaded)) == sample_run().run.alerts.height
