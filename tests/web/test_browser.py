"""The main flows in a real Chromium (Debian's ``chromium``, driven by Playwright): log in,
upload a batch, watch the job finish, filter the queue, open an alert, close it with a
reason; an auditor cannot change anything. Saves the README's screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from tests.store.samples import PASSWORD, SAMPLE
from tests.web.browser import BROWSER_MARKS, log_in, serve_app
from tests.web.translation_check import untranslated

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_app(tmp_path_factory.mktemp("browser"),
                   {"awa": "analyst", "fatou": "investigator", "aminata": "auditor"}) as url:
        yield url


def test_upload_triage_and_close(server: str, page: Any, screenshots: Path) -> None:
    expect = sync_api.expect
    log_in(page, server, "awa")
    page.goto(f"{server}/batches")
    page.set_input_files("input[name=batch]", str(SAMPLE))
    page.click("button:has-text('Upload and screen')")
    page.wait_for_url(re.compile(r"/batches/\d+$"))
    expect(page.locator("#job-status")).to_have_text("screened", timeout=60_000)
    expect(page.locator("#quarantine-link")).to_be_visible()
    page.click("button:has-text('Log out')")

    log_in(page, server, "fatou")
    page.select_option("select[name=list]", "sample_un")
    page.click("button:has-text('Filter')")
    page.wait_for_url(re.compile(r"list=sample_un"))
    rows = page.locator("#alert-queue tbody tr")
    expect(rows.first).to_contain_text("sample_un")
    for text in rows.all_inner_texts():
        assert "sample_un" in text
    page.screenshot(path=str(screenshots / "alert-queue.png"), full_page=True)

    page.click("#alert-queue a.subject >> nth=0")
    page.wait_for_url(re.compile(r"/alerts/\d+$"))
    expect(page.locator("#hits mark").first).to_be_visible()
    page.screenshot(path=str(screenshots / "alert-detail.png"), full_page=True)
    assert (screenshots / "alert-detail.png").stat().st_size > 10_000
    page.select_option("#close-form select[name=disposition]", "false_positive")
    page.fill("#close-form textarea[name=reason]", "Homonym: different birth year and nationality")
    page.click("#close-alert")
    expect(page.locator("#alert-status")).to_have_text("Closed")
    expect(page.locator("#close-reason")).to_have_text(
        "Homonym: different birth year and nationality")


def test_auditor_reads_but_cannot_change_anything(server: str, page: Any) -> None:
    log_in(page, server, "aminata")
    page.goto(f"{server}/batches")
    assert page.locator("input[type=file]").count() == 0
    page.goto(f"{server}/alerts?status=")
    assert page.locator("#take-next").count() == 0
    page.click("#alert-queue a.subject >> nth=0")
    page.wait_for_url(re.compile(r"/alerts/\d+$"))
    assert page.locator("#triage").count() == 0
    assert page.locator("#comments form").count() == 0
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(f"{page.url}/status", form={
        "csrf_token": token, "status": "closed", "version": "1",
        "disposition": "false_positive", "reason": "forged"})
    assert forged.status == 403


def test_french_from_the_login_page(server: str, page: Any) -> None:
    page.goto(f"{server}/login")
    page.click("button[name=lang][value=fr]")
    sync_api.expect(page.locator("h1")).to_have_text("Connexion")
    page.fill("input[name=username]", "fatou")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Se connecter')")
    page.wait_for_url(re.compile(r"/alerts"))
    sync_api.expect(page.locator("h1")).to_have_text("Alertes")
    assert untranslated(page.content(), "fr") == []
