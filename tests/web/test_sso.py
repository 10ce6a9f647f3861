"""Single sign-on with OpenID Connect through the web (Flask's test client), against a real
provider served on a thread (``tests/web/oidc_provider.py``): the browser's trips to the
provider are real HTTP requests, and so are the app's calls to its discovery, keys and token
endpoints. A first sign-in makes the account with the role of its groups, the role follows
the groups at each sign-in, and a user in no mapped group, a locally disabled one, a forged
state and every spoilt ID token are refused, each step audited."""

from __future__ import annotations

import time
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from aml_screen.store.accounts import disable_user, enable_user
from aml_screen.store.models import AuditEvent, SsoIdentity, User, UserSession
from aml_screen.store.sso_accounts import NO_PASSWORD, PROVIDER_OBJECT
from tests.store.samples import add_user
from tests.web.client import database, enrol, login, post, running_app
from tests.web.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    TAMPERING,
    Person,
    Provider,
    running_provider,
)
from tests.web.translation_check import untranslated

ROLE_GROUPS = (("/fiu/admins", "admin"), ("/fiu/supervisors", "supervisor"),
               ("/fiu/investigators", "investigator"), ("/fiu/auditors", "auditor"),
               ("/fiu/analysts", "analyst"))


def sso_settings(provider: Provider, **changes: Any) -> dict[str, Any]:
    """Settings of an app signing in through ``provider``, the default policy otherwise
    (supervisors and admins need a second factor: the provider's stands in for it)."""
    return {"oidc_enabled": True, "oidc_provider_name": "Keycloak",
            "oidc_issuer": provider.issuer, "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET, "oidc_role_groups": ROLE_GROUPS,
            "require_2fa_for": ("supervisor", "admin"), **changes}


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as found:
        yield found


@pytest.fixture(scope="module")
def app(provider: Provider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with running_app(tmp_path_factory.mktemp("sso"), **sso_settings(provider)) as flask_app:
        add_user(database(flask_app), "awa", "analyst")
        add_user(database(flask_app), "mariama", "auditor", language="fr")
        yield flask_app


@pytest.fixture(autouse=True)
def honest(provider: Provider) -> None:
    provider.tamper = None
    provider.declines = False


def at_provider(client: FlaskClient, next_path: str = "") -> str:
    """Press "Sign in with…" and follow the browser to the provider (real HTTP); returns
    the address the provider sends the browser back to."""
    start = post(client, "/login/sso", {"next": next_path}, page="/login")
    assert start.status_code == 302, start.get_data(as_text=True)
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return answer.headers["Location"]


def back_at_app(client: FlaskClient, address: str) -> Any:
    parts = urlsplit(address)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: FlaskClient, next_path: str = "") -> Any:
    return back_at_app(client, at_provider(client, next_path))


def user(app: Flask, name: str) -> User:
    with database(app).transaction() as session:
        found = session.scalar(select(User).where(User.username == name))
        assert found is not None, name
        session.expunge(found)
        return found


def events(app: Flask, action: str) -> list[AuditEvent]:
    with database(app).transaction() as session:
        found = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                     .order_by(AuditEvent.seq)))
        session.expunge_all()
        return found


def test_a_first_sign_in_makes_the_user_with_the_role_of_their_group(
        app: Flask, provider: Provider) -> None:
    provider.person = Person("sub-amina", "amina@fiu.example",
                             ["/other", "/fiu/investigators"])
    client = app.test_client()
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in policy  # the form leads there
    landed = sign_in(client, "/cases")
    assert landed.status_code == 302
    assert landed.headers["Location"] == "/cases"
    assert client.get("/alerts").status_code == 200
    asked = provider.requests[-1]
    assert asked["code_challenge_method"] == "S256"
    assert all(asked[name] for name in ("nonce", "state", "code_challenge"))
    assert asked["scope"].split() == ["openid", "profile", "email"]
    assert asked["redirect_uri"] == "http://localhost/login/sso/callback"
    made = user(app, "amina_fiu.example")
    assert (made.role, made.active, made.password_hash) == ("investigator", True, NO_PASSWORD)
    with database(app).transaction() as session:
        identity = session.get_one(SsoIdentity, made.id)
        assert (identity.issuer, identity.subject) == (provider.issuer, "sub-amina")
    created = [e for e in events(app, "user.create") if e.object_id == str(made.id)]
    assert created[0].after == {"username": "amina_fiu.example", "role": "investigator",
                                "language": "en", "issuer": provider.issuer,
                                "provider_subject": "sub-amina"}
    logged_in = [e for e in events(app, "auth.login") if e.object_id == str(made.id)]
    assert logged_in[-1].after == {"remote_addr": "127.0.0.1", "single_sign_on": True,
                                   "second_factor": "provider"}
    assert events(app, "auth.sso_redirect")[-1].object_type == PROVIDER_OBJECT


def test_the_role_follows_the_groups_at_each_sign_in(app: Flask, provider: Provider) -> None:
    provider.person = Person("sub-issa", "issa", ["/fiu/analysts"])
    assert sign_in(app.test_client()).status_code == 302
    assert user(app, "issa").role == "analyst"
    provider.person = Person("sub-issa", "issa.renamed", ["/fiu/analysts", "/fiu/supervisors"])
    client = app.test_client()
    assert sign_in(client).status_code == 302
    issa = user(app, "issa")  # linked by subject: the new user name makes no new account
    assert issa.role == "supervisor"  # the first mapped group listed wins
    changed = [e for e in events(app, "user.role_from_groups")
               if e.object_id == str(issa.id)]
    assert [(e.before, e.after) for e in changed] == [
        ({"role": "analyst"}, {"role": "supervisor", "groups": ["/fiu/supervisors",
                                                                  "/fiu/analysts"]})]
    # a supervisor needs a second factor here; the provider's stands in for it
    assert client.get("/alerts").status_code == 200
    assert client.get("/cases").status_code == 200


def test_a_user_in_no_mapped_group_is_refused(app: Flask, provider: Provider) -> None:
    provider.person = Person("sub-nobody", "nobody", ["/staff"])
    client = app.test_client()
    refused = sign_in(client)
    assert refused.status_code == 403
    assert "none of your groups gives a role" in refused.get_data(as_text=True)
    assert client.get("/alerts").headers["Location"].startswith("/login")
    with database(app).transaction() as session:
        assert session.scalar(select(User).where(User.username == "nobody")) is None
    assert events(app, "auth.sso_refused")[-1].after == {
        "sso_refusal": "no_role", "remote_addr": "127.0.0.1", "username": "nobody"}


def test_a_user_taken_out_of_every_group_loses_their_open_sessions(
        app: Flask, provider: Provider) -> None:
    provider.person = Person("sub-bakary", "bakary", ["/fiu/auditors"])
    first = app.test_client()
    assert sign_in(first).status_code == 302
    assert first.get("/audit").status_code == 200
    provider.person = Person("sub-bakary", "bakary", [])
    assert sign_in(app.test_client()).status_code == 403
    assert first.get("/audit").headers["Location"].startswith("/login")


@pytest.mark.parametrize("tamper", TAMPERING)
def test_a_spoilt_id_token_is_refused(app: Flask, provider: Provider, tamper: str) -> None:
    provider.person = Person(f"sub-{tamper}", f"mallory-{tamper}", ["/fiu/admins"])
    provider.tamper = tamper
    client = app.test_client()
    refused = sign_in(client)
    assert refused.status_code == 401
    assert "could not be verified" in refused.get_data(as_text=True)
    assert client.get("/alerts").headers["Location"].startswith("/login")
    with database(app).transaction() as session:
        assert session.scalar(select(User).where(User.username == f"mallory-{tamper}")) is None
    refusal = events(app, "auth.sso_refused")[-1]
    assert (refusal.object_type, refusal.object_id) == (PROVIDER_OBJECT, provider.issuer)
    assert refusal.after is not None
    assert refusal.after["sso_refusal"] == "token"
    assert refusal.after["detail"]


def test_a_locally_disabled_user_stays_refused(app: Flask, provider: Provider) -> None:
    provider.person = Person("sub-hawa", "hawa", ["/fiu/investigators"])
    assert sign_in(app.test_client()).status_code == 302
    with database(app).transaction() as session:
        disable_user(session, "hawa")
    client = app.test_client()
    refused = sign_in(client)
    assert refused.status_code == 403
    assert "account is disabled" in refused.get_data(as_text=True)
    assert client.get("/alerts").headers["Location"].startswith("/login")
    assert events(app, "auth.sso_refused")[-1].after == {
        "sso_refusal": "disabled", "remote_addr": "127.0.0.1", "username": "hawa"}
    with database(app).transaction() as session:
        enable_user(session, "hawa")
    assert sign_in(app.test_client()).status_code == 302


def test_a_sign_in_not_begun_in_this_browser_is_refused(app: Flask,
                                                        provider: Provider) -> None:
    provider.person = Person("sub-victim", "victim", ["/fiu/admins"])
    address = at_provider(app.test_client())  # begun in one browser…
    other = app.test_client()
    refused = back_at_app(other, address)  # …ended in another
    assert refused.status_code == 401
    assert "not started from this browser" in refused.get_data(as_text=True)
    assert other.get("/alerts").headers["Location"].startswith("/login")
    client = app.test_client()
    address = at_provider(client)
    query = parse_qs(urlsplit(address).query)
    forged = client.get(f"/login/sso/callback?code={query['code'][0]}&state=forged")
    assert forged.status_code == 401
    assert events(app, "auth.sso_refused")[-1].after == {
        "sso_refusal": "state", "remote_addr": "127.0.0.1"}


def test_a_local_account_of_the_same_name_is_not_taken_over(app: Flask,
                                                            provider: Provider) -> None:
    provider.person = Person("sub-other-awa", "awa", ["/fiu/admins"])
    assert sign_in(app.test_client()).status_code == 302
    assert user(app, "awa").role == "analyst"
    assert user(app, "awa-2").role == "admin"


def test_declining_at_the_provider_is_refused(app: Flask, provider: Provider) -> None:
    provider.declines = True
    refused = sign_in(app.test_client())
    assert refused.status_code == 401
    assert "did not sign you in" in refused.get_data(as_text=True)
    after = events(app, "auth.sso_refused")[-1].after
    assert after is not None
    assert (after["sso_refusal"], after["detail"]) == ("provider", "access_denied: ")


def test_log_out_ends_the_session_then_the_providers(app: Flask, provider: Provider) -> None:
    provider.person = Person("sub-kadi", "kadi", ["/fiu/analysts"])
    client = app.test_client()
    sign_in(client)
    out = post(client, "/logout")
    parts = urlsplit(out.headers["Location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{provider.issuer}/logout"
    query = parse_qs(parts.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["id_token_hint"][0].count(".") == 2
    assert client.get("/alerts").headers["Location"].startswith("/login")
    with database(app).transaction() as session:  # not kept once the session has ended
        kadi = session.scalars(select(User.id).where(User.username == "kadi")).one()
        assert session.scalars(select(UserSession.id_token)
                               .where(UserSession.user_id == kadi)).all() == [None]
    # a password log-in's log-out stays here
    local = app.test_client()
    login(local, "awa")
    assert post(local, "/logout").headers["Location"] == "/login"


def test_the_pages_read_in_french_and_arabic(app: Flask, provider: Provider) -> None:
    for lang, button in (("fr", "Se connecter avec Keycloak"),
                         ("ar", "تسجيل الدخول عبر Keycloak")):
        client = app.test_client()
        post(client, "/language", {"lang": lang, "next": "/login"}, page="/login")
        page = client.get("/login").get_data(as_text=True)
        assert button in page
        assert untranslated(page, lang) == []
        provider.person = Person("sub-nobody", "nobody", [])
        refused = sign_in(client).get_data(as_text=True)
        assert untranslated(refused, lang) == []
        provider.person = Person(f"sub-{lang}", f"reader-{lang}", ["/fiu/analysts"])
        sign_in(client)
        assert user(app, f"reader-{lang}").language == lang  # picked on the log-in page


def test_every_step_reads_in_words_in_the_audit_trail(app: Flask, provider: Provider) -> None:
    provider.person = Person("sub-words", "words", ["/fiu/analysts"])
    sign_in(app.test_client())
    provider.person = Person("sub-words", "words", ["/fiu/investigators"])
    sign_in(app.test_client())
    provider.person = Person("sub-words", "words", [])
    sign_in(app.test_client())
    provider.tamper = "nonce"
    sign_in(app.test_client())
    auditor = app.test_client()
    login(auditor, "mariama")
    for action, words in (("auth.sso_redirect", "Envoyé au fournisseur d'identité"),
                          ("user.create", "Identifiant chez le fournisseur d'identité"),
                          ("auth.login", "celui du fournisseur d'identité"),
                          ("user.role_from_groups", "Groupes chez le fournisseur"),
                          ("auth.sso_refused", "aucun groupe de l'utilisateur"),
                          ("auth.sso_refused", "le jeton d'identité a échoué")):
        page = auditor.get(f"/audit?action={action}").get_data(as_text=True)
        assert words in unescape(page), action
        assert untranslated(page, "fr") == [], action


def test_the_admin_sees_provider_accounts_which_get_no_password(
        app: Flask, provider: Provider) -> None:
    provider.person = Person("sub-fanta", "fanta", ["/fiu/analysts"])
    sign_in(app.test_client())
    fanta = user(app, "fanta").id
    provider.person = Person("sub-chief", "chief", ["/fiu/admins"])
    admin = app.test_client()
    sign_in(admin)  # an admin through the provider, whose MFA stands in for the app's
    page = admin.get("/admin/users").get_data(as_text=True)
    row = page[page.index('id="user-fanta"'):].split("</tr>")[0]
    assert "signs in with Keycloak; role from its groups" in row
    assert "/password" not in row
    refused = post(admin, f"/admin/users/{fanta}/password",
                   {"password": "Niamey-Agadez 2026", "confirm": "Niamey-Agadez 2026"},
                   page="/admin/users")
    assert refused.status_code == 400
    assert "signs in through the identity provider" in unescape(refused.get_data(as_text=True))
    assert user(app, "fanta").password_hash == NO_PASSWORD


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Provider]]:
    """Single sign-on only, the app's own second factor asked for after the provider, and
    a provider without an end-session endpoint."""
    with running_provider() as found:
        found.end_session = False
        settings = sso_settings(found, local_login=False, oidc_trust_provider_mfa=False)
        with running_app(tmp_path_factory.mktemp("strict"), **settings) as flask_app:
            add_user(database(flask_app), "root", "admin")
            yield flask_app, found


def test_with_passwords_off_only_the_provider_signs_in(strict: tuple[Flask, Provider]) -> None:
    app, _ = strict
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Keycloak" in page
    assert 'name="password"' not in page
    refused = login(client, "root")
    assert refused.status_code == 403
    assert "Log-in with a password is turned off" in refused.get_data(as_text=True)


def test_without_trust_the_provider_is_followed_by_the_apps_code(
        strict: tuple[Flask, Provider]) -> None:
    app, provider = strict
    provider.person = Person("sub-salif", "salif", ["/fiu/supervisors"])
    client = app.test_client()
    assert sign_in(client).status_code == 302
    assert client.get("/alerts").headers["Location"] == "/account/two-factor"  # enrol first
    key, _ = enrol(client)
    out = post(client, "/logout", page="/alerts")
    assert out.headers["Location"] == "/login"  # no end-session endpoint: back here
    client = app.test_client()
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in policy  # the form leads there
    landed = sign_in(client, "/cases")
    assert landed.headers["Location"].startswith("/login/code")
    assert client.get("/alerts").headers["Location"].startswith("/login")
    code = pyotp.TOTP(key).at(time.time() + 30)  # activation took the current step's
    done = post(client, "/login/code", {"code": code, "next": "/cases"}, page="/login/code")
    assert done.headers["Location"] == "/cases"
    logged_in = [e.after for e in events(app, "auth.login")]
    assert logged_in[-1] == {"remote_addr": "127.0.0.1", "second_factor": "totp",
                             "single_sign_on": True}
