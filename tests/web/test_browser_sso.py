"""Single sign-on in a real Chromium: "Sign in with Keycloak" on the log-in page goes to the
provider (a real one, on a thread: ``tests/web/oidc_provider.py``), which signs the person
in and sends the browser back; they land on the alert queue with the role of their group,
a supervisor not held for the app's second factor, and log-out passes through the
provider's end-session endpoint back to the log-in page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright import sync_api

from tests.web.browser import BROWSER_MARKS, log_out, serve_app
from tests.web.oidc_provider import Person, Provider, running_provider
from tests.web.test_sso import sso_settings

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as found:
        yield found


@pytest.fixture(scope="module")
def server(provider: Provider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_app(tmp_path_factory.mktemp("browser"), {}, **sso_settings(provider)) as url:
        yield url


def test_sign_in_with_the_provider_lands_on_the_queue(server: str, provider: Provider,
                                                       page: Any) -> None:
    expect = sync_api.expect
    provider.person = Person("sub-salif", "salif", ["/fiu/supervisors"])
    page.goto(f"{server}/alerts")
    page.wait_for_url(re.compile(r"/login"))
    button = page.locator("#sso-form button")
    expect(button).to_have_text("Sign in with Keycloak")
    button.click()
    page.wait_for_url(re.compile(r"/alerts$"))
    expect(page.locator(".who")).to_contain_text("salif")
    expect(page.locator(".who")).to_contain_text("supervisor")
    assert provider.requests[-1]["code_challenge_method"] == "S256"
    log_out(page)
    assert provider.logouts[-1]["id_token_hint"]
    page.goto(f"{server}/alerts")
    page.wait_for_url(re.compile(r"/login"))


def test_a_person_in_no_mapped_group_reads_why_in_french(server: str, provider: Provider,
                                                         browser: Any) -> None:
    provider.person = Person("sub-nobody", "nobody", ["/staff"])
    context = browser.new_context(locale="fr-FR")
    try:
        tab = context.new_page()
        tab.goto(f"{server}/login")
        tab.click("#sso-form button:has-text('Se connecter avec Keycloak')")
        tab.wait_for_url(re.compile(r"/login/sso/callback"))
        sync_api.expect(tab.locator("#sso-refused h1")).to_have_text("Connexion refusée")
    finally:
        context.close()
