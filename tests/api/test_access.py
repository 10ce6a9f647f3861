"""Who may call the API: a valid bearer token only (never the session cookie), refused at
once when revoked, expired or its user disabled (401); within its scopes and its user's
role (403); within its rate limit (429 with Retry-After). Every use is audited and the
audit chain still verifies."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.store.accounts import disable_user, enable_user, get_user
from aml_screen.store.api_tokens import authenticate_token, revoke_token
from aml_screen.store.audit import verify_chain
from aml_screen.store.base import utcnow
from aml_screen.store.models import ApiToken, AuditEvent
from tests.api.conftest import Api, bearer, make_token
from tests.store.samples import add_user, load_sample
from tests.web.client import database, login, running_app


def _problem(response: object, status: int) -> dict[str, object]:
    assert getattr(response, "status_code") == status  # noqa: B009
    assert getattr(response, "mimetype") == "application/problem+json"  # noqa: B009
    body: dict[str, object] = getattr(response, "get_json")()  # noqa: B009
    assert body["status"] == status
    assert str(body["type"]).startswith("https://aml-screen.org/problems/")
    assert "Traceback" not in str(body)
    return body


@pytest.mark.parametrize("header", ["", "Bearer", "Basic Zm9vOmJhcg==", "Bearer amls_nope",
                                    "Bearer " + "x" * 5000])
def test_no_or_an_unknown_token_is_401(app: Flask, header: str) -> None:
    response = app.test_client().get("/api/v1/alerts", headers={"Authorization": header})
    _problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_session_cookie_is_not_accepted(app: Flask) -> None:
    client = app.test_client()
    assert login(client, "salif").status_code == 302
    assert client.get("/alerts").status_code == 200
    _problem(client.get("/api/v1/alerts"), 401)


def test_revoked_and_expired_tokens_are_401_at_once(app: Flask) -> None:
    client = app.test_client()
    secret = make_token(app, "fatou", "read")
    assert client.get("/api/v1/alerts", headers=bearer(secret)).status_code == 200
    with database(app).transaction() as session:
        holder = authenticate_token(session, secret)
        assert holder is not None
        revoke_token(session, holder.token_id)
    _problem(client.get("/api/v1/alerts", headers=bearer(secret)), 401)
    expiring = make_token(app, "fatou", "read", days=1)
    with database(app).transaction() as session:
        holder = authenticate_token(session, expiring)
        assert holder is not None
        session.get_one(ApiToken, holder.token_id).expires_at = utcnow() - timedelta(seconds=1)
    _problem(client.get("/api/v1/alerts", headers=bearer(expiring)), 401)


def test_a_disabled_users_token_stops_at_once(app: Flask) -> None:
    client = app.test_client()
    secret = make_token(app, "moussa", "read")
    assert client.get("/api/v1/alerts", headers=bearer(secret)).status_code == 200
    with database(app).transaction() as session:
        disable_user(session, "moussa")
    try:
        body = _problem(client.get("/api/v1/alerts", headers=bearer(secret)), 401)
        assert "disabled" in str(body["detail"])
    finally:
        with database(app).transaction() as session:
            enable_user(session, "moussa")


def test_a_scope_the_token_lacks_is_403_and_audited(app: Flask) -> None:
    reader = Api(app.test_client(), make_token(app, "fatou", "read"))
    body = _problem(reader.post("/api/v1/alerts/1/transitions",
                                {"status": "in_review", "version": 1}), 403)
    assert "triage" in str(body["detail"])
    with database(app).transaction() as session:
        refused = session.scalars(select(AuditEvent.after).where(
            AuditEvent.action == "token.use").order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert refused == {"method": "POST", "path": "/api/v1/alerts/1/transitions",
                       "refused": "scope"}


def test_an_operation_the_role_does_not_allow_is_403(app: Flask) -> None:
    admin = Api(app.test_client(), make_token(app, "root", "read"))
    assert admin.get("/api/v1/alerts").status_code == 200
    body = _problem(admin.post("/api/v1/match", {"name": "Iyad Ag Ghaly"}), 403)
    assert body["title"] == "Not allowed"
    analyst = Api(app.test_client(), make_token(app, "awa", "read"))
    _problem(analyst.get("/api/v1/lists"), 403)


def test_titles_follow_accept_language(app: Flask) -> None:
    response = app.test_client().get("/api/v1/alerts",
                                     headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    body = _problem(response, 401)
    assert body["title"] == "Authentification requise"
    assert "jeton" in str(body["detail"])


def test_every_use_is_audited_and_the_chain_verifies(app: Flask) -> None:
    secret = make_token(app, "aminata", "read")
    client = app.test_client()
    for path in ("/api/v1/alerts?status=all", "/api/v1/alerts/2", "/api/v1/batches/1"):
        assert client.get(path, headers=bearer(secret)).status_code == 200
    with database(app).transaction() as session:
        holder = authenticate_token(session, secret)
        assert holder is not None
        uses = session.execute(select(AuditEvent.actor_name, AuditEvent.after).where(
            AuditEvent.action == "token.use",
            AuditEvent.object_id == str(holder.token_id)).order_by(AuditEvent.seq)).all()
        viewed = session.scalars(select(AuditEvent.actor_name).where(
            AuditEvent.action == "alert.view", AuditEvent.object_id == "2")).all()
        assert session.get_one(ApiToken, holder.token_id).last_used_at is not None
        assert verify_chain(session).broken is None
    assert [(actor, after["path"]) for actor, after in uses] == [
        ("aminata", "/api/v1/alerts?status=all"), ("aminata", "/api/v1/alerts/2"),
        ("aminata", "/api/v1/batches/1")]
    assert "aminata" in viewed


def test_past_the_rate_limit_a_token_waits(tmp_path: Path) -> None:
    with running_app(tmp_path, api_rate_limit=3, api_rate_window_seconds=60) as limited:
        add_user(database(limited), "fatou", "investigator")
        load_sample(database(limited))
        client = limited.test_client()
        first, second = make_token(limited, "fatou", "read"), make_token(limited, "fatou", "read")
        for _ in range(3):
            assert client.get("/api/v1/alerts", headers=bearer(first)).status_code == 200
        response = client.get("/api/v1/alerts", headers=bearer(first))
        _problem(response, 429)
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert client.get("/api/v1/alerts", headers=bearer(second)).status_code == 200
        with database(limited).transaction() as session:
            user_id = get_user(session, "fatou").id
            uses = session.scalars(select(AuditEvent.id).where(
                AuditEvent.action == "token.use", AuditEvent.actor_id == user_id)).all()
        assert len(uses) == 4  # the refused request is not a use
