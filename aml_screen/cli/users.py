"""``aml-screen users``: web accounts from the command line (the first admin, scripted
set-ups, and a way back in when no admin can log in). Every change is audited as a system
action."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
from sqlalchemy.orm import Session

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import t
from aml_screen.errors import InputError
from aml_screen.i18n import LANGUAGES
from aml_screen.store.accounts import (
    create_user,
    disable_user,
    enable_user,
    get_user,
    list_users,
    reset_password,
    set_role,
)
from aml_screen.store.models import ROLES
from aml_screen.store.two_factor import reset as reset_two_factor


@click.group("users")
def users_group() -> None:
    """Web interface accounts / comptes de l'interface web."""


def _read_password(password_stdin: bool) -> str:
    """From standard input's first line, or typed twice on a terminal; never an argument."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if sys.stdin.isatty():
        password: str = click.prompt(t("users.password_prompt"), hide_input=True,
                                     confirmation_prompt=True)
        return password
    raise InputError("users.password_source")


_PASSWORD_STDIN = click.option(
    "--password-stdin", is_flag=True, default=False,
    help="Read the password from the first line of standard input "
         "(never from the command line) / lit le mot de passe sur l'entrée standard.")


@users_group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="Role of the account / rôle du compte.")
@_PASSWORD_STDIN
@click.option("--language", type=click.Choice(LANGUAGES), default=None,
              help="Interface language (default: settings) / langue de l'interface.")
@pass_context
def create_command(obj: Context, name: str, role: str, password_stdin: bool,
                   language: str | None) -> None:
    """Create an account / crée un compte."""
    password = _read_password(password_stdin)
    obj.in_session(lambda session: create_user(session, name, role, password,
                                                 language or obj.settings.language))
    click.echo(t("users.created", name=name, role=role))


@users_group.command("disable")
@click.argument("name")
@pass_context
def disable_command(obj: Context, name: str) -> None:
    """Disable an account and end its sessions / désactive un compte et ferme ses sessions."""
    obj.in_session(lambda session: disable_user(session, name))
    click.echo(t("users.disabled", name=name))


@users_group.command("enable")
@click.argument("name")
@pass_context
def enable_command(obj: Context, name: str) -> None:
    """Let a disabled account log in again / réactive un compte désactivé."""
    obj.in_session(lambda session: enable_user(session, name))
    click.echo(t("admin.cli.enabled", name=name))


@users_group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@pass_context
def set_role_command(obj: Context, name: str, role: str) -> None:
    """Change an account's role / change le rôle d'un compte."""

    def change(session: Session) -> str:
        before = get_user(session, name).role
        set_role(session, name, role)
        return before

    before = obj.in_session(change)
    key = "admin.cli.role_unchanged" if before == role else "admin.cli.role_set"
    click.echo(t(key, name=name, before=t(f"web.role.{before}"), role=t(f"web.role.{role}")))


@users_group.command("reset-password")
@click.argument("name")
@_PASSWORD_STDIN
@pass_context
def reset_password_command(obj: Context, name: str, password_stdin: bool) -> None:
    """Set a new password and end the account's sessions / nouveau mot de passe."""
    password = _read_password(password_stdin)
    obj.in_session(lambda session: reset_password(session, name, password))
    click.echo(t("admin.cli.password_reset", name=name))


@users_group.command("reset-2fa")
@click.argument("name")
@pass_context
def reset_two_factor_command(obj: Context, name: str) -> None:
    """Take away an account's second factor (a lost phone) and end its sessions; it enrols
    again at its next log-in / réinitialise la connexion à deux facteurs."""
    obj.in_session(lambda session: reset_two_factor(session, name))
    click.echo(t("two_factor.reset_done", name=name))


@users_group.command("list")
@pass_context
def list_command(obj: Context) -> None:
    """Every account: name, role, active, language, created / liste des comptes."""
    rows = obj.in_session(lambda session: [
        (user.username, t(f"web.role.{user.role}"),
         t("admin.yes") if user.active else t("admin.no"), user.language,
         user.created_at.strftime("%Y-%m-%d %H:%M UTC"))
        for user in list_users(session)])
    if not rows:
        click.echo(t("admin.cli.no_users"))
        return
    header = tuple(t(f"admin.cli.col.{c}")
                   for c in ("name", "role", "active", "language", "created"))
    click.echo("\n".join(table_lines([header, *rows])))


def table_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as left-aligned columns two spaces apart (plain text: readable in mails and
    greppable in scripts)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            .rstrip() for row in rows]


def register(main: click.Group) -> None:
    main.add_command(users_group)
