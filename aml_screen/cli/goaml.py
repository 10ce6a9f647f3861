"""``aml-screen goaml CASE_ID --out FILE --user NAME``: write the goAML STR of a case closed
as suspicious. The report names ``NAME`` as the reporting person; the export is audited."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from sqlalchemy import select

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import t
from aml_screen.cli.options import ROW_ID
from aml_screen.goaml.case import export_case
from aml_screen.goaml.model import GoamlError
from aml_screen.store import open_database
from aml_screen.store.models import User


@click.command("goaml")
@click.argument("case_id", type=ROW_ID)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="XML file to write / fichier XML à écrire.")
@click.option("--user", "username", required=True,
              help="Account of the person reporting / compte de la personne qui déclare.")
@pass_context
def goaml_command(obj: Context, case_id: int, out: Path, username: str) -> None:
    """Export a suspicious case as a goAML STR / exporte un dossier suspect en DOS goAML."""
    database = open_database(obj.settings.database_url)
    try:
        with database.transaction() as session:
            user = session.scalars(select(User).where(User.username == username,
                                                      User.active.is_(True))).first()
            if user is None:
                raise GoamlError("goaml.unknown_user", name=username)
            body = export_case(session, case_id, obj.settings, user)
            partial = out.with_name(out.name + ".part")
            partial.write_bytes(body)
            partial.replace(out)
    finally:
        database.dispose()
    click.echo(t("goaml.written", case_id=case_id, path=str(out),
                 transactions=body.count(b"<transaction>"),
                 sha256=hashlib.sha256(body).hexdigest()))


def register(main: click.Group) -> None:
    main.add_command(goaml_command)
