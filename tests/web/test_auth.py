from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.store.accounts import disable_user
from aml_screen.store.base import utcnow
from aml_screen.store.models import AuditEvent, User, UserSession
from tests.store.samples import add_user
from tests.web.client import csrf_token, database, login, post


def test_login_sets_a_hardened_cookie_and_follows_next(app: Flask) -> None:
    client = app.test_client()
    client.get("/alerts?status=closed")
    response = client.post("/login", data={
        "username": "fatou", "password": "correct horse battery",
        "csrf_token": csrf_token(client), "next": "/alerts?status=closed"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/alerts?status=closed"
    cookie = response.headers["Set-Cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in cookie


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example"])
def test_next_never_leaves_the_site(app: Flask, target: str) -> None:
    client = app.test_client()
    response = client.post("/login", data={
        "username": "fatou", "password": "correct horse battery",
        "csrf_token": csrf_token(client), "next": target})
    assert response.headers["Location"] == "/alerts"


def test_wrong_password_is_refused_without_saying_which_part(app: Flask) -> None:
    client = app.test_client()
    unknown = login(client, "nobody-here")
    wrong = login(client, "fatou", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "Unknown user name or wrong password" in wrong.get_data(as_text=True)
    assert client.get("/alerts").status_code == 302


def test_repeated_failures_are_throttled_then_allowed(app: Flask) -> None:
    add_user(database(app), "kadi", "investigator")
    client = app.test_client()
    statuses = [login(client, "kadi", f"guess number {i}").status_code for i in range(5)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[-1] == 429
    throttled = login(client, "kadi")  # even the right password waits out the delay
    assert throttled.status_code == 429
    assert "wait" in throttled.get_data(as_text=True)


def test_logout_and_disabling_end_sessions_even_for_replayed_cookies(app: Flask) -> None:
    add_user(database(app), "idrissa", "investigator")
    client = app.test_client()
    login(client, "idrissa")
    stolen = client.get_cookie("aml_screen")
    assert stolen is not None
    assert client.get("/alerts").status_code == 200
    post(client, "/logout")
    thief = app.test_client()
    thief.set_cookie("aml_screen", stolen.value)
    assert thief.get("/alerts").headers["Location"].startswith("/login")

    login(client, "idrissa")
    assert client.get("/alerts").status_code == 200
    with database(app).transaction() as session:
        disable_user(session, "idrissa")
    assert client.get("/alerts").headers["Location"].startswith("/login")
    assert login(client, "idrissa").status_code == 401


def test_every_page_carries_a_strict_policy(app: Flask) -> None:
    client = app.test_client()
    login(client, "fatou")
    for page in ("/login", "/alerts", "/batches", "/static/app.css", "/nowhere"):
        with client.get(page) as response:
            policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "http" not in policy  # no external origin
        assert "unsafe-inline" not in policy


def test_language_switch_on_the_login_page(app: Flask) -> None:
    client = app.test_client()
    assert "User name" in client.get("/login").get_data(as_text=True)
    post(client, "/language", {"lang": "fr", "next": "/login"}, page="/login")
    page = unescape(client.get("/login").get_data(as_text=True))
    assert "Nom d'utilisateur" in page
    assert '<html lang="fr" dir="ltr">' in page


def test_the_users_language_is_remembered(app: Flask) -> None:
    add_user(database(app), "mariam", "investigator", language="fr")
    client = app.test_client()
    login(client, "mariam")
    assert "Prendre l'alerte suivante" in unescape(client.get("/alerts").get_data(as_text=True))
    post(client, "/language", {"lang": "en", "next": "/alerts"})
    other = app.test_client()
    login(other, "mariam")
    assert "Take the next alert" in other.get("/alerts").get_data(as_text=True)
    with database(app).transaction() as session:
        assert session.scalars(select(User.language).where(User.username == "mariam")
                               ).one() == "en"
        assert session.scalars(select(AuditEvent.action).where(
            AuditEvent.actor_name == "mariam").order_by(AuditEvent.id)).all()[-2:] == [
            "user.language", "auth.login"]


def test_a_session_ends_after_the_idle_time_of_the_settings(app: Flask) -> None:
    """30 minutes unused by default (``session_idle_minutes``): a session last used 40
    minutes ago is refused, one used 20 minutes ago is not."""
    add_user(database(app), "binta", "investigator")
    clients = {}
    for minutes in (20, 40):
        client = app.test_client()
        login(client, "binta")
        with database(app).transaction() as session:
            row = session.scalars(select(UserSession).order_by(UserSession.id.desc())).first()
            assert row is not None
            row.last_seen_at = utcnow() - timedelta(minutes=minutes)
        clients[minutes] = client
    assert clients[20].get("/alerts").status_code == 200
    assert clients[40].get("/alerts").headers["Location"].startswith("/login")
