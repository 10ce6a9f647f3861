"""Accounts of single sign-on (OpenID Connect): what a log-in does once the web layer has
verified the provider's ID token (signature against the provider's keys, issuer, audience,
expiry and nonce: ``web/sso``).

A user is found by the provider's issuer and ``sub`` (``SsoIdentity``), never by name: a
local account named like the provider's user is not taken over. On a first log-in the
account is made, named after the provider's user name claim. The role is derived from the
provider's groups at each log-in (``oidc_role_groups``: the first mapped group the user is
in), the change audited; a user in no mapped group is refused (or given ``oidc_unmapped``),
and a user disabled here stays refused whatever the provider says. Every log-in, account
made, role changed and refusal is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aml_screen.i18n import LANGUAGES
from aml_screen.settings import Settings
from aml_screen.store.accounts import SessionLimits, end_sessions, set_language, start_session
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.models import SsoIdentity, TwoFactor, User

PROVIDER_OBJECT = "identity_provider"
"""Object type of the events of a sign-on not tied to a user yet (the issuer is its id)."""
NO_PASSWORD = "!sso"  # noqa: S105 (a marker that no hash equals, not a password)
"""``password_hash`` of an account made by single sign-on: no hash, so no password ever
matches it (the password check takes it for an invalid hash)."""
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9._-]")
NAME_LENGTH = 80


@dataclass(frozen=True)
class ProviderUser:
    """What a verified ID token says about its user."""

    issuer: str
    subject: str
    username: str
    """The user name claim (``oidc_username_claim``), as the provider wrote it."""
    groups: tuple[str, ...]
    locale: str | None
    id_token: str


@dataclass(frozen=True)
class SsoPolicy:
    """The ``oidc_*`` settings a log-in applies."""

    role_groups: tuple[tuple[str, str], ...] = ()
    unmapped: str = "refuse"
    trust_provider_mfa: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> SsoPolicy:
        return cls(settings.oidc_role_groups, settings.oidc_unmapped,
                   settings.oidc_trust_provider_mfa)

    def role_for(self, groups: tuple[str, ...]) -> tuple[str | None, list[str]]:
        """The role the groups give (the first mapped group held; ``unmapped`` without
        one, None when that is ``refuse``) and the mapped groups held."""
        held = [group for group, _ in self.role_groups if group in groups]
        if held:
            return dict(self.role_groups)[held[0]], held
        return (None if self.unmapped == "refuse" else self.unmapped), held


@dataclass(frozen=True)
class SsoOutcome:
    """The new session's token (awaiting the app's code when ``awaiting_code``) and the
    user's language, or why not (``refusal``: ``no_role``, ``disabled``)."""

    token: str | None
    refusal: str | None = None
    awaiting_code: bool = False
    language: str = "en"


def record_refusal(session: Session, reason: str, issuer: str, remote_addr: str,
                   detail: str = "") -> None:
    """Audit a sign-on that failed before any user was known (a forged or stale state, a
    token that does not verify, an error from the provider)."""
    after = {"sso_refusal": reason, "remote_addr": remote_addr}
    if detail:
        after["detail"] = detail[:300]
    record(session, None, "auth.sso_refused", PROVIDER_OBJECT, issuer, after=after)


def record_redirect(session: Session, issuer: str, remote_addr: str) -> None:
    """Audit a browser sent to the provider to sign in."""
    record(session, None, "auth.sso_redirect", PROVIDER_OBJECT, issuer,
           after={"remote_addr": remote_addr})


def sso_login(session: Session, found: ProviderUser, policy: SsoPolicy, remote_addr: str,
              chosen_language: str | None = None, sessions: SessionLimits | None = None
              ) -> SsoOutcome:
    """Sign in the provider's user: their account found by issuer and subject (made on
    the first log-in), their role set from their groups, then a session opened (awaiting
    this app's code when the provider is not trusted for it and the user has one)."""
    role, held = policy.role_for(found.groups)
    identity = session.scalar(select(SsoIdentity).where(SsoIdentity.issuer == found.issuer,
                                                        SsoIdentity.subject == found.subject))
    known = session.get_one(User, identity.user_id) if identity is not None else None
    if role is None:
        _refuse(session, known, found, "no_role", remote_addr)
        if known is not None:
            end_sessions(session, known)  # the provider has taken them out of every group
        return SsoOutcome(None, "no_role")
    if identity is None:
        user = _new_user(session, found, role, chosen_language)
        session.add(SsoIdentity(user_id=user.id, issuer=found.issuer, subject=found.subject))
    else:
        user = session.get_one(User, identity.user_id)
        if not user.active:
            _refuse(session, user, found, "disabled", remote_addr)
            return SsoOutcome(None, "disabled")
        identity.last_login_at = utcnow()
        _update_user(session, user, role, held, chosen_language)
    factor = session.get(TwoFactor, user.id)
    awaiting = (not policy.trust_provider_mfa and factor is not None
                and factor.activated_at is not None)
    token = start_session(session, user, remote_addr, awaiting_code=awaiting,
                          second_factor="provider" if policy.trust_provider_mfa else None,
                          id_token=found.id_token, limits=sessions)
    return SsoOutcome(token, awaiting_code=awaiting, language=user.language)


def _update_user(session: Session, user: User, role: str, held: list[str],
                 chosen_language: str | None) -> None:
    """A returning user: the role their groups give now, the language picked on the log-in
    page (each change audited)."""
    if user.role != role:
        record(session, user, "user.role_from_groups", "user", user.id,
               before={"role": user.role}, after={"role": role, "groups": held})
        user.role = role
    if chosen_language in LANGUAGES:
        set_language(session, user, str(chosen_language))


def provider_accounts(session: Session) -> set[int]:
    """Ids of the users who sign in through the provider (the admin's list marks them)."""
    return set(session.scalars(select(SsoIdentity.user_id)))


def _refuse(session: Session, user: User | None, found: ProviderUser, reason: str,
            remote_addr: str) -> None:
    after = {"sso_refusal": reason, "remote_addr": remote_addr, "username": found.username}
    if user is None:
        record(session, None, "auth.sso_refused", PROVIDER_OBJECT, found.issuer, after=after)
    else:
        record(session, user, "auth.sso_refused", "user", user.id, after=after)


def _new_user(session: Session, found: ProviderUser, role: str,
              chosen_language: str | None) -> User:
    """The account of a first log-in, audited with the provider's issuer and subject."""
    locale = (found.locale or "")[:2].lower()
    language = next((lang for lang in (chosen_language, locale) if lang in LANGUAGES), "en")
    username = _free_name(session, found.username or found.subject)
    user = User(username=username, role=role, password_hash=NO_PASSWORD, language=language,
                active=True)
    session.add(user)
    session.flush()
    record(session, user, "user.create", "user", user.id,
           after={"username": username, "role": role, "language": language,
                  "issuer": found.issuer, "provider_subject": found.subject})
    return user


def _free_name(session: Session, wanted: str) -> str:
    """``wanted`` as a user name (characters a name cannot hold become ``_``), with a
    number when an account already has it."""
    base = _NOT_IN_NAME.sub("_", wanted).lstrip("._-")[:NAME_LENGTH] or "user"
    if len(base) < 2:
        base = f"{base}_user"
    name, number = base, 1
    while session.scalar(select(User.id).where(User.username == name)) is not None:
        number += 1
        suffix = f"-{number}"
        name = base[:NAME_LENGTH - len(suffix)] + suffix
    return name
