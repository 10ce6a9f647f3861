"""Single sign-on accounts in the store, without a provider: the role a user's groups give,
the user name a first sign-in takes, a role given to users in no mapped group, and a user
whose provider account never opens a password log-in nor gets a password; the chain
verifies afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aml_screen.store import AccountError, Database
from aml_screen.store.accounts import authenticate, reset_password
from aml_screen.store.audit import verify_chain
from aml_screen.store.models import User
from aml_screen.store.sso_accounts import ProviderUser, SsoPolicy, sso_login
from tests.store.samples import add_user

POLICY = SsoPolicy(role_groups=(("/fiu/supervisors", "supervisor"),
                                ("/fiu/analysts", "analyst")))


def _person(subject: str, username: str, groups: tuple[str, ...] = ("/fiu/analysts",),
            locale: str | None = None) -> ProviderUser:
    return ProviderUser(issuer="https://sso.example/realms/fiu", subject=subject,
                        username=username, groups=groups, locale=locale,
                        id_token="header.claims.signature")  # noqa: S106 (not a secret)


@pytest.mark.parametrize(("groups", "role"), [
    ((), None),
    (("/staff",), None),
    (("/fiu/analysts",), "analyst"),
    (("/fiu/analysts", "/fiu/supervisors"), "supervisor"),  # the order of the setting wins
])
def test_the_first_mapped_group_gives_the_role(groups: tuple[str, ...],
                                               role: str | None) -> None:
    assert POLICY.role_for(groups)[0] == role
    welcoming = SsoPolicy(POLICY.role_groups, unmapped="analyst")
    assert welcoming.role_for(groups)[0] == (role or "analyst")


def test_first_sign_ins_take_a_free_user_name(database: Database) -> None:
    add_user(database, "awa", "investigator")
    long_name = "x" * 120
    wanted = [("s1", "awa"), ("s2", "awa"), ("s3", "Awa Diallo@FIU"), ("s4", ""),
              ("s5", "é"), ("s6", long_name), ("s7", long_name)]
    with database.transaction() as session:
        for subject, username in wanted:
            assert sso_login(session, _person(subject, username), POLICY, "10.0.0.1").token
        names = list(session.scalars(select(User.username).order_by(User.id)))
    assert names == ["awa", "awa-2", "awa-3", "Awa_Diallo_FIU", "s4", "user", "x" * 80,
                     "x" * 78 + "-2"]


def test_a_provider_account_never_opens_a_password_log_in(database: Database) -> None:
    with database.transaction() as session:
        sso_login(session, _person("s1", "kadi", locale="fr-FR"), POLICY, "10.0.0.1")
        kadi = session.scalars(select(User).where(User.username == "kadi")).one()
        assert kadi.language == "fr"  # the provider's locale, none picked on the page
    for password in ("", "!sso", "kadi"):
        assert authenticate(database, "kadi", password, "10.0.0.1").user is None
    with database.transaction() as session, pytest.raises(AccountError) as refused:
        reset_password(session, "kadi", "Niamey-Agadez 2026")  # nor gets one from an admin
    assert refused.value.key == "account.signs_in_with_provider"
    with database.transaction() as session:
        assert verify_chain(session).broken is None
