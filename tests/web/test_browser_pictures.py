"""The pictures in a real Chromium: the alert detail's timeline and counterparty network and
the supervisors' dashboard render under the strict CSP (the ``page`` fixture fails on any
console error) and are saved as the README's screenshots ``alert-network.png`` and
``dashboard.png``. The store holds the sample batch, the activity batch of
``test_subject_activity`` and five re-issues of the sample, their alerts spread over twelve
weeks and mostly decided, as a supervisor's real quarter would look."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright import sync_api
from sqlalchemy import select, update

from aml_screen.store.base import utcnow
from aml_screen.store.models import Alert
from tests.store.samples import SAMPLE, load_sample
from tests.store.test_subject_activity import load_batch, write_activity_batch
from tests.web.browser import BROWSER_MARKS, log_in, serve_app
from tests.web.client import database

pytestmark = BROWSER_MARKS
REISSUES = 5
DISPOSITIONS = ["false_positive"] * 6 + ["not_suspicious"] * 3 + ["suspicious_reported"]


def _reissue(folder: Path, number: int) -> Path:
    """The sample batch sent again as another month's file: other transaction ids, a few
    rows missing, so its alerts are new ones."""
    rng = random.Random(number)
    header, *rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    kept = [row.replace("TX-2025-", f"TX-2025-R{number}-") for row in rows
            if rng.random() < 0.85]
    path = folder / f"sample_{number}.csv"
    path.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    return path


def _history(app: Flask) -> None:
    """Alerts created over the last twelve weeks; the older ones mostly closed, after a few
    hours to a few weeks."""
    rng = random.Random(26)
    now = utcnow()
    with database(app).transaction() as session:
        ids = list(session.scalars(select(Alert.id).order_by(Alert.id)))
        for alert_id in ids:
            created = now - timedelta(days=rng.uniform(0, 84))
            age = (now - created).days
            closing = age > 3 and rng.random() < 0.8
            delay = timedelta(hours=rng.uniform(2, min(age * 24 - 1, 24 * 21))) if closing else None
            session.execute(update(Alert).where(Alert.id == alert_id).values(
                created_at=created, status="closed" if closing else "new",
                disposition=rng.choice(DISPOSITIONS) if closing else None,
                close_reason="revue hebdomadaire" if closing else None,
                closed_at=created + delay if delay else None,
            ).execution_options(synchronize_session=False))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("pictures")

    def prepare(app: Flask) -> None:
        load_sample(database(app))
        load_batch(database(app), write_activity_batch(folder / "activity.csv"))
        for number in range(1, REISSUES + 1):
            load_batch(database(app), _reissue(folder, number))
        _history(app)
        with database(app).transaction() as session:
            session.execute(update(Alert).where(Alert.subject_id == "iyad ag ghaly")
                            .values(status="new", disposition=None, close_reason=None,
                                    closed_at=None)
                            .execution_options(synchronize_session=False))

    with serve_app(folder / "app", {"salif": "supervisor"}, prepare=prepare) as url:
        yield url


def _drawn(page: Any, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not rendered"
    assert box["width"] > 200
    assert box["height"] > 60


def test_alert_detail_draws_the_timeline_and_the_network(server: str, page: Any,
                                                         screenshots: Path) -> None:
    log_in(page, server, "salif")
    page.goto(f"{server}/alerts?status=&sort=-risk")
    page.click("#alert-queue a.subject:text-is('Iyad Ag Ghaly') >> nth=0")
    page.wait_for_url(re.compile(r"/alerts/\d+$"))
    _drawn(page, "svg#timeline")
    _drawn(page, "svg#network")
    assert page.locator("svg#timeline .highlight").count() >= 1
    assert page.locator("svg#network .counterparty").count() >= 8
    assert page.locator("svg#network .flagged").count() >= 1
    sync_api.expect(page.locator("#counterparties tbody tr").first).to_be_visible()
    page.locator("#activity").screenshot(path=str(screenshots / "alert-network.png"))
    assert (screenshots / "alert-network.png").stat().st_size > 10_000


def test_dashboard_draws_every_chart(server: str, page: Any, screenshots: Path) -> None:
    log_in(page, server, "salif")
    page.click("header.top nav a:text-is('Dashboard')")
    page.wait_for_url(re.compile(r"/dashboard$"))
    for chart in ("chart-created", "chart-closed", "chart-ttc", "chart-fp-rule",
                  "chart-fp-list"):
        _drawn(page, f"svg#{chart}")
    assert page.locator("svg#chart-created .bar").count() >= 10
    assert page.locator("svg#chart-ttc .point").count() >= 5
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)
    assert (screenshots / "dashboard.png").stat().st_size > 10_000
