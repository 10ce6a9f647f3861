"""In a real Chromium: an alert with fifty transactions on one listed entry shows one card,
and the decision panel is on screen when the page opens and stays there while the
investigator scrolls through the evidence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.store.models import Alert
from tests.store.test_subject_activity import SUBJECT, load_batch, write_activity_batch
from tests.web.browser import BROWSER_MARKS, log_in, serve_app
from tests.web.client import database

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    folder = tmp_path_factory.mktemp("busy-alert")
    found: list[int] = []

    def prepare(app: Flask) -> None:
        batch_id = load_batch(database(app), write_activity_batch(folder / "busy.csv", 50))
        with database(app).transaction() as session:
            found.append(session.scalars(select(Alert.id).where(
                Alert.batch_id == batch_id, Alert.subject_type == "party",
                Alert.subject_name == SUBJECT)).one())

    with serve_app(folder, {"fatou": "investigator"}, prepare) as url:
        yield url, found[0]


def _on_screen(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] < height and box["y"] + min(box["height"], 40) > 0


def test_one_card_and_the_decision_panel_always_in_reach(
        server: tuple[str, int], page: Any, screenshots: Path) -> None:
    url, alert_id = server
    log_in(page, url, "fatou")
    page.goto(f"{url}/alerts/{alert_id}")
    assert page.locator("#hits article.hit").count() == 1
    assert "50 transactions" in page.locator("#hits article.hit h3").inner_text()
    assert _on_screen(page, "#triage")
    assert _on_screen(page, "#close-alert")
    page.screenshot(path=str(screenshots / "alert-busy.png"), full_page=False)
    page.locator("#rule-hits").scroll_into_view_if_needed()
    page.mouse.wheel(0, 20_000)
    assert page.evaluate("window.scrollY") > 500
    assert _on_screen(page, "#triage")
