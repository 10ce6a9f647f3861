"""Webhook deliveries through the job queue to a real HTTP receiver that checks the
signature as integrators are told to: delivered and verified; retried after a 500 or while
the receiver is down, then delivered; given up after the attempts the settings allow; never
in the way of a screening (an unreachable or slow endpoint, a batch that fails); sent even
when a worker died with its message or in the middle of sending."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from aml_screen.jobs import InProcessWorker, JobQueue, WebhookRelay, submit_batch
from aml_screen.store import Database
from aml_screen.store.base import utcnow
from aml_screen.store.models import Batch, WebhookAttempt, WebhookDelivery
from aml_screen.store.secret_box import WEBHOOKS, SecretBox
from aml_screen.store.webhook_endpoints import create_endpoint, send_test
from tests.jobs.receiver import Receiver, new_receiver, receiving
from tests.jobs.waiting import wait_finished
from tests.store.samples import SAMPLE, repo_settings

KEY = "the deployment's secret key, for tests"


def _queue(database: Database, tmp_path: Path, immediate: bool = True,
           **settings: Any) -> JobQueue:
    settings = {"webhook_retry_seconds": 0.2, "webhook_timeout_seconds": 1.0, **settings}
    return JobQueue(repo_settings(data_dir=tmp_path / "var", secret_key=KEY, **settings),
                    database, immediate=immediate)


def _endpoint(database: Database, receiver: Receiver, events: list[str]) -> int:
    with database.transaction() as session:
        made = create_endpoint(session, receiver.url, events, SecretBox(KEY, WEBHOOKS))
    receiver.secret = made.secret
    return made.endpoint.id


def _test_event(database: Database, endpoint_id: int) -> int:
    with database.transaction() as session:
        return send_test(session, endpoint_id).id


def _deliveries(database: Database) -> list[tuple[str, str, int]]:
    with database.transaction() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(WebhookDelivery.event_type, WebhookDelivery.status,
                   WebhookDelivery.attempts).order_by(WebhookDelivery.id))]


def _attempts(database: Database) -> list[tuple[int | None, str | None]]:
    with database.transaction() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(WebhookAttempt.status_code, WebhookAttempt.error)
            .order_by(WebhookAttempt.id))]


def _sweep_until_settled(relay: WebhookRelay, database: Database, seconds: float = 20) -> None:
    """Run the relay (the queue is immediate: each delivery handed out is attempted at
    once) until nothing is pending any more."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        relay.sweep()
        if all(status in ("delivered", "failed") for _, status, _ in _deliveries(database)):
            return
        time.sleep(0.05)
    raise AssertionError(f"still pending: {_deliveries(database)}")


def test_a_delivery_is_signed_and_verified_by_the_receiver(database: Database,
                                                           tmp_path: Path) -> None:
    queue = _queue(database, tmp_path)
    with receiving(new_receiver()) as receiver:
        endpoint_id = _endpoint(database, receiver, ["alert.created"])
        _test_event(database, endpoint_id)
        _sweep_until_settled(WebhookRelay(queue, database), database)
    [got] = receiver.received
    assert got.verified
    body = json.loads(got.body)
    assert body["type"] == "webhook.test"
    assert body["data"] == {"endpoint": {"id": endpoint_id}}
    assert got.headers["X-AML-Screen-Event-Id"] == body["id"]
    assert got.headers["X-AML-Screen-Event"] == "webhook.test"
    assert got.headers["Content-Type"].startswith("application/json")
    header = got.headers["X-AML-Screen-Signature"]
    timestamp, digest = header.split(",")
    assert timestamp.startswith("t=")
    assert abs(int(timestamp[2:]) - time.time()) < 60
    assert digest.startswith("v1=")
    assert len(digest) == 3 + 64
    assert _deliveries(database) == [("webhook.test", "delivered", 1)]
    assert _attempts(database) == [(200, None)]


def test_a_500_is_retried_after_its_back_off_and_then_delivered(database: Database,
                                                                 tmp_path: Path) -> None:
    queue = _queue(database, tmp_path)
    with receiving(new_receiver(answers=[500, 503])) as receiver:
        endpoint_id = _endpoint(database, receiver, ["batch.screened"])
        _test_event(database, endpoint_id)
        relay = WebhookRelay(queue, database)
        relay.sweep()
        assert _deliveries(database) == [("webhook.test", "pending", 1)]
        assert relay.sweep() == []  # waiting its back-off (0.2 s, then 0.4 s)
        _sweep_until_settled(relay, database)
    assert [got.verified for got in receiver.received] == [True] * 3
    assert len({got.headers["X-AML-Screen-Event-Id"] for got in receiver.received}) == 1
    assert len({got.body for got in receiver.received}) == 1  # the same body each time
    assert _attempts(database) == [(500, None), (503, None), (200, None)]
    assert _deliveries(database) == [("webhook.test", "delivered", 3)]


def test_a_receiver_down_is_tried_again_until_it_is_up(database: Database,
                                                       tmp_path: Path) -> None:
    queue = _queue(database, tmp_path)
    receiver = new_receiver()
    endpoint_id = _endpoint(database, receiver, ["batch.screened"])
    _test_event(database, endpoint_id)
    relay = WebhookRelay(queue, database)
    relay.sweep()  # nobody listens on its port
    assert _attempts(database) == [(None, "connection")]
    with receiving(receiver):
        _sweep_until_settled(relay, database)
    assert [got.verified for got in receiver.received] == [True]
    assert _attempts(database) == [(None, "connection"), (200, None)]


def test_an_endpoint_that_never_answers_well_is_given_up(database: Database,
                                                         tmp_path: Path) -> None:
    queue = _queue(database, tmp_path, webhook_attempts=2, webhook_retry_seconds=0.05)
    with receiving(new_receiver(answers=[500] * 5)) as receiver:
        _test_event(database, _endpoint(database, receiver, ["batch.screened"]))
        _sweep_until_settled(WebhookRelay(queue, database), database)
    assert _deliveries(database) == [("webhook.test", "failed", 2)]
    assert len(receiver.received) == 2


def test_a_slow_endpoint_times_out_and_is_recorded(database: Database,
                                                   tmp_path: Path) -> None:
    queue = _queue(database, tmp_path, webhook_timeout_seconds=0.3)
    with receiving(new_receiver(delay=1.0)) as receiver:
        _test_event(database, _endpoint(database, receiver, ["batch.screened"]))
        started = time.monotonic()
        WebhookRelay(queue, database).sweep()
        assert time.monotonic() - started < 1.0
    [(code, error)] = _attempts(database)
    assert (code, error) == (None, "timeout")
    assert _deliveries(database)[0][1] == "pending"


def test_screening_with_an_unreachable_endpoint_completes_and_tells_it_later(
        database: Database, tmp_path: Path) -> None:
    queue = _queue(database, tmp_path, webhook_attempts=1)
    receiver = new_receiver()  # never started: the port refuses connections
    _endpoint(database, receiver, ["batch.screened", "alert.created"])
    batch_id = submit_batch(queue, database, SAMPLE.name, SAMPLE.read_bytes(), None).batch_id
    batch = wait_finished(database, Batch, batch_id)
    assert batch.status == "done"
    _sweep_until_settled(WebhookRelay(queue, database), database)
    kinds = [kind for kind, _, _ in _deliveries(database)]
    assert kinds.count("batch.screened") == 1
    assert "alert.created" in kinds
    assert {status for _, status, _ in _deliveries(database)} == {"failed"}
    assert {error for _, error in _attempts(database)} == {"connection"}


def test_a_batch_whose_screening_fails_is_told_as_failed(database: Database,
                                                         tmp_path: Path) -> None:
    queue = _queue(database, tmp_path)
    with receiving(new_receiver()) as receiver:
        _endpoint(database, receiver, ["batch.screened"])
        bad = b"this,is,not\na,transaction,batch\n"
        batch_id = submit_batch(queue, database, "bad.csv", bad, None).batch_id
        assert wait_finished(database, Batch, batch_id).status == "failed"
        _sweep_until_settled(WebhookRelay(queue, database), database)
    [got] = receiver.received
    batch = json.loads(got.body)["data"]["batch"]
    assert got.verified
    assert (batch["id"], batch["status"], batch["alerts"]) == (batch_id, "failed", None)
    assert batch["error"]


def test_a_message_lost_with_its_worker_is_sent_again(database: Database,
                                                      tmp_path: Path) -> None:
    queue = _queue(database, tmp_path, immediate=False, job_stale_seconds=0.5)
    with receiving(new_receiver()) as receiver:
        _test_event(database, _endpoint(database, receiver, ["batch.screened"]))
        relay = WebhookRelay(queue, database)
        assert len(relay.sweep()) == 1
        queue.webhooks.flush()  # the worker took the message and died before claiming it
        assert relay.sweep() == []  # handed out moments ago
        time.sleep(0.6)
        assert len(relay.sweep()) == 1
        worker = InProcessWorker(queue, poll_seconds=0.05, lane=queue.webhooks).start()
        try:
            receiver.wait_for(1)
        finally:
            worker.stop()
    assert [got.verified for got in receiver.received] == [True]


def test_a_delivery_whose_worker_died_while_sending_is_sent(database: Database,
                                                            tmp_path: Path) -> None:
    queue = _queue(database, tmp_path)
    with receiving(new_receiver()) as receiver:
        delivery_id = _test_event(database, _endpoint(database, receiver, ["batch.screened"]))
        with database.transaction() as session:  # claimed an hour ago, then killed
            session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                            .values(status="sending", attempts=1, claim_token="0" * 32,
                                    claimed_at=utcnow() - timedelta(hours=1)))
        _sweep_until_settled(WebhookRelay(queue, database), database)
    assert [got.verified for got in receiver.received] == [True]
    assert _attempts(database) == [(None, "worker_lost"), (200, None)]
    assert _deliveries(database) == [("webhook.test", "delivered", 2)]
