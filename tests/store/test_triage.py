from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from aml_screen.store import ConflictError, Database, TriageError
from aml_screen.store.models import Alert, AuditEvent, User
from aml_screen.store.triage import add_comment, assign, change_status, take_next
from tests.store.samples import add_user, load_sample


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
