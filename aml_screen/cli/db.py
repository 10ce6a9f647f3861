"""``aml-screen db upgrade``: create or upgrade the store's schema (every command that uses
the store does it too; this one is for deployments that want it as an explicit step)."""

from __future__ import annotations

import click

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import t
from aml_screen.store import open_database


@click.group("db")
def db_group() -> None:
    """The case store (database) / la base des dossiers."""


@db_group.command("upgrade")
@pass_context
def upgrade_command(obj: Context) -> None:
    """Create or upgrade the database schema / crée ou met à jour le schéma."""
    database = open_database(obj.settings.database_url)
    try:
        click.echo(t("db.upgraded", url=database.safe_url, revision=database.revision()))
    finally:
        database.dispose()


def register(main: click.Group) -> None:
    main.add_command(db_group)
