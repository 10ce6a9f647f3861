"""``aml-screen tokens``: create prints the secret once (alone on stdout), list never shows
it, revoke refuses it from then on; every change is audited and the chain verifies."""

from __future__ import annotations

import json

from sqlalchemy import select

from aml_screen.store import open_database
from aml_screen.store.api_tokens import authenticate_token
from aml_screen.store.audit import verify_chain
from aml_screen.store.models import AuditEvent
from tests.cli.store_cli import run_on_store

PASSWORD = "sable du Ténéré 2026"  # noqa: S105 (test accounts only)


def _user(url: str, name: str, role: str) -> None:
    code, out, err = run_on_store(url, "users", "create", name, "--role", role,
                                  "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, out + err


def _holder(url: str, secret: str) -> object:
    database = open_database(url)
    try:
        with database.transaction() as session:
            return authenticate_token(session, secret)
    finally:
        database.dispose()


def test_create_prints_the_token_once_and_list_never_shows_it(url: str) -> None:
    _user(url, "fatou", "investigator")
    code, out, err = run_on_store(url, "tokens", "create", "case files", "--user", "fatou",
                                  "--scope", "read,triage", "--expires", "30")
    assert code == 0, err
    secret = out.strip()
    assert secret.startswith("amls_")
    assert "\n" not in secret
    assert "fatou" in err
    assert "read, triage" in err
    assert _holder(url, secret) is not None
    code, listed, _ = run_on_store(url, "tokens", "list")
    assert code == 0
    assert secret not in listed
    header, row = listed.splitlines()
    assert header.split()[:3] == ["id", "name", "user"]
    assert "case files" in row
    assert "read,triage" in row
    assert secret[:11] + "…" in row
    code, as_json, _ = run_on_store(url, "tokens", "list", "--json")
    [found] = json.loads(as_json)
    assert (found["user"], found["scopes"], found["state"]) == ("fatou", ["read", "triage"],
                                                                 "active")
    assert found["expires_at"] is not None
    assert secret not in as_json


def test_without_user_the_token_is_the_service_account_named_like_it(url: str) -> None:
    _user(url, "bank-x", "analyst")
    code, out, err = run_on_store(url, "tokens", "create", "bank-x", "--scope", "read,submit")
    assert code == 0, err
    holder = _holder(url, out.strip())
    assert holder is not None
    assert getattr(holder, "username", None) == "bank-x"


def test_a_scope_beyond_the_role_is_one_line_in_french(url: str) -> None:
    _user(url, "awa", "analyst")
    code, out, err = run_on_store(url, "--lang", "fr", "tokens", "create", "x", "--user", "awa",
                                  "--scope", "triage")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "ne permet pas la portée triage" in err


def test_revoke_refuses_the_token_and_is_audited(url: str) -> None:
    _user(url, "fatou", "investigator")
    _, secret, _ = run_on_store(url, "tokens", "create", "t", "--user", "fatou",
                                "--scope", "read")
    code, out, _ = run_on_store(url, "tokens", "revoke", "1")
    assert code == 0
    assert "revoked" in out
    assert _holder(url, secret.strip()) is None
    code, _, err = run_on_store(url, "tokens", "revoke", "42")
    assert code == 2
    assert "no API token 42" in err
    code, out, _ = run_on_store(url, "--lang", "fr", "tokens", "list")
    assert "révoqué" in out
    database = open_database(url)
    try:
        with database.transaction() as session:
            assert verify_chain(session).broken is None
            actions = session.scalars(select(AuditEvent.action).where(
                AuditEvent.object_type == "api_token").order_by(AuditEvent.seq)).all()
    finally:
        database.dispose()
    assert actions == ["token.create", "token.revoke"]


def test_list_on_an_empty_store_says_how_to_create_one(url: str) -> None:
    code, out, _ = run_on_store(url, "tokens", "list")
    assert code == 0
    assert "aml-screen tokens create" in out
