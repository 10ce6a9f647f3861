"""Search and the subject profile in a real Chromium: the header's search box finds one
person written two ways by two banks, the profile shows both spellings and why they are one,
its transaction filter works, and a counterparty leads to its own profile. Saves the
README's profile screenshot."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright import sync_api

from aml_screen.store.loading import load_run, register_batch
from aml_screen.watchlists.loader import load_watchlists
from tests.cli.test_subjects_cli import BANK_A, BANK_B, HEADER
from tests.store.samples import repo_settings, screened
from tests.web.browser import BROWSER_MARKS, log_in, serve_app
from tests.web.client import database

pytestmark = BROWSER_MARKS


BANK_C = HEADER + (
    "C-201,2026-05-02 10:00:00,2400000,XOF,Sahel Négoce SARL,ML9900100200300999,ML,"
    "Oumar Sow,SN1200100200300123,SN,wire,fournisseur\n")
"""The first bank's counterparty of Iyad Ag Ghali pays on: a second hop for the chart."""


def _load_two_banks(app: Flask, folder: Path) -> None:
    settings = repo_settings()
    lists = load_watchlists(list(settings.default_watchlists), settings)
    for name, content in (("bank_a.csv", BANK_A), ("bank_b.csv", BANK_B),
                          ("bank_c.csv", BANK_C)):
        path = folder / name
        path.write_text(content, encoding="utf-8")
        run = screened(path, settings, lists)
        with database(app).transaction() as session:
            batch, _ = register_batch(session, name, run.sha256, path.stat().st_size, None)
            load_run(session, batch, run.run, run.entries)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-subjects")
    with serve_app(folder, {"fatou": "investigator", "awa": "analyst"},
                   prepare=lambda app: _load_two_banks(app, folder)) as url:
        yield url


def test_search_profile_filter_and_counterparty(server: str, page: Any,
                                                screenshots: Path) -> None:
    expect = sync_api.expect
    log_in(page, server, "fatou")
    page.fill("header input[name=q]", "IYAD AG GALY")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    expect(page.locator("#search-results tbody tr")).to_have_count(1)
    expect(page.locator("#search-results tbody tr")).to_contain_text("IYAD AG GALI")
    expect(page.locator("#search-results tbody tr")).to_contain_text("Iyad Ag Ghaly")
    page.click("#search-results a")
    page.wait_for_url(re.compile(r"/subjects/S[0-9a-f]{16}$"))
    expect(page.locator("#subject-names")).to_contain_text("bank_a.csv")
    expect(page.locator("#subject-names")).to_contain_text("bank_b.csv")
    expect(page.locator("#subject-links")).to_contain_text("Same account (ML1200100200300400)")
    expect(page.locator("#subject-totals")).to_contain_text("6,500,000")
    expect(page.locator("#subject-money svg")).to_have_count(1)
    page.screenshot(path=str(screenshots / "subject-profile.png"), full_page=True)
    assert (screenshots / "subject-profile.png").stat().st_size > 10_000

    page.fill("#subject-transactions input[name=from]", "2026-04-01")
    page.click("#subject-transactions button:has-text('Show')")
    page.wait_for_url(re.compile(r"from=2026-04-01"))
    expect(page.locator("#subject-activity tbody tr")).to_have_count(1)
    expect(page.locator("#subject-activity")).to_contain_text("B-101")

    page.click("#subject-counterparties a:has-text('Sahel Négoce SARL')")
    page.wait_for_url(re.compile(r"/subjects/S[0-9a-f]{16}$"))
    expect(page.locator("h1")).to_contain_text("Sahel Négoce SARL")
    expect(page.locator("#subject-totals")).to_contain_text("2,500,000")


def test_the_link_chart_draws_and_expands_on_click(server: str, page: Any,
                                                   screenshots: Path) -> None:
    expect = sync_api.expect
    log_in(page, server, "fatou")
    page.goto(f"{server}/search?q=Iyad+Ag+Ghali")
    page.click("#search-results a")
    page.click("#graph-link")
    page.wait_for_url(re.compile(r"/graph$"))
    page.select_option("#graph-filters select[name=hops]", "1")
    page.click("#graph-filters button")
    page.wait_for_url(re.compile(r"hops=1"))
    graph = page.locator("#graph")
    expect(graph).to_have_attribute("data-nodes", "3")  # Iyad and his two payees
    expect(graph).to_have_attribute("data-edges", "2")
    x, y, node = page.evaluate("""() => {
        const box = document.getElementById('graph');
        const cy = box.cytoscape;
        const sahel = cy.nodes().filter(n => n.data('label') === 'Sahel Négoce SARL')[0];
        const at = sahel.renderedPosition(), frame = box.getBoundingClientRect();
        return [frame.x + at.x, frame.y + at.y, sahel.id()];
    }""")
    page.mouse.click(x, y)
    expect(graph).to_have_attribute("data-expanded-node", node)
    expect(graph).to_have_attribute("data-nodes", "4")  # Oumar Sow, paid by Sahel Négoce
    expect(page.locator("#graph-status")).to_contain_text("Sahel Négoce SARL")
    page.screenshot(path=str(screenshots / "subject-graph.png"), full_page=True)


def test_an_upload_with_three_spellings_of_one_listed_person_makes_one_alert(
        server: str, page: Any, tmp_path: Path) -> None:
    """The issue's first complaint: one listed person written three ways in one batch
    was three alerts to open and close one by one. Uploaded through the page, they are one
    alert holding every spelling."""
    expect = sync_api.expect
    batch = tmp_path / "one_bank_three_spellings.csv"
    batch.write_text(HEADER + (
        "V-1,2026-06-02 10:00:00,2500000,XOF,Iyad Ag Ghaly,ML1200100200300777,ML,"
        "Sahel Négoce SARL,ML9900100200300999,ML,wire,marchandises\n"
        "V-2,2026-06-09 10:00:00,3100000,XOF,IYAD AG GALI,ML1200100200300777,ML,"
        "Transports Niamey Express SA,NE5500100200300555,NE,wire,transport\n"
        "V-3,2026-06-10 10:00:00,1800000,XOF,GHALI IYAD AG,ML1200100200300777,ML,"
        "Awa Sangaré,BF4400100200300422,BF,wire,famille\n"), encoding="utf-8")
    log_in(page, server, "awa")
    page.goto(f"{server}/batches")
    page.set_input_files("input[name=batch]", str(batch))
    page.click("button:has-text('Upload and screen')")
    page.wait_for_url(re.compile(r"/batches/\d+$"))
    expect(page.locator("#job-status")).to_have_text("screened", timeout=60_000)
    batch_id = page.url.rsplit("/", 1)[1]
    page.click("button:has-text('Log out')")

    log_in(page, server, "fatou")
    page.goto(f"{server}/alerts?status=&batch={batch_id}")
    rows = page.locator("#alert-queue tbody tr", has_text=re.compile("iyad", re.I))
    expect(rows).to_have_count(1)
    rows.locator("a.subject").click()
    page.wait_for_url(re.compile(r"/alerts/\d+$"))
    for spelling in ("Iyad Ag Ghaly", "IYAD AG GALI", "GHALI IYAD AG"):
        expect(page.locator("#hits")).to_contain_text(spelling)
    expect(page.locator("#alert-subjects")).to_contain_text("Iyad Ag Ghaly")
