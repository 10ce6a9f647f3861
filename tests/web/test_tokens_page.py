"""The API tokens page: a user creates a token for themselves (the secret shown once, in
that answer only), within their role's scopes, and revokes it; nobody else sees or revokes
it but an admin, who may also create one for a service account. In both languages."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.web.client import login, post


def _signed_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _create(client: FlaskClient, **form: object) -> tuple[int, str]:
    response = post(client, "/tokens", form, page="/tokens")
    return response.status_code, response.get_data(as_text=True)


def _secret(page: str) -> str:
    match = re.search(r'id="token-secret">(amls_[^<]+)<', page)
    assert match, "no secret on the page"
    return match.group(1)


def test_a_token_is_shown_once_and_works_until_revoked(app: Flask) -> None:
    client = _signed_in(app, "fatou")
    page = client.get("/tokens").get_data(as_text=True)
    assert 'value="triage"' in page
    assert 'value="admin"' not in page
    assert 'value="submit"' not in page
    status, page = _create(client, name="case files", scope=["read", "triage"], expires="30")
    assert status == 200
    secret = _secret(page)
    assert secret not in client.get("/tokens").get_data(as_text=True)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/alerts", headers=headers).status_code == 200
    token_id = re.search(r'id="token-(\d+)"', page)
    assert token_id
    other = _signed_in(app, "moussa")
    assert f'id="token-{token_id.group(1)}"' not in other.get("/tokens").get_data(as_text=True)
    assert post(other, f"/tokens/{token_id.group(1)}/revoke", page="/tokens").status_code == 404
    assert api.get("/api/v1/alerts", headers=headers).status_code == 200
    revoked = post(client, f"/tokens/{token_id.group(1)}/revoke", page="/tokens")
    assert revoked.status_code == 303
    assert api.get("/api/v1/alerts", headers=headers).status_code == 401


def test_a_scope_beyond_the_role_is_refused_on_the_page(app: Flask) -> None:
    status, page = _create(_signed_in(app, "aminata"), name="x", scope=["read", "triage"])
    assert status == 400
    assert "does not allow the scope triage" in page
    assert "amls_" not in page


def test_an_admin_creates_a_token_for_a_service_account(app: Flask) -> None:
    admin = _signed_in(app, "root")
    status, page = _create(admin, name="bank feed", user="awa", scope=["read"])
    assert status == 200
    secret = _secret(page)
    response = app.test_client().get("/api/v1/batches/1",
                                     headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert "bank feed" in admin.get("/tokens").get_data(as_text=True)
    status, page = _create(_signed_in(app, "salif"), name="steal", user="awa", scope=["read"])
    assert status == 400
    assert "only an administrator" in page


def test_the_page_is_in_french_and_in_the_menu(app: Flask) -> None:
    client = _signed_in(app, "salif")
    post(client, "/language", {"lang": "fr"}, page="/tokens")
    page = client.get("/tokens").get_data(as_text=True)
    assert "Créer le jeton" in page
    assert 'href="/tokens"' in client.get("/alerts").get_data(as_text=True)
