"""Shared pieces of the browser tests: the app served by waitress with the embedded job
worker (as ``aml-screen serve`` runs it), Debian's Chromium driven by Playwright, and
logging in. The fixtures (``browser``, ``page``, ``screenshots``) are made available to every
module under ``tests/web`` by its conftest; a browser test module sets
``pytestmark = BROWSER_MARKS`` and builds its server with ``serve_app``."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import waitress
from flask import Flask
from waitress import wasyncore

from aml_screen.jobs import InProcessWorker
from tests.store.samples import PASSWORD, REPO, add_user
from tests.web.client import database, running_app
from web.services import EXTENSION

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@contextmanager
def serve_app(folder: Path, users: dict[str, str],
              prepare: Callable[[Flask], None] | None = None, **settings: Any) -> Iterator[str]:
    """The app on a private database with ``users`` (name → role), served on a free port;
    ``prepare(app)`` runs before serving (e.g. to load a batch); ``settings`` override the
    repository's; yields the base URL."""
    with running_app(folder, **settings) as app:
        app.config["JOBS_IMMEDIATE"] = False
        db = database(app)
        for name, role in users.items():
            add_user(db, name, role)
        if prepare is not None:
            prepare(app)
        jobs = app.extensions[EXTENSION].jobs
        worker = InProcessWorker(jobs, poll_seconds=0.1).start()
        httpd: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=httpd.run, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.effective_port}"
        finally:
            # Closed from the server's own loop (closing its sockets from this thread raced
            # the loop's select: EBADF in the server thread, a teardown error now and then).
            httpd.trigger.pull_trigger(lambda: wasyncore.close_all(httpd._map))
            thread.join(10)
            assert not thread.is_alive(), "the test server did not stop"
            httpd.task_dispatcher.shutdown()
            worker.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab; the test fails if the page logged a script error or a CSP violation."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    try:
        yield tab
    finally:
        context.close()
    assert problems == [], problems


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the pictures go: ``AML_SCREEN_SCREENSHOTS`` (``make screenshots`` sets it to the
    README's docs/screenshots), else a temporary folder, so a test run leaves the tree clean."""
    folder = os.environ.get("AML_SCREEN_SCREENSHOTS")
    path = REPO / folder if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_in(page: Any, server: str, user: str) -> None:
    page.goto(f"{server}/alerts")
    assert "/login" in page.url
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_url(re.compile(r"/alerts"))


def log_out(page: Any) -> None:
    page.click("button:has-text('Log out')")
    page.wait_for_url(re.compile(r"/login"))
