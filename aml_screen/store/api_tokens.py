"""API tokens: created for a user (by themselves, by an admin for a service account, or by
an operator with ``aml-screen tokens``), shown once, stored as a SHA-256 digest, scoped,
optionally expiring, revocable. Creation, revocation and every use are audited in the
caller's transaction (``token.create``, ``token.revoke``, ``token.use``).

A token never grants more than its user's role: scopes the role does not allow are refused
when the token is created, and checked again on every use against the role the user has
then (a role taken away, or the user disabled, stops the token at once)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aml_screen.store.accounts import secret_digest
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.errors import NotFoundError, TokenError
from aml_screen.store.models import API_SCOPES, ROLES, ApiToken, User

SCOPE_ROLES: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "triage": frozenset({"investigator", "supervisor"}),
    "submit": frozenset({"analyst", "supervisor", "admin"}),
    "admin": frozenset({"admin"}),
}
"""The roles that may hold each scope: those of the web permission the scope stands for
(``alerts.view``, ``alerts.triage``, ``batches.upload``, ``users.manage``)."""
TOKEN_MARK = "amls_"  # noqa: S105 (a public marker, not a secret)
"""Every secret starts with this, so a leaked token is easy to recognise (secret scanners,
log reviews)."""
PREFIX_LENGTH = len(TOKEN_MARK) + 6
"""Characters of the secret kept in clear for display: 36 random bits, too few to guess the
rest from, enough to tell a user's tokens apart."""
MAX_NAME = 80
MAX_EXPIRY_DAYS = 3650


def role_scopes(role: str) -> tuple[str, ...]:
    """The scopes a user of ``role`` may give a token, in ``API_SCOPES`` order."""
    return tuple(scope for scope in API_SCOPES if role in SCOPE_ROLES[scope])


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str
    """The bearer token itself: shown once, never stored."""


@dataclass(frozen=True)
class TokenRow:
    """A token as lists show it, with its user's name."""

    token: ApiToken
    username: str

    def state(self, now: datetime | None = None) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.token.revoked_at is not None:
            return "revoked"
        expires = self.token.expires_at
        return "expired" if expires is not None and expires <= (now or utcnow()) else "active"


@dataclass(frozen=True)
class TokenHolder:
    """Who a valid token acts for, and what it may do now."""

    token_id: int
    user_id: int
    username: str
    role: str
    scopes: frozenset[str]
    """The token's scopes that the user's current role still allows."""


def _scopes(owner: User, scopes: Iterable[str]) -> list[str]:
    chosen = {scope.strip() for scope in scopes if scope.strip()}
    if not chosen:
        raise TokenError("token.no_scope", scopes=", ".join(API_SCOPES))
    unknown = sorted(chosen - set(API_SCOPES))
    if unknown:
        raise TokenError("token.bad_scope", scope=", ".join(unknown),
                         scopes=", ".join(API_SCOPES))
    beyond = sorted(chosen - set(role_scopes(owner.role)))
    if beyond:
        raise TokenError("token.scope_beyond_role", scope=", ".join(beyond),
                         username=owner.username, role=owner.role)
    return [scope for scope in API_SCOPES if scope in chosen]


def _may_manage(actor: User | None, owner_id: int) -> bool:
    """An operator at the server (``actor`` None), the token's user, or an admin."""
    return actor is None or actor.id == owner_id or actor.role == "admin"


def create_token(session: Session, owner: User, name: str, scopes: Iterable[str],
                 expires_days: int | None = None, actor: User | None = None) -> CreatedToken:
    """A new token for ``owner``; ``actor`` is who asks (None: the command line). Users
    create tokens for themselves; an admin may create one for another user."""
    if not _may_manage(actor, owner.id):
        raise TokenError("token.not_yours", username=owner.username)
    label = name.strip()
    if not label or len(label) > MAX_NAME:
        raise TokenError("token.bad_name", maximum=MAX_NAME)
    if not owner.active:
        raise TokenError("token.user_disabled", username=owner.username)
    chosen = _scopes(owner, scopes)
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise TokenError("token.bad_expiry", days=expires_days, maximum=MAX_EXPIRY_DAYS)
    now = utcnow()
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken(user_id=owner.id, name=label, prefix=secret[:PREFIX_LENGTH],
                     token_sha256=secret_digest(secret), scopes=chosen, created_at=now,
                     created_by_id=actor.id if actor else None,
                     expires_at=now + timedelta(days=expires_days) if expires_days else None)
    session.add(token)
    session.flush()
    record(session, actor, "token.create", "api_token", token.id,
           after={"user": owner.username, "name": label, "prefix": token.prefix,
                  "scopes": chosen, "expires_at": token.expires_at.isoformat()
                  if token.expires_at else None})
    return CreatedToken(token, secret)


def list_tokens(session: Session, user_id: int | None = None) -> list[TokenRow]:
    """Every token (``user_id`` None) or one user's, newest first, with the user's name."""
    query = (select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
             .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return [TokenRow(token, username) for token, username in session.execute(query)]


def revoke_token(session: Session, token_id: int, actor: User | None = None) -> ApiToken:
    """Refuse the token from now on. Another user's token is unknown to a non-admin (no
    probing of which ids exist); revoking a revoked token changes (and records) nothing."""
    token = session.get(ApiToken, token_id)
    if token is None or not _may_manage(actor, token.user_id):
        raise NotFoundError("token.not_found", token_id=token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(session, actor, "token.revoke", "api_token", token.id,
               before={"revoked_at": None},
               after={"revoked_at": token.revoked_at.isoformat(), "prefix": token.prefix})
    return token


def authenticate_token(session: Session, secret: str,
                       now: datetime | None = None) -> TokenHolder | None:
    """The holder of a bearer token, or None when it is unknown, revoked, expired or its
    user disabled. Reads only: the use is recorded by ``record_use``."""
    if not secret.startswith(TOKEN_MARK) or len(secret) > 200:
        return None
    now = now or utcnow()
    found = session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                            .where(ApiToken.token_sha256 == secret_digest(secret))).first()
    if found is None:
        return None
    token, user = found
    if token.revoked_at is not None or not user.active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    allowed = set(role_scopes(user.role))
    return TokenHolder(token.id, user.id, user.username, user.role,
                       frozenset(s for s in token.scopes if s in allowed))


def record_use(session: Session, holder: TokenHolder, method: str, path: str,
               refused: str | None = None) -> None:
    """Audit one request made with the token (``refused``: why it was turned away after
    authentication, e.g. a scope it lacks) and remember when it was last used."""
    token = session.get_one(ApiToken, holder.token_id)
    token.last_used_at = utcnow()
    after: dict[str, str] = {"method": method, "path": path[:500]}
    if refused:
        after["refused"] = refused
    record(session, session.get_one(User, holder.user_id), "token.use", "api_token",
           holder.token_id, after=after)
