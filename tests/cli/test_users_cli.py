"""``aml-screen users``: create, list, set-role, disable/enable, reset-password. Every change
is an audited system action and the chain still verifies afterwards."""

from __future__ import annotations

from sqlalchemy import select

from aml_screen.store import open_database
from aml_screen.store.accounts import authenticate
from aml_screen.store.audit import verify_chain
from aml_screen.store.models import AuditEvent
from tests.cli.store_cli import run_on_store

PASSWORD = "sable du Ténéré 2026"  # noqa: S105 (test accounts only)
NEW_PASSWORD = "dunes de l'Aïr 2027"  # noqa: S105


def _create(url: str, name: str, role: str, *extra: str) -> None:
    code, out, err = run_on_store(url, "users", "create", name, "--role", role,
                                  "--password-stdin", *extra, stdin=PASSWORD + "\n")
    assert code == 0, out + err


def _trail(url: str) -> list[tuple[str, str, dict[str, object] | None,
                                   dict[str, object] | None]]:
    database = open_database(url)
    try:
        with database.transaction() as session:
            assert verify_chain(session).broken is None
            rows = session.execute(select(AuditEvent.actor_name, AuditEvent.action,
                                          AuditEvent.before, AuditEvent.after)
                                   .order_by(AuditEvent.seq)).all()
    finally:
        database.dispose()
    return [tuple(row) for row in rows]


def _logs_in(url: str, name: str, password: str) -> bool:
    database = open_database(url)
    try:
        return authenticate(database, name, password, "127.0.0.1").user is not None
    finally:
        database.dispose()


def test_list_shows_every_account_as_a_table(url: str) -> None:
    _create(url, "root", "admin")
    _create(url, "mariama", "investigator", "--language", "fr")
    code, out, _ = run_on_store(url, "users", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["name", "role", "active", "language", "created"]
    assert lines[1].split()[:4] == ["mariama", "investigator", "yes", "fr"]
    assert lines[2].split()[:4] == ["root", "administrator", "yes", "en"]
    assert lines[2].endswith("UTC")
    code, french, _ = run_on_store(url, "--lang", "fr", "users", "list")
    assert french.splitlines()[0].split()[:4] == ["nom", "rôle", "actif", "langue"]
    assert french.splitlines()[1].split()[:3] == ["mariama", "enquêteur", "oui"]


def test_list_without_accounts_says_how_to_start(url: str) -> None:
    code, out, _ = run_on_store(url, "users", "list")
    assert code == 0
    assert "aml-screen users create NAME --role admin" in out


def test_set_role_is_audited(url: str) -> None:
    _create(url, "root", "admin")
    _create(url, "mariama", "investigator")
    code, out, _ = run_on_store(url, "users", "set-role", "mariama", "supervisor")
    assert (code, out) == (0, "user mariama: role changed from investigator to supervisor\n")
    code, out, _ = run_on_store(url, "--lang", "fr", "users", "set-role", "mariama", "supervisor")
    assert (code, out) == (0, "l'utilisateur mariama a déjà le rôle superviseur : "
                              "rien n'a changé\n")
    assert _trail(url)[-1] == ("system", "user.role", {"role": "investigator"},
                               {"role": "supervisor"})
    assert [e[1] for e in _trail(url)] == ["user.create", "user.create", "user.role"]


def test_the_last_admin_cannot_be_demoted_or_disabled(url: str) -> None:
    _create(url, "root", "admin")
    for args in (("set-role", "root", "analyst"), ("disable", "root")):
        code, _, err = run_on_store(url, "users", *args)
        assert code == 2
        assert "root is the last active administrator" in err
    assert [e[1] for e in _trail(url)] == ["user.create"]
    _create(url, "ousmane", "admin")
    code, _, _ = run_on_store(url, "users", "set-role", "root", "auditor")
    assert code == 0


def test_an_unknown_role_is_refused_by_the_command(url: str) -> None:
    _create(url, "root", "admin")
    code, _, err = run_on_store(url, "users", "set-role", "root", "boss")
    assert code == 2
    assert "boss" in err


def test_disable_then_enable(url: str) -> None:
    _create(url, "root", "admin")
    _create(url, "mariama", "investigator")
    assert run_on_store(url, "users", "disable", "mariama")[0] == 0
    assert not _logs_in(url, "mariama", PASSWORD)
    code, out, _ = run_on_store(url, "--lang", "fr", "users", "enable", "mariama")
    assert (code, out) == (0, "utilisateur mariama réactivé : il peut de nouveau se "
                              "connecter\n")
    assert _logs_in(url, "mariama", PASSWORD)
    actions = [(e[1], e[2], e[3]) for e in _trail(url) if e[1].startswith("user.")]
    assert actions[-2:] == [
        ("user.disable", {"active": True}, {"active": False, "sessions_ended": 0}),
        ("user.enable", {"active": False}, {"active": True}),
    ]


def test_reset_password(url: str) -> None:
    _create(url, "root", "admin")
    code, out, err = run_on_store(url, "users", "reset-password", "root", "--password-stdin",
                                  stdin=NEW_PASSWORD + "\n")
    assert code == 0, err
    assert out == "user root: password replaced; their sessions are closed\n"
    assert _logs_in(url, "root", NEW_PASSWORD)
    assert not _logs_in(url, "root", PASSWORD)
    assert ("system", "user.password", None, {"sessions_ended": 0}) in _trail(url)


def test_reset_password_needs_a_password_source(url: str) -> None:
    _create(url, "root", "admin")
    code, _, err = run_on_store(url, "users", "reset-password", "root")
    assert code == 2
    assert "--password-stdin" in err


def test_an_unknown_user_is_reported(url: str) -> None:
    code, _, err = run_on_store(url, "users", "enable", "personne")
    assert code == 2
    assert "personne" in err
