"""``aml-screen users create`` / ``users disable`` / ``db upgrade`` on a private database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from aml_screen.cli import main
from aml_screen.store import head_revision, open_database
from aml_screen.store.accounts import authenticate
from aml_screen.store.database import MIGRATIONS
from aml_screen.store.models import User
from tests.store.samples import PASSWORD, REPO


def _run(url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"), *args],
                                input=stdin, env={"AML_SCREEN_DATABASE_URL": url})
    return result.exit_code, result.output


def test_db_upgrade_creates_the_schema(url: str) -> None:
    code, out = _run(url, "db", "upgrade")
    assert code == 0
    assert f"revision {head_revision()}" in out
    newest = max(path.name.split("_")[0] for path in (MIGRATIONS / "versions").glob("0*.py"))
    assert head_revision() == newest


def test_users_create_reads_the_password_from_stdin(url: str) -> None:
    code, out = _run(url, "users", "create", "admin1", "--role", "admin", "--password-stdin",
                     stdin=PASSWORD + "\n")
    assert code == 0, out
    assert "admin1" in out
    database = open_database(url)
    try:
        with database.transaction() as session:
            user = session.scalars(select(User).where(User.username == "admin1")).one()
            assert user.role == "admin"
        assert authenticate(database, "admin1", PASSWORD, "cli").user is not None
    finally:
        database.dispose()


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--role", "boss", "--password-stdin"], PASSWORD, "--role: boss is not one of analyst"),
    (["--role", "analyst", "--password-stdin"], "short", "at least 12 characters"),
    (["--role", "analyst"], None, "--password-stdin"),
])
def test_users_create_refuses_bad_input(url: str, args: list[str], stdin: str | None,
                                        message: str) -> None:
    code, out = _run(url, "users", "create", "someone", *args, stdin=stdin)
    assert code == 2
    assert message in out


def test_users_disable(url: str) -> None:
    _run(url, "users", "create", "leaver", "--role", "auditor", "--password-stdin",
         stdin=PASSWORD)
    code, _ = _run(url, "users", "disable", "leaver")
    assert code == 0
    code, out = _run(url, "users", "disable", "nobody")
    assert code == 2
    assert "no user named" in out
