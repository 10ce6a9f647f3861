"""``aml-screen users``: create and disable web accounts (the first admin, scripted set-ups)."""

from __future__ import annotations

import sys

import click

from aml_screen.cli.context import Context, pass_context
from aml_screen.errors import InputError
from aml_screen.i18n import t
from aml_screen.store import open_database
from aml_screen.store.accounts import create_user, disable_user
from aml_screen.store.models import ROLES


@click.group("users")
def users_group() -> None:
    """Web interface accounts / comptes de l'interface web."""


@users_group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="Role of the account / rôle du compte.")
@click.option("--password-stdin", is_flag=True, default=False,
              help="Read the password from the first line of standard input "
                   "(never from the command line) / lit le mot de passe sur l'entrée standard.")
@click.option("--language", type=click.Choice(["en", "fr"]), default=None,
              help="Interface language (default: settings) / langue de l'interface.")
@pass_context
def create_command(obj: Context, name: str, role: str, password_stdin: bool,
                   language: str | None) -> None:
    """Create an account / crée un compte."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt(t("users.password_prompt"), hide_input=True,
                                confirmation_prompt=True)
    else:
        raise InputError("users.password_source")
    database = open_database(obj.settings.database_url)
    try:
        with database.transaction() as session:
            create_user(session, name, role, password, language or obj.settings.language)
    finally:
        database.dispose()
    click.echo(t("users.created", name=name, role=role))


@users_group.command("disable")
@click.argument("name")
@pass_context
def disable_command(obj: Context, name: str) -> None:
    """Disable an account and end its sessions / désactive un compte et ferme ses sessions."""
    database = open_database(obj.settings.database_url)
    try:
        with database.transaction() as session:
            disable_user(session, name)
    finally:
        database.dispose()
    click.echo(t("users.disabled", name=name))


def register(main: click.Group) -> None:
    main.add_command(users_group)
