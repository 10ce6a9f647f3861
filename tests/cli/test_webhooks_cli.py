"""``aml-screen webhooks``: add prints the signing secret once (alone on stdout), list never
shows it, deliveries tells each delivery's state and last try, remove drops the endpoint;
bad input is one line and exit 2, every change audited as the system."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from aml_screen.store import open_database
from aml_screen.store.models import AuditEvent, WebhookEndpoint
from aml_screen.store.secret_box import WEBHOOKS, SecretBox
from aml_screen.store.webhook_endpoints import send_test
from tests.cli.store_cli import run_on_store

KEY = "the deployment's secret key, for tests"


@pytest.fixture(autouse=True)
def _secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AML_SCREEN_SECRET_KEY", KEY)


def test_add_list_deliveries_remove(url: str) -> None:
    code, out, err = run_on_store(url, "webhooks", "add", "https://fiu.example.org/hooks",
                                  "--events", "alert.created,batch.screened",
                                  "--min-risk", "80", "--description", "case files")
    assert code == 0, err
    secret = out.strip()
    assert secret.startswith("whsec_")
    assert "\n" not in secret
    assert "batch.screened, alert.created" in err
    database = open_database(url)
    try:
        with database.transaction() as session:
            endpoint = session.scalars(select(WebhookEndpoint)).one()
            assert SecretBox(KEY, WEBHOOKS).open(endpoint.secret) == secret
            send_test(session, endpoint.id)
            endpoint_id = endpoint.id
    finally:
        database.dispose()
    code, listed, _ = run_on_store(url, "webhooks", "list")
    assert code == 0
    assert secret not in listed
    header, row = listed.splitlines()
    assert header.split()[:3] == ["id", "address", "events"]
    assert "https://fiu.example.org/hooks" in row
    assert "Active" in row
    [found] = json.loads(run_on_store(url, "webhooks", "list", "--json")[1])
    assert (found["min_risk"], found["waiting"], found["events"]) == (
        80.0, 1, ["batch.screened", "alert.created"])
    code, history, _ = run_on_store(url, "webhooks", "deliveries", str(endpoint_id))
    assert code == 0
    assert "webhook.test" in history
    assert "Waiting" in history
    [delivery] = json.loads(run_on_store(url, "webhooks", "deliveries", str(endpoint_id),
                                         "--json")[1])
    assert (delivery["type"], delivery["status"], delivery["attempts"]) == (
        "webhook.test", "pending", [])
    code, out, _ = run_on_store(url, "webhooks", "remove", str(endpoint_id))
    assert code == 0
    assert "https://fiu.example.org/hooks" in out
    assert run_on_store(url, "webhooks", "list")[1].strip() == "no webhook endpoint"
    database = open_database(url)
    try:
        with database.transaction() as session:
            events = session.execute(select(AuditEvent.actor_name, AuditEvent.action).where(
                AuditEvent.object_type == "webhook_endpoint").order_by(AuditEvent.seq)).all()
    finally:
        database.dispose()
    assert [tuple(e) for e in events] == [("system", "webhook.create"),
                                          ("system", "webhook.test"),
                                          ("system", "webhook.remove")]


@pytest.mark.parametrize(("args", "message"), [
    (("add", "ftp://fiu.example.org/", "--events", "alert.created"), "not a webhook address"),
    (("add", "https://fiu.example.org/", "--events", "alert.deleted"), "at least one event"),
    (("remove", "7"), "no webhook endpoint number 7"),
    (("deliveries", "7"), "no webhook endpoint number 7"),
])
def test_bad_input_is_one_line(url: str, args: tuple[str, ...], message: str) -> None:
    code, out, err = run_on_store(url, "webhooks", *args)
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""
