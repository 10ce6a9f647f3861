"""API tokens in the store: the secret is returned once and only its digest kept; a
token is refused once revoked, expired or its user disabled; it never grants more than
its user's role; creation, revocation and use are audited and the chain still verifies."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from aml_screen.store import Database, NotFoundError
from aml_screen.store.accounts import disable_user, get_user, set_role
from aml_screen.store.api_tokens import (
    SCOPE_ROLES,
    authenticate_token,
    create_token,
    list_tokens,
    record_use,
    revoke_token,
    role_scopes,
)
from aml_screen.store.audit import verify_chain
from aml_screen.store.base import utcnow
from aml_screen.store.errors import TokenError
from aml_screen.store.models import API_SCOPES, ROLES, ApiToken, AuditEvent
from tests.store.samples import add_user
from web.permissions import PERMISSIONS

SCOPE_PERMISSIONS = {"read": "alerts.view", "triage": "alerts.triage",
                     "submit": "batches.upload", "admin": "users.manage"}


def _token(database: Database, username: str, scopes: list[str],
           days: int | None = None) -> tuple[int, str]:
    with database.transaction() as session:
        made = create_token(session, get_user(session, username), "bank feed", scopes, days)
        return made.token.id, made.secret


def test_each_scope_is_held_by_the_roles_of_its_web_permission() -> None:
    assert set(SCOPE_ROLES) == set(API_SCOPES) == set(SCOPE_PERMISSIONS)
    for scope, permission in SCOPE_PERMISSIONS.items():
        assert SCOPE_ROLES[scope] == PERMISSIONS[permission], scope
    assert role_scopes("investigator") == ("read", "triage")
    assert set(role_scopes("admin")) == {"read", "submit", "admin"}
    assert all("read" in role_scopes(role) for role in ROLES)


def test_the_secret_is_given_once_and_only_its_digest_is_kept(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    token_id, secret = _token(database, "fatou", ["read", "triage"])
    assert secret.startswith("amls_")
    assert len(secret) > 40
    with database.transaction() as session:
        stored = session.get_one(ApiToken, token_id)
        assert stored.token_sha256 == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in repr([getattr(stored, c.key) for c in ApiToken.__table__.c])
        assert secret.startswith(stored.prefix)
        assert len(stored.prefix) < 16
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "token.create"))
        assert all(secret not in str(event.after) for event in events)
        holder = authenticate_token(session, secret)
    assert holder is not None
    assert (holder.username, holder.scopes) == ("fatou", frozenset({"read", "triage"}))


@pytest.mark.parametrize(("scopes", "days", "key"), [
    ([], None, "token.no_scope"),
    (["read", "everything"], None, "token.bad_scope"),
    (["read", "admin"], None, "token.scope_beyond_role"),
    (["read"], 0, "token.bad_expiry"),
    (["read"], 5000, "token.bad_expiry"),
])
def test_bad_tokens_are_refused(database: Database, scopes: list[str], days: int | None,
                                key: str) -> None:
    add_user(database, "fatou", "investigator")
    with pytest.raises(TokenError) as info:
        _token(database, "fatou", scopes, days)
    assert info.value.key == key


def test_only_an_admin_creates_a_token_for_someone_else(database: Database) -> None:
    for name, role in (("fatou", "investigator"), ("moussa", "investigator"),
                       ("root", "admin"), ("bank-x", "analyst")):
        add_user(database, name, role)
    with database.transaction() as session:
        with pytest.raises(TokenError) as info:
            create_token(session, get_user(session, "moussa"), "mine now", ["read"],
                         actor=get_user(session, "fatou"))
        assert info.value.key == "token.not_yours"
        made = create_token(session, get_user(session, "bank-x"), "feed", ["read", "submit"],
                            actor=get_user(session, "root"))
        assert made.token.created_by_id == get_user(session, "root").id


def test_revoked_expired_and_disabled_tokens_are_refused_at_once(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    add_user(database, "root", "admin")
    revoked_id, revoked = _token(database, "fatou", ["read"])
    _, expiring = _token(database, "fatou", ["read"], days=1)
    _, kept = _token(database, "fatou", ["read"])
    with database.transaction() as session:
        revoke_token(session, revoked_id, get_user(session, "fatou"))
        assert authenticate_token(session, revoked) is None
        assert authenticate_token(session, expiring) is not None
        assert authenticate_token(session, expiring, utcnow() + timedelta(days=1, seconds=1)) \
            is None
        assert authenticate_token(session, "amls_" + "x" * 43) is None
        assert authenticate_token(session, "not even ours") is None
        assert authenticate_token(session, kept) is not None
        disable_user(session, "fatou", get_user(session, "root"))
        assert authenticate_token(session, kept) is None


def test_a_token_loses_the_scopes_its_users_role_loses(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    _, secret = _token(database, "fatou", ["read", "triage"])
    with database.transaction() as session:
        set_role(session, "fatou", "auditor")
        holder = authenticate_token(session, secret)
    assert holder is not None
    assert holder.scopes == frozenset({"read"})


def test_a_user_revokes_only_their_own_tokens(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    add_user(database, "moussa", "investigator")
    add_user(database, "root", "admin")
    token_id, _ = _token(database, "fatou", ["read"])
    with database.transaction() as session:
        with pytest.raises(NotFoundError):
            revoke_token(session, token_id, get_user(session, "moussa"))
        with pytest.raises(NotFoundError):
            revoke_token(session, 999_999, get_user(session, "root"))
        revoke_token(session, token_id, get_user(session, "root"))
        revoke_token(session, token_id, get_user(session, "root"))  # no second event
        assert [row.state() for row in list_tokens(session)] == ["revoked"]
        assert list_tokens(session, get_user(session, "moussa").id) == []


def test_creation_revocation_and_use_are_audited(database: Database) -> None:
    add_user(database, "fatou", "investigator")
    token_id, secret = _token(database, "fatou", ["read"])
    with database.transaction() as session:
        holder = authenticate_token(session, secret)
        assert holder is not None
        record_use(session, holder, "GET", "/api/v1/alerts?status=new")
        record_use(session, holder, "POST", "/api/v1/alerts/1/transitions", refused="scope")
        revoke_token(session, token_id)
        events = session.execute(select(AuditEvent.action, AuditEvent.actor_name,
                                        AuditEvent.after).where(
            AuditEvent.object_type == "api_token").order_by(AuditEvent.seq)).all()
        assert session.get_one(ApiToken, token_id).last_used_at is not None
        assert verify_chain(session).broken is None
    assert [(action, actor) for action, actor, _ in events] == [
        ("token.create", "system"), ("token.use", "fatou"), ("token.use", "fatou"),
        ("token.revoke", "system")]
    assert events[1][2] == {"method": "GET", "path": "/api/v1/alerts?status=new"}
    assert events[2][2]["refused"] == "scope"
