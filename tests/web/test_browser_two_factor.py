"""Two-factor log-in in a real Chromium, with the default policy: a supervisor without a
second factor is held on the enrolment page; enrolment reads the key off the page (the app
a person would scan the QR code with computes the same code here with pyotp), shows the
recovery codes once; log-in then asks for a code, or a recovery code that works once."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright import sync_api

from aml_screen.settings import Settings
from tests.store.samples import PASSWORD
from tests.web.browser import BROWSER_MARKS, log_out, serve_app

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_app(tmp_path_factory.mktemp("browser"), {"salif": "supervisor"},
                   require_2fa_for=Settings().require_2fa_for) as url:
        yield url


def _password(page: Any, server: str) -> None:
    page.goto(f"{server}/login")
    page.fill("input[name=username]", "salif")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Log in')")


def _code(page: Any, code: str) -> None:
    page.wait_for_url(re.compile(r"/login/code"))
    page.fill("#code-form input[name=code]", code)
    page.click("#code-form button[type=submit]")


def test_enrol_then_log_in_with_a_code_and_a_recovery_code(server: str, page: Any,
                                                           browser: Any,
                                                           screenshots: Path) -> None:
    expect = sync_api.expect
    _password(page, server)
    page.wait_for_url(re.compile(r"/account/two-factor$"))  # sent from /alerts to enrol
    expect(page.locator("#two-factor-required")).to_be_visible()
    page.goto(f"{server}/cases")
    page.wait_for_url(re.compile(r"/account/two-factor$"))  # nothing else opens

    page.click("#start-form button")
    qr_code = page.locator("figure.qr svg")
    expect(qr_code).to_be_visible()
    box = qr_code.bounding_box()
    assert box is not None
    assert box["width"] >= 150
    key = page.locator("#two-factor-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    page.screenshot(path=str(screenshots / "two-factor-enrolment.png"), full_page=True)
    totp = pyotp.TOTP(key)
    page.fill("#activate-form input[name=code]", totp.now())
    page.click("#activate-form button[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.click("#recovery-done")
    page.wait_for_url(re.compile(r"/alerts"))
    log_out(page)

    _password(page, server)
    _code(page, totp.at(time.time() + 30))  # the current step's code went to activation
    page.wait_for_url(re.compile(r"/alerts"))
    log_out(page)

    _password(page, server)
    _code(page, codes[0])
    page.wait_for_url(re.compile(r"/alerts"))
    log_out(page)

    # the spent code again, in a tab of its own: its 401 is the answer expected (the
    # ``page`` fixture fails a test on any refused resource)
    context = browser.new_context(locale="en-GB")
    try:
        again = context.new_page()
        _password(again, server)
        _code(again, codes[0])
        expect(again.locator(".flash.error")).to_have_text("Wrong or already used code.")
        assert "/login/code" in again.url
        again.goto(f"{server}/alerts")
        again.wait_for_url(re.compile(r"/login\?"))
    finally:
        context.close()
