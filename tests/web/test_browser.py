"""The main flows in a real Chromium (Debian's ``chromium``, driven by Playwright): log in,
upload a batch, watch the job finish, filter the queue, open an alert, close it with a
reason; an auditor cannot change anything. Saves the README's screenshots."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import waitress

from aml_screen.jobs import InProcessWorker
from tests.store.samples import PASSWORD, REPO, SAMPLE, add_user
from tests.web.client import database, running_app
from web.services import EXTENSION

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on waitress with the embedded job worker, as ``aml-screen serve`` runs it."""
    with running_app(tmp_path_factory.mktemp("browser")) as app:
        app.config["JOBS_IMMEDIATE"] = False
        db = database(app)
        for name, role in (("awa", "analyst"), ("fatou", "investigator"),
                           ("aminata", "auditor")):
            add_user(db, name, role)
        jobs = app.extensions[EXTENSION].jobs
        worker = InProcessWorker(jobs, poll_seconds=0.1).start()
        httpd: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=httpd.run, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.effective_port}"
        finally:
            httpd.close()
            httpd.task_dispatcher.shutdown()
            worker.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    try:
        yield tab
    finally:
        context.close()
    assert problems == []  # no CSP violation, no script error


def _log_in(page: Any, server: str, user: str) -> None:
    page.goto(f"{server}/alerts")
    assert "/login" in page.url
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_url(re.compile(r"/alerts"))


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the pictures go: ``AML_SCREEN_SCREENSHOTS`` (``make screenshots`` sets it to the
    README's docs/screenshots), else a temporary folder, so a test run leaves the tree clean."""
    folder = os.environ.get("AML_SCREEN_SCREENSHOTS")
    return REPO / folder if folder else tmp_path_factory.mktemp("screenshots")


def test_upload_triage_and_close(server: str, page: Any, screenshots: Path) -> None:
    expect = sync_api.expect
    _log_in(page, server, "awa")
    page.goto(f"{server}/batches")
    page.set_input_files("input[name=batch]", str(SAMPLE))
    page.click("button:has-text('Upload and screen')")
    page.wait_for_url(re.compile(r"/batches/\d+$"))
    expect(page.locator("#job-status")).to_have_text("screened", timeout=60_000)
    expect(page.locator("#quarantine-link")).to_be_visible()
    page.click("button:has-text('Log out')")

    _log_in(page, server, "fatou")
    page.select_option("select[name=list]", "sample_un")
    page.click("button:has-text('Filter')")
    page.wait_for_url(re.compile(r"list=sample_un"))
    rows = page.locator("#alert-queue tbody tr")
    expect(rows.first).to_contain_text("sample_un")
    for text in rows.all_inner_texts():
        assert "sample_un" in text
    screenshots.mkdir(parents=True, exist_ok=True)
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
    _log_in(page, server, "aminata")
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
