"""The audit trail viewer: newest events first, filters, readable before/after, the chain's
status (checked on each visit for a small trail, on request for a big one; a tampered event
is named), and nothing on these pages changes the trail."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from aml_screen.store.accounts import get_user, set_role
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.models import Alert, AuditEvent, User
from aml_screen.store.triage import add_comment, assign, change_status
from tests.store.samples import add_user, load_sample
from tests.web.client import database, login, post, running_app

COMMENT = "محمد ولد أحمد : même date de naissance que l'entrée ONU, vérifié"


def _auditor(app: Flask, name: str = "aminata") -> FlaskClient:
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.get_data(as_text=True))


def _seqs(page: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr id="event-(\d+)">', page)]


def _actions(page: str) -> set[str]:
    """The action codes of the events listed (the filter's menu names every known one)."""
    return {line.split("<", 1)[0].strip() for line in page.split('class="mono action">')[1:]}


def _count(app: Flask) -> int:
    with database(app).transaction() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_events_are_shown_newest_first_with_an_intact_chain(app: Flask) -> None:
    client = _auditor(app)
    page = _page(client, "/audit")
    shown = _seqs(page)
    total = _count(app)
    assert shown == sorted(shown, reverse=True)
    assert shown[0] == total  # the auditor's own log-in, the newest event
    assert len(shown) == min(total, 50)
    assert f"audit trail intact: events #1 to #{total} verified" in page
    assert 'class="chain intact"' in page
    assert {"batch.loaded", "user.create"} <= _actions(page)


def test_pages_go_back_in_time(app: Flask) -> None:
    with database(app).transaction() as session:
        alert_ids = session.scalars(select(Alert.id)).all()
    client = app.test_client()
    login(client, "awa")
    for index in range(60):  # an analyst reading alerts: one event per view
        assert client.get(f"/alerts/{alert_ids[index % len(alert_ids)]}").status_code == 200
    auditor = _auditor(app)
    first = _seqs(_page(auditor, "/audit"))
    second_page = _page(auditor, "/audit?page=2")
    second = _seqs(second_page)
    assert len(first) == 50
    assert second
    assert max(second) == min(first) - 1
    assert 'rel="prev"' in second_page


def test_filters(app: Flask) -> None:
    with database(app).transaction() as session:
        set_role(session, "moussa", "supervisor", actor=get_user(session, "root"))
        set_role(session, "moussa", "investigator", actor=get_user(session, "root"))
        moussa_id = get_user(session, "moussa").id
    client = _auditor(app)
    by_root = _page(client, "/audit?actor=root&action=user.role")
    assert len(_seqs(by_root)) == 2
    assert "2 events" in by_root
    one_user = _page(client, f"/audit?object_type=user&object_id={moussa_id}")
    assert _actions(one_user) == {"user.create", "user.role"}
    assert _actions(_page(client, "/audit?action=auth.")) == {"auth.login"}
    today = utcnow().date()
    assert len(_seqs(_page(client, f"/audit?from={today}&to={today}"))) == min(_count(app), 50)
    yesterday = today - timedelta(days=1)
    assert _seqs(_page(client, f"/audit?to={yesterday}")) == []
    assert "No event matches these filters." in _page(client, f"/audit?to={yesterday}")
    wildcard = _page(client, "/audit?action=%25")  # a literal %, not a LIKE wildcard
    assert _seqs(wildcard) == []


def test_before_and_after_are_readable_and_unicode_kept(app: Flask) -> None:
    with database(app).transaction() as session:
        fatou = get_user(session, "fatou")
        alert_id = session.scalars(select(Alert.id).order_by(Alert.id)).first()
        assert alert_id is not None
        add_comment(session, alert_id, fatou, COMMENT)
        set_role(session, "awa", "auditor", actor=get_user(session, "root"))
        set_role(session, "awa", "analyst", actor=get_user(session, "root"))
    client = _auditor(app)
    comments = _page(client, "/audit?action=alert.comment")
    assert COMMENT in comments
    assert "\\u0645" not in comments  # not JSON-escaped
    roles = client.get("/audit?action=user.role&actor=root").get_data(as_text=True)
    assert ('<td class="before">analyst</td>\n      <td class="after">auditor</td>'
            in roles)


def test_the_event_page_shows_the_hashes(app: Flask) -> None:
    with database(app).transaction() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.seq == 2)).one()
        previous = session.scalars(select(AuditEvent).where(AuditEvent.seq == 1)).one()
    page = _page(_auditor(app), f"/audit/events/{event.id}")
    assert event.hash in page
    assert previous.hash in page
    assert "Audit event #2" in page


def test_a_big_trail_is_checked_only_on_request(app: Flask) -> None:
    client = _auditor(app)
    app.config["AUDIT_AUTO_VERIFY_LIMIT"] = 10
    try:
        page = _page(client, "/audit")
    finally:
        app.config.pop("AUDIT_AUTO_VERIFY_LIMIT")
    assert "its hash chain is checked on request" in page
    assert "audit trail intact" not in page
    assert 'id="verify-chain"' in page
    checked = _page(client, "/audit/chain")
    assert "audit trail intact: events #1 to #" in checked


def test_the_viewer_changes_nothing(app: Flask) -> None:
    client = _auditor(app)
    before = _count(app)
    for url in ("/audit", "/audit/chain", "/audit?action=user.", "/audit/events/1"):
        client.get(url)
    assert _count(app) == before
    assert post(client, "/audit", {}, page="/audit").status_code == 405


def test_in_french(app: Flask) -> None:
    add_user(database(app), "mariam", "auditor", language="fr")
    page = _page(_auditor(app, "mariam"), "/audit")
    assert "Piste d'audit" in page
    assert "piste d'audit intacte" in page
    assert "Avant" in page
    assert "Après" in page


def test_a_tampered_event_is_named(tmp_path: Path) -> None:
    with running_app(tmp_path) as tampered:
        db = database(tampered)
        add_user(db, "aminata", "auditor")
        add_user(db, "awa", "analyst")
        load_sample(db, uploader="awa")
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE audit_events SET actor_name = 'ibrahim' "
                                    "WHERE seq = 3"))
        with db.transaction() as session:
            edited = session.scalars(select(AuditEvent).where(AuditEvent.seq == 3)).one()
        client = _auditor(tampered)
        page = _page(client, "/audit")
        assert 'class="chain broken"' in page
        assert "audit trail broken at event #3" in page
        assert f'href="/audit/events/{edited.id}"' in page
        assert "audit trail broken at event #3" in _page(client, "/audit/chain")


def test_audit_diffs_name_the_users_they_refer_to(app: Flask) -> None:
    """An assignment shows who was assigned, not only a user id."""
    with database(app).transaction() as session:
        alert = session.scalars(select(Alert).order_by(Alert.id)).first()
        assert alert is not None
        salif = session.scalars(select(User).where(User.username == "salif")).one()
        moussa = session.scalars(select(User).where(User.username == "moussa")).one()
        assign(session, alert.id, salif, moussa, alert.version)
        moussa_id = moussa.id
    client = app.test_client()
    login(client, "aminata")
    page = client.get("/audit?action=alert.assign").get_data(as_text=True)
    assert f"moussa (#{moussa_id})" in page


def _french_auditor(app: Flask, name: str) -> FlaskClient:
    add_user(database(app), name, "auditor", language="fr")
    return _auditor(app, name)


def _row(page: str, field: str) -> tuple[str, str]:
    """The before and after cells of the changes row of ``field`` (its words)."""
    found = re.search(rf'<th scope="row">{re.escape(field)}</th>\s*<td class="before">(.*?)'
                      r'</td>\s*<td class="after">(.*?)</td>', page, re.S)
    assert found, field
    return found.group(1), found.group(2)


def test_an_event_reads_in_french_words(app: Flask) -> None:
    with database(app).transaction() as session:
        event_id = session.scalars(select(AuditEvent.id).where(
            AuditEvent.action == "user.create").order_by(AuditEvent.seq)).first()
    client = _french_auditor(app, "mariama")
    listed = _page(client, "/audit?action=user.create")
    assert "Utilisateur créé" in listed
    assert _row(listed, "Rôle")[1] in {"analyste", "enquêteur", "superviseur", "auditeur",
                                       "administrateur"}
    assert _row(listed, "Langue")[1] in {"English", "Français"}
    assert _row(listed, "Nom d'utilisateur")[1].startswith('<span class="mono">')
    page = _page(client, f"/audit/events/{event_id}")
    assert "Utilisateur créé" in page
    assert '<small class="mono action">user.create</small>' in page
    assert "<dd>Utilisateur " in page
    assert _row(page, "Rôle")


def test_a_status_change_shows_the_status_words(app: Flask) -> None:
    with database(app).transaction() as session:
        alert = session.scalars(select(Alert).where(Alert.status == "new")
                                .order_by(Alert.id.desc())).first()
        assert alert is not None
        change_status(session, alert.id, get_user(session, "fatou"), "in_review",
                      alert.version)
        alert_id = alert.id
    page = _page(_french_auditor(app, "mamadou"),
                 f"/audit?action=alert.in_review&object_id={alert_id}")
    assert "Alerte mise en examen" in page
    assert _row(page, "Statut") == ("Nouvelle", "En examen")
    assert _row(page, "Décision") == ("—", "—")


def test_a_user_id_is_shown_as_the_users_name_in_french(app: Flask) -> None:
    with database(app).transaction() as session:
        alert = session.scalars(select(Alert).order_by(Alert.id)).first()
        assert alert is not None
        moussa = get_user(session, "moussa")
        assign(session, alert.id, get_user(session, "salif"), moussa, alert.version)
        moussa_id, alert_id = moussa.id, alert.id
    page = _page(_french_auditor(app, "oumou"),
                 f"/audit?action=alert.assign&object_id={alert_id}")
    assert "Alerte assignée" in page
    assert _row(page, "Assignée à")[1] == f'<span class="mono">moussa (#{moussa_id})</span>'


def test_a_list_version_is_readable(app: Flask) -> None:
    with database(app).transaction() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "lists.changed").order_by(AuditEvent.seq)).first()
        assert event is not None
        assert event.after
    page = _page(_french_auditor(app, "hawa"), f"/audit/events/{event.id}")
    assert "Versions des listes modifiées" in page
    list_id, version = sorted(event.after.items())[0]
    cell = _row(page, f'<span class="mono">{list_id}</span>')[1]
    digest = version["sha256"]
    assert (f'Empreinte SHA-256 : <span class="mono" title="{digest}">{digest[:12]}…</span>'
            in cell)
    assert "Date de version : " in cell
    assert "{" not in cell
    assert "version_date" not in page


def test_an_unknown_code_is_shown_as_written(app: Flask) -> None:
    """An event an older version recorded, with codes the catalogue does not know."""
    with database(app).transaction() as session:
        event = record(session, None, "legacy.thing", "gadget", "7",
                       after={"odd_field": "some_code", "typology": "drug_trafficking"})
        event_id = event.id
    page = _page(_french_auditor(app, "fanta"), f"/audit/events/{event_id}")
    assert '<dd><span class="mono action">legacy.thing</span></dd>' in page
    assert '<dd><span class="mono">gadget</span> <span class="mono">7</span></dd>' in page
    assert _row(page, '<span class="mono">odd_field</span>')[1] == (
        '<span class="mono">some_code</span>')
    assert "drug_trafficking" not in page
