"""The administration pages: accounts managed from the browser (each change audited, the
last admin kept, sessions of disabled users and reset passwords refused at once), and the
read-only watchlists and rules pages."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from aml_screen.rules import load_rules
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.snapshots import rule_pack_digest
from aml_screen.store.accounts import disable_user
from aml_screen.store.audit import verify_chain
from aml_screen.store.models import AuditEvent, Batch, User
from tests.store.samples import PASSWORD, add_user, load_sample
from tests.web.browser import CHROMIUM, log_in, log_out, serve_app
from tests.web.client import database, login, post, running_app
from web.services import services

NEW_PASSWORD = "Tombouctou 1325 manuscrits"  # noqa: S105 (test account only)


def _admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, "root").status_code == 302
    return client


def _head(app: Flask) -> int:
    with database(app).transaction() as session:
        report = verify_chain(session)
    assert report.broken is None
    return report.head_seq


def _events_since(app: Flask, seq: int) -> list[tuple[str, str, str, Any, Any]]:
    """Events after ``seq`` except log-ins (each test client logs in); the chain verifies."""
    with database(app).transaction() as session:
        assert verify_chain(session).broken is None
        rows = session.execute(select(AuditEvent.actor_name, AuditEvent.action,
                                      AuditEvent.object_id, AuditEvent.before,
                                      AuditEvent.after)
                               .where(AuditEvent.seq > seq,
                                      AuditEvent.action.not_like("auth.%"))
                               .order_by(AuditEvent.seq)).all()
    return [tuple(row) for row in rows]


def _user(app: Flask, name: str) -> User:
    with database(app).transaction() as session:
        return session.scalars(select(User).where(User.username == name)).one()


def _text(response: Any) -> str:
    return unescape(response.get_data(as_text=True))


def test_the_users_page_lists_accounts_with_their_actions(app: Flask) -> None:
    page = _text(_admin(app).get("/admin/users"))
    for name in ("awa", "fatou", "moussa", "salif", "aminata", "root"):
        assert f'id="user-{name}"' in page
    assert page.count('name="csrf_token"') >= 2 * 6
    assert "Reset password" in page
    assert 'href="/admin/lists"' in page


def test_the_users_page_in_french(app: Flask) -> None:
    add_user(database(app), "aissa", "admin", language="fr")
    client = app.test_client()
    login(client, "aissa")
    page = _text(client.get("/admin/users"))
    assert "Comptes utilisateurs" in page
    assert "Réinitialiser le mot de passe" in page
    assert "enquêteur" in page
    with database(app).transaction() as session:
        disable_user(session, "aissa")  # root stays the only active admin of this module


def test_the_admin_menu_shows_only_to_admins(app: Flask) -> None:
    admin = _text(_admin(app).get("/alerts"))
    assert 'href="/admin/users"' in admin
    supervisor = app.test_client()
    login(supervisor, "salif")
    page = _text(supervisor.get("/alerts"))
    assert 'href="/admin/users"' not in page
    assert 'href="/admin/lists"' in page  # read-only lists and rules
    assert supervisor.get("/admin/users").status_code == 403


def test_creating_a_user(app: Flask) -> None:
    client = _admin(app)
    head = _head(app)
    response = post(client, "/admin/users", {
        "username": "hadiza", "role": "investigator", "language": "fr",
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page="/admin/users/new")
    assert response.status_code == 303
    assert "Account hadiza created." in _text(client.get("/admin/users"))
    hadiza = _user(app, "hadiza")
    assert (hadiza.role, hadiza.language, hadiza.active) == ("investigator", "fr", True)
    assert _events_since(app, head) == [
        ("root", "user.create", str(hadiza.id), None,
         {"username": "hadiza", "role": "investigator", "language": "fr"})]
    newcomer = app.test_client()
    assert login(newcomer, "hadiza", NEW_PASSWORD).status_code == 302
    assert "Alertes" in _text(newcomer.get("/alerts"))


def test_refused_creations_say_why_and_create_nothing(app: Flask) -> None:
    client = _admin(app)
    head = _head(app)
    cases = [
        ({"username": "kadidia", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"},
         "The two passwords are not the same."),
        ({"username": "kadidia", "password": "court", "confirm": "court"},
         "at least 12 characters"),
        ({"username": "kadidia", "password": "Unbelievable", "confirm": "Unbelievable"},
         "one of the most common"),
        ({"username": "<b>kadi</b>", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
         "<b>kadi</b>"),
        ({"username": "fatou", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
         "fatou"),
    ]
    for form, message in cases:
        response = post(client, "/admin/users", {"role": "analyst", "language": "en", **form},
                        page="/admin/users/new")
        assert response.status_code == 400
        assert message in _text(response)
        assert "<b>kadi</b>" not in response.get_data(as_text=True)  # escaped
    assert _events_since(app, head) == []
    with database(app).transaction() as session:
        assert session.scalar(select(User).where(User.username == "kadidia")) is None


def test_a_role_change_applies_at_the_next_request(app: Flask) -> None:
    add_user(database(app), "boubacar", "investigator")
    boubacar = app.test_client()
    login(boubacar, "boubacar")
    assert boubacar.get("/audit").status_code == 403
    head = _head(app)
    client = _admin(app)
    user_id = _user(app, "boubacar").id
    response = post(client, f"/admin/users/{user_id}/role", {"role": "auditor"},
                    page="/admin/users")
    assert response.status_code == 303
    assert "Role of boubacar saved." in _text(client.get("/admin/users"))
    assert _events_since(app, head) == [
        ("root", "user.role", str(user_id), {"role": "investigator"}, {"role": "auditor"})]
    assert boubacar.get("/audit").status_code == 200  # same session, new role


def test_the_last_admin_cannot_demote_or_disable_themself(app: Flask) -> None:
    client = _admin(app)
    root = _user(app, "root")
    with database(app).transaction() as session:
        others = session.scalars(select(User).where(User.role == "admin", User.active,
                                                    User.username != "root")).all()
        assert others == []
    head = _head(app)
    for path, data in (("role", {"role": "auditor"}), ("disable", {})):
        response = post(client, f"/admin/users/{root.id}/{path}", data, page="/admin/users")
        assert response.status_code == 303
        page = _text(client.get("/admin/users"))
        assert "root is the last active administrator" in page
    assert _events_since(app, head) == []
    assert (_user(app, "root").role, _user(app, "root").active) == ("admin", True)


def test_disabling_ends_the_session_at_once_and_enabling_allows_log_in(app: Flask) -> None:
    add_user(database(app), "zeinabou", "analyst")
    victim = app.test_client()
    login(victim, "zeinabou")
    assert victim.get("/batches").status_code == 200
    head = _head(app)
    client = _admin(app)
    user_id = _user(app, "zeinabou").id
    assert post(client, f"/admin/users/{user_id}/disable", page="/admin/users"
                ).status_code == 303
    assert victim.get("/batches").headers["Location"].startswith("/login")
    assert login(app.test_client(), "zeinabou").status_code == 401
    page = _text(client.get("/admin/users"))
    assert "zeinabou is disabled; their sessions are closed." in page
    assert re.search(r'id="user-zeinabou" class="inactive"', page)
    assert post(client, f"/admin/users/{user_id}/enable", page="/admin/users"
                ).status_code == 303
    assert login(app.test_client(), "zeinabou").status_code == 302
    assert _events_since(app, head) == [
        ("root", "user.disable", str(user_id), {"active": True},
         {"active": False, "sessions_ended": 1}),
        ("root", "user.enable", str(user_id), {"active": False}, {"active": True}),
    ]


def test_a_password_reset_ends_sessions_and_sets_the_new_password(app: Flask) -> None:
    add_user(database(app), "souleymane", "supervisor")
    victim = app.test_client()
    login(victim, "souleymane")
    client = _admin(app)
    user_id = _user(app, "souleymane").id
    form = _text(client.get(f"/admin/users/{user_id}/password"))
    assert "New password for souleymane" in form
    assert 'minlength="12"' in form
    head = _head(app)
    mismatch = post(client, f"/admin/users/{user_id}/password",
                    {"password": NEW_PASSWORD, "confirm": "something else"},
                    page="/admin/users")
    assert mismatch.status_code == 400
    assert _events_since(app, head) == []
    assert victim.get("/alerts").status_code == 200
    done = post(client, f"/admin/users/{user_id}/password",
                {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page="/admin/users")
    assert done.status_code == 303
    assert victim.get("/alerts").headers["Location"].startswith("/login")
    assert login(app.test_client(), "souleymane", PASSWORD).status_code == 401
    assert login(app.test_client(), "souleymane", NEW_PASSWORD).status_code == 302
    assert _events_since(app, head) == [
        ("root", "user.password", str(user_id), None, {"sessions_ended": 1})]


def test_an_unknown_user_is_404(app: Flask) -> None:
    client = _admin(app)
    assert client.get("/admin/users/999999/password").status_code == 404
    assert post(client, "/admin/users/999999/disable", page="/admin/users"
                ).status_code == 404


def test_the_lists_page_shows_sources_and_the_versions_screened(app: Flask) -> None:
    client = app.test_client()
    login(client, "aminata")  # auditors read it too
    response = client.get("/admin/lists")
    assert response.status_code == 200
    page = _text(response)
    with database(app).transaction() as session:
        batch = session.scalars(select(Batch).where(Batch.status == "done")).one()
    used = batch.list_versions or []
    assert {v["list_id"] for v in used} == {"sample_un", "sample_national"}
    for version in used:
        assert f'id="source-{version["list_id"]}"' in page
        assert page.count(version["sha256"]) == 2  # the bundled file, and the batch's use
    assert "screened" in page
    assert f"#{batch.id} {batch.file_name}" in page


def test_the_rules_page_shows_the_rules_and_the_digest_batches_record(app: Flask) -> None:
    client = app.test_client()
    login(client, "salif")
    page = _text(client.get("/admin/rules"))
    with app.app_context():
        configured = services().settings
    folder = configured_rules(configured)
    assert folder is not None
    digest = rule_pack_digest(folder, parameters_override(configured))
    rule_set = load_rules(folder, parameters_override(configured))
    assert f'id="rule-digest">{digest}<' in page
    assert f"valid: {len(rule_set.rules)} rules in {len(rule_set.files)} files" in page
    for rule in rule_set.rules:
        assert f">{rule.id}<" in page
    assert "Payment reason naming weapons or ammunition" in page
    assert "critical" in page
    assert "arms_trafficking" in page
    # The sample batch was loaded without a rule digest: the page says the rules differ.
    assert 'id="digest-changed"' in page


def test_the_rules_page_lists_every_problem_of_a_broken_rule_set(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text(
        "typology: corruption\nrules:\n  - id: BAD-01\n    title: {en: Bad, fr: Mauvaise}\n"
        "    severity: extreme\n    kind: transaction\n    condition: amount >\n",
        encoding="utf-8")
    with running_app(tmp_path / "app", rules_dir=rules,
                     rule_parameters_file=rules / "parameters.yaml") as broken:
        add_user(database(broken), "chef", "admin", language="fr")
        client = broken.test_client()
        login(client, "chef")
        page = _text(client.get("/admin/rules"))
    assert 'id="problems"' in page
    assert "BAD-01" in page
    assert "bad.yaml" in page
    assert re.search(r"\d+ problème\(s\) : les règles ne peuvent pas être chargées", page)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_in_a_browser_admin_creates_a_user_and_the_auditor_sees_it(
        tmp_path: Path, page: Any, screenshots: Path) -> None:
    """Real Chromium, strict CSP: no console error or policy violation on any page."""
    users = {"root": "admin", "aminata": "auditor"}
    with serve_app(tmp_path, users, prepare=lambda a: load_sample(database(a), "root")) \
            as server:
        log_in(page, server, "root")
        page.click("header nav a:has-text('Administration')")
        page.wait_for_url(re.compile(r"/admin/users$"))
        page.click("#new-user")
        page.fill("input[name=username]", "rahila")
        page.select_option("select[name=role]", "investigator")
        page.select_option("select[name=language]", "fr")
        page.fill("input[name=password]", NEW_PASSWORD)
        page.fill("input[name=confirm]", NEW_PASSWORD)
        page.click("#new-user-form button[type=submit]")
        page.wait_for_url(re.compile(r"/admin/users$"))
        assert "Account rahila created." in page.inner_text(".flashes")
        page.select_option("#user-rahila select[name=role]", "supervisor")
        page.click("#user-rahila .role-form button")
        page.wait_for_url(re.compile(r"/admin/users$"))
        assert "Role of rahila saved." in page.inner_text(".flashes")
        page.screenshot(path=str(screenshots / "admin-users.png"), full_page=True)
        page.click("nav.tabs a:text-is('Rules')")
        assert page.inner_text("#validation").startswith("valid:")
        page.click("nav.tabs a:text-is('Watchlists')")
        assert page.locator("#source-sample_un").count() == 1
        log_out(page)
        log_in(page, server, "aminata")
        page.goto(f"{server}/audit?action=user.")
        assert "audit trail intact" in page.inner_text("#chain-status")
        newest = page.locator("#audit-events tbody tr").first
        assert "user.role" in newest.inner_text()
        assert "investigator" in newest.locator("td.before").inner_text()
        assert "supervisor" in newest.locator("td.after").inner_text()
        page.screenshot(path=str(screenshots / "audit-trail.png"), full_page=True)
