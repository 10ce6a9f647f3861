"""The webhooks page of the admin area: an endpoint registered from the form (its secret
shown once, sealed in the store), refused with the reason when its address is not http or
https; disabled, enabled, sent a test event, given a new secret, removed — each audited;
its delivery history paged, with events, states and attempt outcomes in words; every page
in French and Arabic without an untranslated word."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from aml_screen.i18n import catalogue
from aml_screen.store.accounts import get_user
from aml_screen.store.base import utcnow
from aml_screen.store.models import (
    ATTEMPT_ERRORS,
    DELIVERY_STATUSES,
    TEST_EVENT,
    WEBHOOK_EVENTS,
    Alert,
    AuditEvent,
    WebhookEndpoint,
)
from aml_screen.store.secret_box import WEBHOOKS
from aml_screen.store.triage import change_status
from aml_screen.store.webhook_deliveries import (
    Outcome,
    RetryPolicy,
    claim_delivery,
    delivery_history,
    finish_attempt,
)
from tests.store.samples import add_user
from tests.web.client import database, login, post
from tests.web.translation_check import untranslated
from web.security import secret_box

SECRET = re.compile(r'id="webhook-secret">(whsec_[^<]+)<')


def _admin(app: Flask, name: str = "root") -> FlaskClient:
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _register(client: FlaskClient, url: str, events: list[str], **fields: str) -> str:
    response = post(client, "/admin/webhooks", {"url": url, "event": events, **fields},
                    page="/admin/webhooks")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def _endpoint(app: Flask, url: str) -> WebhookEndpoint:
    with database(app).transaction() as session:
        found = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.url == url)).one()
        session.expunge(found)
        return found


def test_an_endpoint_is_registered_and_its_secret_shown_once(app: Flask) -> None:
    client = _admin(app)
    page = _register(client, "https://cases.fiu.example/hooks", ["alert.created",
                                                                 "evidence.approved"],
                     description="Case files", min_risk="75")
    secret = SECRET.search(page)
    assert secret is not None
    endpoint = _endpoint(app, "https://cases.fiu.example/hooks")
    assert (endpoint.events, endpoint.min_risk, endpoint.description) == (
        ["alert.created", "evidence.approved"], 75.0, "Case files")
    with app.app_context():
        assert secret_box(WEBHOOKS).open(endpoint.secret) == secret.group(1)
    listed = unescape(client.get("/admin/webhooks").get_data(as_text=True))
    assert "https://cases.fiu.example/hooks" in listed
    assert "New alert, Evidence package approved" in listed
    assert secret.group(1) not in listed  # shown once


@pytest.mark.parametrize("url", ["ftp://fiu.example/hooks", "javascript:alert(1)",
                                 "https://user:pw@fiu.example/"])
def test_an_address_other_than_http_or_https_is_refused_with_the_reason(
        app: Flask, url: str) -> None:
    client = _admin(app)
    response = post(client, "/admin/webhooks", {"url": url, "event": "alert.created"},
                    page="/admin/webhooks")
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    assert "is not a webhook address" in page
    assert f'value="{url}"' in page  # the form keeps what was typed
    with database(app).transaction() as session:
        assert session.scalars(select(WebhookEndpoint).where(
            WebhookEndpoint.url == url)).first() is None


def test_every_change_is_audited_and_the_history_reads_in_words(app: Flask) -> None:
    client = _admin(app)
    url = "http://127.0.0.1:9/history"
    first = SECRET.search(_register(client, url, ["alert.decided"]))
    endpoint_id = _endpoint(app, url).id
    base = f"/admin/webhooks/{endpoint_id}"
    tested = post(client, f"{base}/test", page="/admin/webhooks")
    assert tested.status_code == 303
    assert tested.headers["Location"].endswith(base)
    rotated = post(client, f"{base}/rotate", page="/admin/webhooks")
    second = SECRET.search(unescape(rotated.get_data(as_text=True)))
    assert first
    assert second
    assert first.group(1) != second.group(1)
    assert post(client, f"{base}/disable", page="/admin/webhooks").status_code == 303
    refused = post(client, f"{base}/test", page="/admin/webhooks", follow_redirects=True)
    assert "This endpoint is disabled" in unescape(refused.get_data(as_text=True))
    assert post(client, f"{base}/enable", page="/admin/webhooks").status_code == 303
    with database(app).transaction() as session:  # an alert closed: an event owed, tried
        alert = session.scalars(select(Alert).where(Alert.status == "new")).first()
        assert alert is not None
        add_user(database(app), "hawa", "investigator")
        change_status(session, alert.id, get_user(session, "hawa"), "closed", alert.version,
                      "false_positive", "another person")
    with database(app).transaction() as session:
        outgoing = claim_delivery(session, _delivery_id(app, endpoint_id))
        assert outgoing is not None
        finish_attempt(session, outgoing, Outcome(None, 4, "connection", "refused"),
                       RetryPolicy(3, 30), utcnow())
    history = unescape(client.get(base).get_data(as_text=True))
    assert "Test event" in history
    assert "Alert decided" in history
    assert "Try 1" in history
    assert "could not connect" in history
    assert "Waiting" in history
    assert post(client, f"{base}/remove", page="/admin/webhooks").status_code == 303
    assert client.get(base).status_code == 404
    with database(app).transaction() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "webhook_endpoint",
            AuditEvent.object_id == str(endpoint_id)).order_by(AuditEvent.seq)))
    assert actions == ["webhook.create", "webhook.test", "webhook.rotate", "webhook.disable",
                       "webhook.enable", "webhook.remove"]
    audit = unescape(client.get("/audit?action=webhook.").get_data(as_text=True))
    assert "Webhook endpoint registered" in audit


def _delivery_id(app: Flask, endpoint_id: int) -> int:
    with database(app).transaction() as session:
        return delivery_history(session, endpoint_id, 1).items[0].delivery.id


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_pages_read_in_french_and_arabic(app: Flask, lang: str) -> None:
    name = f"webhooks_{lang}"
    add_user(database(app), name, "admin", language=lang)
    client = _admin(app, name)
    _register(client, f"https://{lang}.fiu.example/hooks", ["batch.screened", "alert.created"])
    endpoint_id = _endpoint(app, f"https://{lang}.fiu.example/hooks").id
    post(client, f"/admin/webhooks/{endpoint_id}/test", page="/admin/webhooks")
    with database(app).transaction() as session:
        outgoing = claim_delivery(session, _delivery_id(app, endpoint_id))
        assert outgoing is not None
        finish_attempt(session, outgoing, Outcome(503, 20), RetryPolicy(3, 30), utcnow())
    for path in ("/admin/webhooks", f"/admin/webhooks/{endpoint_id}", "/admin/users"):
        page = client.get(path).get_data(as_text=True)
        assert untranslated(page, lang) == [], path
    refused = post(client, "/admin/webhooks", {"url": "ftp://x", "event": "alert.created"},
                   page="/admin/webhooks")
    assert untranslated(refused.get_data(as_text=True), lang) == []


def test_every_event_state_and_error_has_words() -> None:
    keys = [*(f"webhooks.event.{event}" for event in (*WEBHOOK_EVENTS, TEST_EVENT)),
            *(f"webhooks.event_hint.{event}" for event in WEBHOOK_EVENTS),
            *(f"webhooks.status.{status}" for status in DELIVERY_STATUSES),
            *(f"webhooks.error.{error}" for error in ATTEMPT_ERRORS)]
    assert [key for key in keys if key not in catalogue()] == []
