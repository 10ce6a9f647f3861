"""A case in a real Chromium: investigator fatou opens an alert, builds a case from it and
prepares a seizure evidence package; supervisor salif approves it; the ZIP is downloaded and
its manifest verified. Saves the README's case screenshot."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright import sync_api

from aml_screen.evidence import verify_package
from tests.store.samples import load_sample
from tests.web.browser import BROWSER_MARKS, log_in, log_out, serve_app
from tests.web.client import database

pytestmark = BROWSER_MARKS


def _load_sample(app: Flask) -> None:
    load_sample(database(app), "awa")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_app(tmp_path_factory.mktemp("browser-cases"),
                   {"awa": "analyst", "fatou": "investigator", "salif": "supervisor"},
                   prepare=_load_sample) as url:
        yield url


def test_case_package_prepared_approved_downloaded_and_verified(
        server: str, page: Any, screenshots: Path) -> None:
    expect = sync_api.expect
    log_in(page, server, "fatou")
    page.goto(f"{server}/alerts?status=")
    page.click("#alert-queue a.subject:has-text('Abdelkader Ben Hamouda')")
    page.wait_for_url(re.compile(r"/alerts/\d+$"))
    page.fill("#open-case-form input[name=title]", "Financement présumé — Ben Hamouda")
    page.click("#open-case")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    expect(page.locator("#case-title")).to_have_text("Financement présumé — Ben Hamouda")
    page.fill("#edit-form textarea[name=narrative]",
              "Achat d'or payé à Salamata Compaoré ; compte ouvert au Sénégal.")
    page.click("#save-case")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    page.fill("#note-form textarea[name=body]", "Demande d'informations envoyée à la banque.")
    page.click("#add-note")
    page.wait_for_url(re.compile(r"/cases/\d+#notes$"))
    page.click("#prepare-package")
    page.wait_for_url(re.compile(r"/cases/\d+#packages$"))
    expect(page.locator("#package-list tbody tr").first).to_contain_text("prepared")
    log_out(page)

    log_in(page, server, "salif")
    page.goto(case_url)
    page.click("#package-list button.approve")
    page.wait_for_url(re.compile(r"/cases/\d+#packages$"))
    row = page.locator("#package-list tbody tr").first
    expect(row).to_contain_text("approved")
    expect(row).to_contain_text("salif")
    digest = row.locator(".sha").inner_text().strip()
    page.screenshot(path=str(screenshots / "case-detail.png"), full_page=True)
    assert (screenshots / "case-detail.png").stat().st_size > 10_000

    with page.expect_download() as info:
        row.locator("a.download").click()
    content = Path(info.value.path()).read_bytes()
    report = verify_package(content)
    assert report.ok, report
    assert report.sha256 == digest
    assert info.value.suggested_filename.endswith(".zip")
