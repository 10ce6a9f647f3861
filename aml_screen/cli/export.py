"""``aml-screen export {hits,alerts}``: the auditors' reports as CSV, XLSX or PDF, written
to a file at the server. The export is recorded in the audit trail as the system's, or as
the account named by ``--as``."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click
from rich.console import Console

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import language, t
from aml_screen.errors import InputError
from aml_screen.exports.filters import FORMATS, KINDS, make_filter
from aml_screen.exports.info import ExportInfo
from aml_screen.exports.service import export_file, find_user
from aml_screen.progress import RichProgress
from aml_screen.store import open_database
from aml_screen.store.audit import SYSTEM_ACTOR


@click.command("export")
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="File format / format du fichier.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="File to write / fichier à écrire.")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", default=None,
              help="Alerts raised from this day (UTC) / alertes levées à partir de ce jour.")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", default=None,
              help="Alerts raised until this day, included / jusqu'à ce jour inclus.")
@click.option("--batch", default=None, metavar="ID", help="Batch number / numéro de lot.")
@click.option("--list", "list_id", default=None, metavar="ID", help="List / liste.")
@click.option("--rule", "rule_id", default=None, metavar="ID", help="Rule / règle.")
@click.option("--typology", default=None, help="Typology / typologie.")
@click.option("--status", default=None, help="Alert status / statut de l'alerte.")
@click.option("--disposition", default=None, help="Disposition / décision.")
@click.option("--as", "as_user", default=None, metavar="USER",
              help="Record the export as this account's / attribue l'export à ce compte.")
@click.option("--progress/--no-progress", default=True, show_default=True)
@pass_context
def export_command(obj: Context, kind: str, fmt: str, out: Path, date_from: str | None,
                   date_to: str | None, batch: str | None, list_id: str | None,
                   rule_id: str | None, typology: str | None, status: str | None,
                   disposition: str | None, as_user: str | None, progress: bool) -> None:
    """Export hits or alerts for auditors / exporte les correspondances ou les alertes."""
    flt = make_filter(date_from=date_from, date_to=date_to, batch=batch, list_id=list_id,
                      rule_id=rule_id, typology=typology, status=status,
                      disposition=disposition)
    if not out.parent.is_dir():
        raise InputError("exports.no_folder", path=out.parent)
    database = open_database(obj.settings.database_url)
    try:
        actor_id = find_user(database, as_user) if as_user else None
        info = ExportInfo(kind, flt, as_user or SYSTEM_ACTOR, language())
        bars = RichProgress(language(), Console(stderr=True)) if progress else None
        with bars.running() if bars else nullcontext():
            result = export_file(database, fmt, info, out, actor_id, progress=bars)
    finally:
        database.dispose()
    click.echo(t("exports.cli.done", rows=result.rows, path=out, sha256=result.sha256))
    if result.total > result.rows:
        click.echo(t("exports.cli.capped", shown=result.rows, total=result.total), err=True)


def register(main: click.Group) -> None:
    main.add_command(export_command)
