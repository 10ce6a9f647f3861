"""``aml-screen search QUERY`` and ``aml-screen subjects export``: the subjects of the whole
store, found by name, account, phone, ID number, transaction id or report reference, and
every stored party with its subject as Parquet (for the unit's own analysis tools)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import func, select

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import day, language, number, t
from aml_screen.errors import InputError
from aml_screen.i18n import plural
from aml_screen.store import open_database
from aml_screen.store.models import PartySubject, Transaction
from aml_screen.store.party_sides import its_transaction, party_name
from aml_screen.store.subject_search import search_subjects

EXPORT_SCHEMA = pa.schema([("batch_id", pa.int64()), ("transaction_id", pa.string()),
                           ("party_role", pa.string()), ("party_name", pa.string()),
                           ("subject_id", pa.string())])
EXPORT_CHUNK = 100_000


@click.command("search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON / sortie JSON.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500),
              help="Most subjects shown / nombre maximal de sujets.")
@pass_context
def search_command(obj: Context, query: str, as_json: bool, limit: int) -> None:
    """Find subjects across every stored batch / cherche des sujets dans tous les lots.

    QUERY is a name, an account, a phone, an ID number, a transaction id or a report
    reference / un nom, un compte, un téléphone, un numéro de pièce, une transaction ou une
    déclaration.
    """
    database = open_database(obj.settings.database_url)
    try:
        with database.transaction() as session:
            results = search_subjects(session, query, limit)
    finally:
        database.dispose()
    if as_json:
        click.echo(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2))
        return
    if not results:
        click.echo(t("search.none", query=query))
        return
    lang = language()

    def counted(key: str, quantity: int) -> str:
        return plural(f"search.{key}", lang, quantity, count=number(quantity))

    for r in results:
        click.echo(t("search.line", subject=r.subject_id, names=" / ".join(r.names) or "—",
                     score=number(r.score, places=1), matched=t(f"search.on.{r.matched_on}"),
                     records=counted("records", r.records),
                     batches=counted("batches", len(r.batches)),
                     alerts=counted("alerts", r.alerts), cases=counted("cases", r.cases),
                     first=day(r.first_seen) if r.first_seen else "—",
                     last=day(r.last_seen) if r.last_seen else "—"))


@click.group("subjects")
def subjects_group() -> None:
    """Subjects across batches / sujets de tous les lots."""


@subjects_group.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Parquet file to write / fichier Parquet à écrire.")
@pass_context
def export_command(obj: Context, out: Path) -> None:
    """Every stored party with its subject, as Parquet / chaque partie et son sujet.

    Columns: batch_id, transaction_id, party_role, party_name, subject_id.
    """
    if not out.parent.is_dir():
        raise InputError("exports.no_folder", path=out.parent)
    database = open_database(obj.settings.database_url)
    statement = (select(PartySubject.batch_id, PartySubject.transaction_id,
                        PartySubject.party_role, party_name(), PartySubject.subject_id)
                 .outerjoin(Transaction, its_transaction())
                 .order_by(PartySubject.batch_id, PartySubject.transaction_id,
                           PartySubject.party_role)
                 .execution_options(yield_per=EXPORT_CHUNK))
    bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    console=Console(stderr=True))
    written = 0
    try:
        with database.transaction() as session, bars, pq.ParquetWriter(
                out, EXPORT_SCHEMA) as writer:
            total = session.scalar(select(func.count()).select_from(PartySubject)) or 0
            task = bars.add_task(t("subjects.export.progress"), total=total)
            for rows in session.execute(statement).partitions():
                columns = list(zip(*rows, strict=True))
                writer.write_table(pa.Table.from_arrays(
                    [pa.array(list(values), type=f.type)
                     for values, f in zip(columns, EXPORT_SCHEMA, strict=True)],
                    schema=EXPORT_SCHEMA))
                written += len(rows)
                bars.update(task, completed=written)
            if written == 0:
                writer.write_table(EXPORT_SCHEMA.empty_table())
    finally:
        database.dispose()
    click.echo(t("subjects.export.done", rows=number(written), path=out), err=True)


def register(main: click.Group) -> None:
    main.add_command(search_command)
    main.add_command(subjects_group)
