"""Two-factor log-in through the web (Flask's test client) with the default policy: a
supervisor without a second factor can only enrol; enrolment draws the QR code in the page
and turns on with a code computed by pyotp from the key shown; log-in asks for the code (or
a recovery code, once); the admin's reset; the pages in French and Arabic."""

from __future__ import annotations

import time
from collections.abc import Iterator
from html import unescape
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from aml_screen.settings import Settings
from aml_screen.store.models import AuditEvent, User
from aml_screen.store.two_factor import activate, begin_enrolment
from tests.store.samples import add_user
from tests.web.client import KEY_SHOWN, database, enrol, login, post, running_app
from tests.web.translation_check import untranslated
from web.security import ENROLLING_ATTR, secret_box


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The default policy (supervisors and admins), one user per role."""
    policy = Settings().require_2fa_for
    assert policy == ("supervisor", "admin")
    with running_app(tmp_path_factory.mktemp("web"), require_2fa_for=policy) as flask_app:
        for name, role in {"awa": "analyst", "salif": "supervisor", "root": "admin",
                           "issa": "supervisor", "hawa": "supervisor",
                           "bakary": "supervisor"}.items():
            add_user(database(flask_app), name, role, language="en")
        add_user(database(flask_app), "amadou", "supervisor", language="ar")
        yield flask_app


def _code(client: FlaskClient, code: str) -> Any:
    return post(client, "/login/code", {"code": code}, page="/login/code")


def _actions(app: Flask, name: str) -> list[str]:
    with database(app).transaction() as session:
        user_id = session.scalars(select(User.id).where(User.username == name)).one()
        return list(session.scalars(select(AuditEvent.action)
                                    .where(AuditEvent.object_id == str(user_id))
                                    .order_by(AuditEvent.seq)))


def test_a_supervisor_without_a_second_factor_can_onlyenrol(app: Flask) -> None:
    client = app.test_client()
    assert login(client, "hawa").status_code == 302
    for page in ("/alerts", "/cases", "/dashboard", "/tokens", "/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Your role requires two-factor log-in" in text
    assert 'href="/alerts"' not in text  # no menu to pages that would not open
    analyst = app.test_client()
    login(analyst, "awa")
    assert analyst.get("/alerts").status_code == 200  # not required of analysts
    assert post(client, "/logout", page="/account/two-factor").status_code == 302


def test_enrolment_draws_the_code_in_the_page_and_turns_on_with_a_code(app: Flask) -> None:
    client = app.test_client()
    login(client, "salif")
    post(client, "/account/two-factor/start", page="/account/two-factor")
    response = client.get("/account/two-factor")
    page = response.get_data(as_text=True)
    assert '<svg width="' in page
    assert 'class="qr-code"' in page
    assert "<img" not in page
    assert "otpauth" not in page
    assert "'self'" in response.headers["Content-Security-Policy"]
    wrong = post(client, "/account/two-factor/activate", {"code": "12345"},
                 page="/account/two-factor")
    assert wrong.status_code == 400
    assert "Wrong or already used code." in wrong.get_data(as_text=True)
    assert client.get("/alerts").status_code == 302  # still not enrolled
    _, codes = enrol(client)  # starts again with a new key
    assert len(set(codes)) == 10
    assert client.get("/alerts").status_code == 200
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Two-factor log-in is on since" in page
    assert codes[0] not in page
    assert _actions(app, "salif")[-4:] == [
        "auth.two_factor_enrolled", "auth.two_factor_failed", "auth.two_factor_enrolled",
        "auth.two_factor_activated"]


def test_log_in_with_a_code_then_a_recovery_code_once(app: Flask) -> None:
    client = app.test_client()
    login(client, "issa")
    key, codes = enrol(client)
    post(client, "/logout")
    answer = login(client, "issa")
    assert answer.headers["Location"].startswith("/login/code")
    assert client.get("/alerts").headers["Location"].startswith("/login")  # no page yet
    assert _code(client, "not a code").status_code == 401
    used = pyotp.TOTP(key).at(time.time() + 30)  # activation took the current step's
    assert _code(client, used).headers["Location"] == "/alerts"
    assert client.get("/alerts").status_code == 200
    post(client, "/logout")
    login(client, "issa")
    replay = _code(client, used)  # the same code in the same 30 s: refused
    assert replay.status_code == 401
    assert _code(client, codes[0].lower()).status_code == 302
    post(client, "/logout")
    login(client, "issa")
    assert _code(client, codes[0]).status_code == 401  # each recovery code once
    actions = _actions(app, "issa")
    assert actions.count("auth.recovery_code_used") == 1
    assert actions.count("auth.two_factor_failed") == 3


def _enrolled(app: Flask, name: str) -> str:
    """``name`` enrolled through the store; their key."""
    with database(app).transaction() as session, app.app_context():
        user = session.scalars(select(User).where(User.username == name)).one()
        key = begin_enrolment(session, user, secret_box()).secret
        assert activate(session, user, secret_box(), pyotp.TOTP(key).now(), "127.0.0.1")
    return key


def test_an_admin_resets_a_second_factor(app: Flask) -> None:
    key = _enrolled(app, "root")
    bakary_key = _enrolled(app, "bakary")
    admin = app.test_client()
    login(admin, "root")
    assert admin.get("/admin/users").status_code == 302  # the code first
    # the current step's code went to the activation: the next step's (the phone a little
    # ahead) is still accepted
    _code(admin, pyotp.TOTP(key).at(time.time() + 30))
    users = admin.get("/admin/users")
    assert users.status_code == 200
    with database(app).transaction() as session:
        bakary = session.scalars(select(User.id).where(User.username == "bakary")).one()
    victim = app.test_client()
    login(victim, "bakary")
    _code(victim, pyotp.TOTP(bakary_key).at(time.time() + 30))
    assert victim.get("/alerts").status_code == 200
    reset = post(admin, f"/admin/users/{bakary}/two-factor/reset", page="/admin/users")
    assert reset.status_code == 303
    assert "two-factor log-in of bakary reset" in unescape(
        admin.get("/admin/users").get_data(as_text=True))
    assert victim.get("/alerts").headers["Location"].startswith("/login")  # sessions ended
    assert "user.two_factor_reset" in _actions(app, "bakary")
    assert login(victim, "bakary").headers["Location"] == "/alerts"  # no code asked...
    assert victim.get("/alerts").headers["Location"] == "/account/two-factor"  # ...enrol


def test_the_pages_read_in_arabic(app: Flask) -> None:
    client = app.test_client()
    login(client, "amadou")
    post(client, "/account/two-factor/start", page="/account/two-factor")
    enrol_page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'dir="rtl"' in enrol_page
    assert "qr-code" in enrol_page
    assert untranslated(enrol_page, "ar") == []
    key = KEY_SHOWN.search(enrol_page)
    assert key
    shown = post(client, "/account/two-factor/activate",
                 {"code": pyotp.TOTP(key.group(1).replace(" ", "")).now()},
                 page="/account/two-factor").get_data(as_text=True)
    assert "رموز الاسترداد" in shown
    assert untranslated(shown, "ar") == []
    post(client, "/logout")
    login(client, "amadou")
    code_page = client.get("/login/code").get_data(as_text=True)
    assert "الخطوة الثانية لتسجيل الدخول" in code_page
    assert untranslated(code_page, "ar") == []
    refused = post(client, "/login/code", {"code": "000000"}, page="/login/code")
    assert untranslated(refused.get_data(as_text=True), "ar") == []


def test_demo_accounts_are_exempt_only_when_served_with_demo(app: Flask) -> None:
    add_user(database(app), "demo-supervisor", "supervisor")
    client = app.test_client()
    login(client, "demo-supervisor")
    assert client.get("/alerts").status_code == 302
    app.config["TWO_FACTOR_EXEMPT"] = ("demo-supervisor",)  # as `serve --demo` sets it
    try:
        assert client.get("/alerts").status_code == 200
    finally:
        app.config["TWO_FACTOR_EXEMPT"] = ()


def test_only_enrolment_and_log_out_open_before_enrolment(app: Flask) -> None:
    open_while_enrolling = {name for name, view in app.view_functions.items()
                            if getattr(view, ENROLLING_ATTR, False)}
    assert open_while_enrolling == {"two_factor.settings", "two_factor.start",
                                    "two_factor.activate_view", "auth.logout"}
