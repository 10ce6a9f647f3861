"""Webhook endpoints and their outbox in the store: addresses and choices checked, the
secret sealed and shown once, every change audited; each event owed by the real operation
that causes it, in its transaction, to the active endpoints subscribed to it; and a
delivery's life on its row (claimed once, backed off, given up, put back when its worker
was lost, handed to the queue once per period)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from aml_screen.store import Database
from aml_screen.store import cases as case_ops
from aml_screen.store.accounts import get_user
from aml_screen.store.base import utcnow
from aml_screen.store.errors import NotFoundError, WebhookError
from aml_screen.store.evidence_packages import approve, prepare
from aml_screen.store.models import (
    Alert,
    AuditEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from aml_screen.store.secret_box import TWO_FACTOR, WEBHOOKS, SecretBox
from aml_screen.store.triage import change_status, close_many
from aml_screen.store.webhook_deliveries import (
    Outcome,
    RetryPolicy,
    backoff,
    claim_delivery,
    delivery_history,
    finish_attempt,
    hand_out_due,
    prune_finished,
    recover_lost,
)
from aml_screen.store.webhook_endpoints import (
    create_endpoint,
    list_endpoints,
    remove_endpoint,
    rotate_secret,
    send_test,
    set_active,
)
from tests.store.samples import add_user, load_sample

BOX = SecretBox("the web's secret key, for tests", WEBHOOKS)
POLICY = RetryPolicy(attempts=3, retry_seconds=30)
PERSONAL = ("subject_name", "Kouffa", "originator", "beneficiary", "account")


def _endpoint(database: Database, events: list[str], min_risk: float = 0.0,
              url: str = "https://fiu.example.org/hooks") -> int:
    with database.transaction() as session:
        return create_endpoint(session, url, events, BOX, min_risk=min_risk).endpoint.id


def _owed(database: Database) -> list[tuple[int, str, dict[str, Any]]]:
    with database.transaction() as session:
        rows = session.execute(select(WebhookDelivery.endpoint_id, WebhookDelivery.event_type,
                                      WebhookDelivery.body).order_by(WebhookDelivery.id))
        return [(endpoint_id, kind, json.loads(body)) for endpoint_id, kind, body in rows]


def _actions(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(AuditEvent.action)
                                    .where(AuditEvent.object_type == "webhook_endpoint")
                                    .order_by(AuditEvent.seq)))


@pytest.mark.parametrize("url", [
    "ftp://fiu.example.org/hooks", "javascript:alert(1)", "file:///etc/passwd", "https://",
    "fiu.example.org/hooks", "https://user:secret@fiu.example.org/", "", "http://a b/",
    "https://fiu.example.org:0/", "https://fiu.example.org:99999/", "https://[::1/",
    "https://fiu.example.org/" + "a" * 2000])
def test_only_http_and_https_addresses_with_a_host_are_taken(database: Database,
                                                             url: str) -> None:
    with database.transaction() as session, pytest.raises(WebhookError) as refused:
        create_endpoint(session, url, ["alert.created"], BOX)
    assert refused.value.key == "webhook.bad_url"


@pytest.mark.parametrize(("events", "min_risk", "key"), [
    ([], 0, "webhook.bad_events"), (["alert.created", "alert.deleted"], 0, "webhook.bad_events"),
    (["webhook.test"], 0, "webhook.bad_events"), (["alert.created"], 101, "webhook.bad_min_risk"),
    (["alert.created"], -1, "webhook.bad_min_risk")])
def test_events_and_risk_score_are_checked(database: Database, events: list[str],
                                           min_risk: float, key: str) -> None:
    with database.transaction() as session, pytest.raises(WebhookError) as refused:
        create_endpoint(session, "http://127.0.0.1:9/", events, BOX, min_risk=min_risk)
    assert refused.value.key == key


def test_the_secret_is_shown_once_and_kept_sealed(database: Database) -> None:
    with database.transaction() as session:
        made = create_endpoint(session, " https://fiu.example.org/hooks ",
                               ["evidence.approved", "alert.created"], BOX,
                               description="Case files", min_risk=70)
        endpoint_id, secret = made.endpoint.id, made.secret
    assert secret.startswith("whsec_")
    assert len(secret) > 40
    with database.transaction() as session:
        stored = session.get_one(WebhookEndpoint, endpoint_id)
        assert stored.url == "https://fiu.example.org/hooks"
        assert stored.events == ["alert.created", "evidence.approved"]  # in the usual order
        assert secret not in stored.secret
        assert BOX.open(stored.secret) == secret
        assert SecretBox("the web's secret key, for tests", TWO_FACTOR).open(
            stored.secret) is None  # sealed for webhooks only
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "webhook.create")).one()
        assert event.after == {"url": "https://fiu.example.org/hooks",
                               "description": "Case files", "min_risk": 70.0,
                               "events": ["alert.created", "evidence.approved"]}
        assert secret not in json.dumps(event.after)


def test_a_screened_batch_owes_its_event_and_its_risky_alerts(database: Database) -> None:
    risky = _endpoint(database, ["alert.created"], min_risk=99.95)
    batches = _endpoint(database, ["batch.screened"])
    batch_id = load_sample(database)
    with database.transaction() as session:
        alerts = {a.id: a.risk_score for a in session.scalars(select(Alert))}
    owed = _owed(database)
    created = [body for endpoint_id, kind, body in owed if kind == "alert.created"]
    assert {body["data"]["alert"]["id"] for body in created} == {
        alert_id for alert_id, risk in alerts.items() if risk >= 99.95}
    assert 0 < len(created) < len(alerts)
    assert {endpoint_id for endpoint_id, kind, _ in owed if kind == "alert.created"} == {risky}
    screened = [(endpoint_id, body) for endpoint_id, kind, body in owed
                if kind == "batch.screened"]
    assert len(screened) == 1
    assert screened[0][0] == batches
    body = screened[0][1]
    assert body["data"]["batch"]["id"] == batch_id
    assert body["data"]["batch"]["status"] == "done"
    assert body["data"]["batch"]["alerts"] == len(alerts)
    assert set(body) == {"id", "type", "occurred_at", "data"}
    for _, _, sent in owed:
        assert not any(word in json.dumps(sent) for word in PERSONAL)
    assert len({body["id"] for _, _, body in owed}) == len(owed)


def test_closing_an_alert_owes_alert_decided(database: Database) -> None:
    decided = _endpoint(database, ["alert.decided"])
    load_sample(database)
    add_user(database, "fatou", "investigator")
    with database.transaction() as session:
        fatou = get_user(session, "fatou")
        first, second, third = session.scalars(select(Alert).order_by(Alert.id).limit(3))
        change_status(session, first.id, fatou, "in_review", first.version)
        assert _owed(database) == []  # in review is not a decision
        change_status(session, first.id, fatou, "closed", first.version,
                      "false_positive", "same name, other birth date")
        close_many(session, fatou, {second.id: second.version, third.id: third.version},
                   "not_suspicious", "explained by the account's history")
    owed = _owed(database)
    assert [(endpoint_id, kind) for endpoint_id, kind, _ in owed] == [
        (decided, "alert.decided")] * 3
    alerts = [body["data"]["alert"] for _, _, body in owed]
    assert [a["id"] for a in alerts] == [first.id, second.id, third.id]
    assert [a["disposition"] for a in alerts] == [
        "false_positive", "not_suspicious", "not_suspicious"]
    assert {a["status"] for a in alerts} == {"closed"}


def test_approving_an_evidence_package_owes_evidence_approved(database: Database) -> None:
    approved = _endpoint(database, ["evidence.approved"])
    load_sample(database)
    add_user(database, "fatou", "investigator")
    add_user(database, "salif", "supervisor")
    with database.transaction() as session:
        alert = session.scalars(select(Alert).where(Alert.subject_name == "Amadou Kouffa")).one()
        case = case_ops.open_case(session, get_user(session, "fatou"), [alert.id])
        package = prepare(session, case.id, get_user(session, "fatou"), case.version)
        assert _owed(database) == []
        approve(session, case.id, package.id, get_user(session, "salif"))
        package_id, digest = package.id, package.sha256
    [(endpoint_id, kind, body)] = _owed(database)
    assert (endpoint_id, kind) == (approved, "evidence.approved")
    assert body["data"]["evidence_package"]["id"] == package_id
    assert body["data"]["evidence_package"]["sha256"] == digest


def test_a_disabled_endpoint_is_owed_nothing_and_a_removed_one_loses_its_deliveries(
        database: Database) -> None:
    kept = _endpoint(database, ["batch.screened"])
    paused = _endpoint(database, ["batch.screened"])
    with database.transaction() as session:
        set_active(session, paused, False)
        set_active(session, paused, False)  # already: nothing recorded
    load_sample(database)
    assert [endpoint_id for endpoint_id, _, _ in _owed(database)] == [kept]
    with database.transaction() as session:
        set_active(session, paused, True)
        remove_endpoint(session, kept)
    assert _owed(database) == []
    with database.transaction() as session, pytest.raises(NotFoundError):
        remove_endpoint(session, kept)
    assert _actions(database) == ["webhook.create", "webhook.create", "webhook.disable",
                                  "webhook.enable", "webhook.remove"]


def test_rotation_replaces_the_secret(database: Database) -> None:
    with database.transaction() as session:
        made = create_endpoint(session, "https://fiu.example.org/hooks", ["alert.decided"],
                               BOX)
        rotated = rotate_secret(session, made.endpoint.id, BOX)
        assert rotated.secret != made.secret
        assert BOX.open(session.get_one(WebhookEndpoint, made.endpoint.id).secret) == \
            rotated.secret
    assert _actions(database) == ["webhook.create", "webhook.rotate"]


def test_a_test_event_is_owed_to_an_active_endpoint_only(database: Database) -> None:
    endpoint_id = _endpoint(database, ["alert.decided"])
    with database.transaction() as session:
        send_test(session, endpoint_id)
        set_active(session, endpoint_id, False)
        with pytest.raises(WebhookError) as refused:
            send_test(session, endpoint_id)
        assert refused.value.key == "webhook.test_disabled"
    [(owed_to, kind, body)] = _owed(database)
    assert (owed_to, kind, body["data"]) == (endpoint_id, "webhook.test",
                                             {"endpoint": {"id": endpoint_id}})
    with database.transaction() as session:
        [row] = list_endpoints(session)
        assert (row.waiting, row.failed, row.endpoint.active) == (1, 0, False)


def _test_delivery(database: Database) -> int:
    endpoint_id = _endpoint(database, ["alert.decided"])
    with database.transaction() as session:
        return send_test(session, endpoint_id).id


def _delivery(database: Database, delivery_id: int) -> WebhookDelivery:
    with database.transaction() as session:
        found = session.get_one(WebhookDelivery, delivery_id)
        session.expunge(found)
        return found


def test_a_delivery_is_claimed_once_backed_off_then_delivered(database: Database) -> None:
    delivery_id = _test_delivery(database)
    now = utcnow()
    with database.transaction() as session:
        outgoing = claim_delivery(session, delivery_id, now)
        assert outgoing is not None
        assert outgoing.attempt == 1
        assert claim_delivery(session, delivery_id, now) is None  # one attempt at a time
        assert finish_attempt(session, outgoing, Outcome(500, 12), POLICY, now, now) == \
            "pending"
    assert _delivery(database, delivery_id).next_attempt_at == now + timedelta(seconds=30)
    with database.transaction() as session:
        assert claim_delivery(session, delivery_id, now + timedelta(seconds=29)) is None
        later = now + timedelta(seconds=31)
        outgoing = claim_delivery(session, delivery_id, later)
        assert outgoing is not None
        assert outgoing.attempt == 2
        assert finish_attempt(session, outgoing, Outcome(204, 8), POLICY, later) == "delivered"
        attempts = [(a.number, a.status_code, a.duration_ms) for a in session.scalars(
            select(WebhookAttempt).order_by(WebhookAttempt.id))]
    assert attempts == [(1, 500, 12), (2, 204, 8)]
    assert backoff(1, 30) == timedelta(seconds=30)
    assert backoff(4, 30) == timedelta(seconds=240)


def test_a_delivery_is_given_up_once_its_attempts_are_spent(database: Database) -> None:
    delivery_id = _test_delivery(database)
    now = utcnow()
    for attempt in range(1, 4):
        with database.transaction() as session:
            outgoing = claim_delivery(session, delivery_id, now)
            assert outgoing is not None
            failure = Outcome(None, 3, "connection", "Connection refused")
            state = finish_attempt(session, outgoing, failure, POLICY, now, now)
        assert state == ("failed" if attempt == 3 else "pending")
        now += backoff(attempt, 30)
    delivery = _delivery(database, delivery_id)
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    with database.transaction() as session:
        assert claim_delivery(session, delivery_id, now + timedelta(days=1)) is None
        [row] = list_endpoints(session)
        assert (row.waiting, row.failed) == (0, 1)


def test_a_delivery_left_sending_by_a_dead_worker_goes_back_to_the_outbox(
        database: Database) -> None:
    delivery_id = _test_delivery(database)
    then = utcnow() - timedelta(hours=1)
    with database.transaction() as session:
        assert claim_delivery(session, delivery_id) is not None
        session.execute(update(WebhookDelivery).values(claimed_at=then))  # then killed
        assert recover_lost(session, then - timedelta(seconds=1), POLICY) == []  # not yet
        assert recover_lost(session, utcnow() - timedelta(minutes=5), POLICY) == [
            delivery_id]
        attempt = session.scalars(select(WebhookAttempt)).one()
    assert (attempt.error, attempt.duration_ms, attempt.number) == ("worker_lost", None, 1)
    delivery = _delivery(database, delivery_id)
    assert (delivery.status, delivery.claim_token) == ("pending", None)
    with database.transaction() as session:
        again = claim_delivery(session, delivery_id, delivery.next_attempt_at)
        assert again is not None
        assert again.attempt == 2


def test_due_deliveries_are_handed_out_once_per_period(database: Database) -> None:
    delivery_id = _test_delivery(database)
    now = utcnow()
    with database.transaction() as session:
        assert hand_out_due(session, now - timedelta(seconds=90), 10, now) == [delivery_id]
        assert hand_out_due(session, now - timedelta(seconds=90), 10, now) == []
        later = now + timedelta(seconds=91)
        assert hand_out_due(session, later - timedelta(seconds=90), 10, later) == [
            delivery_id]  # its message may be lost: sent again
        session.execute(update(WebhookEndpoint).values(active=False))
        much_later = later + timedelta(hours=1)
        assert hand_out_due(session, much_later, 10, much_later) == []  # held


def test_the_history_is_paged_newest_first_with_attempts(database: Database) -> None:
    endpoint_id = _endpoint(database, ["alert.decided"])
    with database.transaction() as session:
        ids = [send_test(session, endpoint_id).id for _ in range(30)]
        outgoing = claim_delivery(session, ids[-1])
        assert outgoing is not None
        finish_attempt(session, outgoing, Outcome(200, 5), POLICY, utcnow())
    with database.transaction() as session:
        first = delivery_history(session, endpoint_id, 1)
        second = delivery_history(session, endpoint_id, 2)
        assert (first.total, first.pages, len(first.items), len(second.items)) == (30, 2, 25, 5)
        assert [row.delivery.id for row in first.items] == ids[::-1][:25]
        assert [a.status_code for a in first.items[0].attempts] == [200]
        assert second.items[-1].delivery.id == ids[0]
        assert session.scalar(select(func.count()).select_from(WebhookAttempt)) == 1


def test_finished_deliveries_are_pruned_after_the_history_period(database: Database) -> None:
    delivered, given_up, waiting = (_test_delivery(database) for _ in range(3))
    now = utcnow()
    with database.transaction() as session:
        for delivery_id, outcome in ((delivered, Outcome(204, 5)),
                                     (given_up, Outcome(None, 3, "connection", "refused"))):
            outgoing = claim_delivery(session, delivery_id, now)
            assert outgoing is not None
            finish_attempt(session, outgoing, outcome, RetryPolicy(1, 30.0), now, now)
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id == waiting)
                        .values(created_at=now - timedelta(days=400)))
    with database.transaction() as session:
        assert prune_finished(session, now - timedelta(days=90), 10) == 0  # not old enough
        assert prune_finished(session, now + timedelta(seconds=1), 1) == 1  # one at a time
        assert prune_finished(session, now + timedelta(seconds=1), 10) == 1
        left = session.scalars(select(WebhookDelivery.id)).all()
        attempts = session.scalar(select(func.count()).select_from(WebhookAttempt))
    assert left == [waiting]  # never sent yet: kept, however old
    assert attempts == 0
