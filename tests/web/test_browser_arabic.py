"""Arabic in a real Chromium: chosen on the log-in page, every page laid out right to left
(the brand on the right, the user's name on the left), the queue and an alert in Arabic with
no English message, raw key or code in what Chromium rendered, a name written in Arabic
script shown as written. Saves the README's Arabic screenshots."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright import sync_api

from aml_screen.i18n import translate
from tests.store.samples import PASSWORD, load_sample
from tests.store.test_subject_activity import HEADER, load_batch
from tests.web.browser import BROWSER_MARKS, serve_app
from tests.web.client import database
from tests.web.translation_check import untranslated

pytestmark = BROWSER_MARKS
ARABIC_NAME = "إياد أغ غالي"
"""The listed Iyad Ag Ghali as an Arabic-script bank would write him."""


def _arabic_batch(folder: Path) -> Path:
    path = folder / "arabic.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow(["AR-1", "2026-05-02 10:00:00", "4500000", "XOF", ARABIC_NAME,
                         "TD1200100200300777", "TD", "Mahamat Abakar", "TD5500100200300888",
                         "TD", "wire", "تحويل"])
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("arabic")

    def prepare(app: Flask) -> None:
        load_sample(database(app))
        load_batch(database(app), _arabic_batch(folder))

    with serve_app(folder, {"halime": "investigator"}, prepare) as url:
        yield url


def _x(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["x"]) + float(box["width"]) / 2


def test_arabic_pages_read_right_to_left(server: str, page: Any, screenshots: Path) -> None:
    expect = sync_api.expect
    page.goto(f"{server}/login")
    page.click("button[name=lang][value=ar]")
    expect(page.locator("h1")).to_have_text(translate("web.login.title", "ar"))
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    page.fill("input[name=username]", "halime")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/alerts"))
    expect(page.locator("h1")).to_have_text(translate("web.nav.alerts", "ar"))
    assert page.get_attribute("html", "dir") == "rtl"
    width = page.viewport_size["width"]
    assert _x(page, "header.top .brand") > width / 2  # mirrored: the brand on the right
    assert _x(page, "header.top .who") < _x(page, "header.top nav")
    assert untranslated(page.content(), "ar") == []
    page.screenshot(path=str(screenshots / "alert-queue-ar.png"), full_page=False)

    page.click(f"table a:has-text('{ARABIC_NAME}')")
    page.wait_for_url(re.compile(r"/alerts/\d+$"))
    expect(page.locator("h1")).to_contain_text(ARABIC_NAME)
    expect(page.locator("#triage")).to_be_in_viewport()
    assert page.get_attribute("html", "dir") == "rtl"
    assert untranslated(page.content(), "ar") == []
    page.screenshot(path=str(screenshots / "alert-detail-ar.png"), full_page=False)
