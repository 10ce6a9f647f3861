"""The exemption flow in the web app: remembered from an alert's hit by an investigator,
approved by a supervisor who is not the proposer, listed, filtered, revoked; names
escaped; an analyst does not see the section."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright import sync_api
from sqlalchemy import select

from aml_screen.store.models import AuditEvent, Exemption, Hit, User
from tests.store.samples import SAMPLE, add_user, close_as_false_positive
from tests.web.browser import BROWSER_MARKS, log_in, log_out, serve_app
from tests.web.client import database, login, post


def _client(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _hit(app: Flask, party: str, judged: bool = True) -> tuple[int, int]:
    """The first hit on ``party``, its alert closed as a false positive (``judged``)."""
    with database(app).transaction() as session:
        hit = session.scalars(select(Hit).where(Hit.party_name == party)
                              .order_by(Hit.id)).first()
        assert hit is not None
        if judged:
            fatou = session.scalars(select(User).where(User.username == "fatou")).one()
            close_as_false_positive(session, hit.id, fatou)
        return hit.id, hit.alert_id


def _exemption(app: Flask, hit_party: str) -> Exemption:
    with database(app).transaction() as session:
        found = session.scalars(select(Exemption).where(Exemption.party_name == hit_party)
                                .order_by(Exemption.id.desc())).first()
        assert found is not None
        session.expunge(found)
        return found


def test_investigator_proposes_and_another_supervisor_approves(app: Flask) -> None:
    hit_id, alert_id = _hit(app, "Amadou Kouffa")
    fatou = _client(app, "fatou")
    page = fatou.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "Remember as false positive" in page
    assert f'name="hit_id" value="{hit_id}"' in page
    response = post(fatou, "/exemptions/propose",
                    {"hit_id": str(hit_id), "reason": "Homonyme <b>éleveur</b> à Mopti",
                     "expires_on": "2099-01-01"}, page=f"/alerts/{alert_id}")
    assert response.status_code == 400  # more than three years ahead
    assert "no later than" in response.get_data(as_text=True)
    response = post(fatou, "/exemptions/propose",
                    {"hit_id": str(hit_id), "reason": "Homonyme <b>éleveur</b> à Mopti"},
                    page=f"/alerts/{alert_id}", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Exemption proposed" in page
    assert 'class="status proposed"' in page
    assert f'name="hit_id" value="{hit_id}"' not in page  # proposed once, not twice
    exemption = _exemption(app, "Amadou Kouffa")
    assert (exemption.status, exemption.reason) == ("proposed", "Homonyme <b>éleveur</b> à Mopti")
    detail = fatou.get(f"/exemptions/{exemption.id}").get_data(as_text=True)
    assert "Homonyme &lt;b&gt;éleveur&lt;/b&gt; à Mopti" in detail
    assert 'id="approve"' not in detail  # an investigator does not decide
    assert post(fatou, f"/exemptions/{exemption.id}/approve",
                {"version": str(exemption.version)}, page="/exemptions").status_code == 403
    salif = _client(app, "salif")
    assert 'id="approve"' in salif.get(f"/exemptions/{exemption.id}").get_data(as_text=True)
    response = post(salif, f"/exemptions/{exemption.id}/approve",
                    {"version": str(exemption.version)}, page="/exemptions",
                    follow_redirects=True)
    assert "Exemption approved" in response.get_data(as_text=True)
    assert _exemption(app, "Amadou Kouffa").status == "active"
    listing = salif.get("/exemptions?status=active").get_data(as_text=True)
    assert "Amadou Kouffa" in listing
    assert "Amadou Kouffa" not in salif.get("/exemptions?status=rejected").get_data(
        as_text=True)
    # the default expiry (a year) is not "expiring soon"
    assert "Amadou Kouffa" not in salif.get("/exemptions?soon=1").get_data(as_text=True)


def test_a_supervisor_cannot_approve_their_own_proposal(app: Flask) -> None:
    add_user(database(app), "ibrahim", "supervisor")
    hit_id, alert_id = _hit(app, "Iyad Ag Ghaly")
    salif = _client(app, "salif")
    post(salif, "/exemptions/propose", {"hit_id": str(hit_id), "reason": "Client connu",
                                        "expires_on": ""}, page=f"/alerts/{alert_id}")
    exemption = _exemption(app, "Iyad Ag Ghaly")
    page = salif.get(f"/exemptions/{exemption.id}").get_data(as_text=True)
    assert 'id="four-eyes-hint"' in page
    assert 'id="approve"' not in page
    response = post(salif, f"/exemptions/{exemption.id}/approve",
                    {"version": str(exemption.version)}, page="/exemptions")
    assert response.status_code == 403
    assert "another supervisor must decide it" in response.get_data(as_text=True)
    ibrahim = _client(app, "ibrahim")
    post(ibrahim, f"/exemptions/{exemption.id}/reject", {"version": str(exemption.version)},
         page="/exemptions")
    rejected = _exemption(app, "Iyad Ag Ghaly")
    assert (rejected.status, rejected.decided_by_id is not None) == ("rejected", True)
    stale = post(ibrahim, f"/exemptions/{exemption.id}/revoke",
                 {"version": str(exemption.version)}, page="/exemptions")
    assert stale.status_code == 409


def test_revoke_is_audited_and_the_pair_can_be_proposed_again(app: Flask) -> None:
    hit_id, alert_id = _hit(app, "Ets Ansar Dine")
    fatou = _client(app, "fatou")
    post(fatou, "/exemptions/propose", {"hit_id": str(hit_id), "reason": "Nom commercial"},
         page=f"/alerts/{alert_id}")
    salif = _client(app, "salif")
    exemption = _exemption(app, "Ets Ansar Dine")
    post(salif, f"/exemptions/{exemption.id}/approve", {"version": str(exemption.version)},
         page="/exemptions")
    active = _exemption(app, "Ets Ansar Dine")
    post(salif, f"/exemptions/{exemption.id}/revoke", {"version": str(active.version)},
         page="/exemptions")
    assert _exemption(app, "Ets Ansar Dine").status == "revoked"
    with database(app).transaction() as session:
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "exemption",
            AuditEvent.object_id == str(exemption.id)).order_by(AuditEvent.seq)).all()
    assert actions == ["exemption.propose", "exemption.approve", "exemption.revoke"]
    page = fatou.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "revoked" in page
    assert re.search(r'name="hit_id" value="\d+"', page)  # may be remembered again


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_hit_of_an_alert_still_new_is_not_exempted(app: Flask, lang: str) -> None:
    hit_id, alert_id = _hit(app, "BELMOKHTAR Mokhtar", judged=False)
    fatou = _client(app, "fatou")
    post(fatou, "/language", {"lang": lang}, page=f"/alerts/{alert_id}")
    page = fatou.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert f'name="hit_id" value="{hit_id}"' not in page
    assert {"en": "Close this alert as a false positive",
            "fr": "Clôturez cette alerte comme faux positif"}[lang] in page
    response = post(fatou, "/exemptions/propose", {"hit_id": str(hit_id), "reason": "Homonyme"},
                    page=f"/alerts/{alert_id}")
    assert response.status_code == 400
    assert {"en": f"alert #{alert_id} is not: close it as a false positive first",
            "fr": f"l'alerte n° {alert_id} ne l'est pas"}[lang] in unescape(
                response.get_data(as_text=True))
    with database(app).transaction() as session:
        assert session.scalars(select(Exemption).where(
            Exemption.party_name == "BELMOKHTAR Mokhtar")).first() is None


def test_the_section_in_french_and_hidden_from_analysts(app: Flask) -> None:
    add_user(database(app), "mariam", "investigator", language="fr")
    _, alert_id = _hit(app, "Boubacar Hama Djibrila")
    page = _client(app, "mariam").get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "Mémoriser comme faux positif" in page
    assert "Décisions mémorisées" in page
    analyst = _client(app, "awa").get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert 'id="exemptions"' not in analyst
    auditor = _client(app, "aminata").get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert 'id="exemptions"' in auditor
    assert "Remember as false positive" not in auditor


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_app(tmp_path_factory.mktemp("browser-exemptions"),
                   {"fatou": "investigator", "salif": "supervisor"}) as url:
        yield url


class TestInBrowser:
    pytestmark = BROWSER_MARKS

    def test_remember_approve_and_rescreen(self, server: str, page: Any) -> None:
        expect = sync_api.expect
        log_in(page, server, "salif")
        page.goto(f"{server}/batches")
        page.set_input_files("input[name=batch]", str(SAMPLE))
        page.click("button:has-text('Upload and screen')")
        page.wait_for_url(re.compile(r"/batches/\d+$"))
        batch_url = page.url
        expect(page.locator("#job-status")).to_have_text("screened", timeout=60_000)
        expect(page.locator("#exempt-hits")).to_contain_text("0")
        log_out(page)

        log_in(page, server, "fatou")
        page.goto(f"{server}/alerts")
        page.click("#alert-queue a.subject:has-text('Kouffa')")
        page.wait_for_url(re.compile(r"/alerts/\d+$"))
        page.select_option("#close-form select[name=disposition]", "false_positive")
        page.fill("#close-form textarea[name=reason]", "Homonyme : éleveur de Mopti, vérifié")
        page.click("#close-alert")
        expect(page.locator("#alert-status")).to_have_text("Closed")
        form = page.locator("#exemptions form.exemption-form").first
        form.locator("textarea[name=reason]").fill("Homonyme : éleveur de Mopti, vérifié")
        form.locator("button").click()
        expect(page.locator("#exemptions .exemption-status").first).to_contain_text("proposed")
        log_out(page)

        log_in(page, server, "salif")
        page.goto(f"{server}/exemptions?status=proposed")
        page.click("#exemptions-table a >> nth=0")
        page.click("#approve")
        expect(page.locator("#exemption-status")).to_have_text("active")
        page.goto(batch_url)
        page.click("#rescreen")
        expect(page.locator("#rescreen-table tbody tr").first).to_contain_text(
            "done", timeout=60_000)
