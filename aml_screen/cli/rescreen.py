"""``aml-screen rescreen``: screen stored batches again against the current list versions
(e.g. after ``aml-screen watchlists update``); only hits a batch did not have yet become
alerts. Runs here, not on the job queue, and prints one line per batch. Exits 1 when a
re-screen failed. ``--delta SOURCE[@OLD..NEW]`` screens every stored party against only
the entries a list version added or changed instead (``cli.delta_rescreen``)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

import click

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.delta_rescreen import delta_rescreen
from aml_screen.cli.messages import t
from aml_screen.cli.options import ROW_ID
from aml_screen.errors import InputError
from aml_screen.jobs.rescreen import rescreen_stored_batch
from aml_screen.store import open_database
from aml_screen.store.models import Rescreen
from aml_screen.store.rescreen import batches_since, request_rescreen

FAILED_EXIT = 1


def _since(text: str) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError("rescreen.cli.bad_date", value=text) from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@click.command("rescreen")
@click.argument("batch_id", type=ROW_ID, required=False)
@click.option("--all-since", "since", metavar="DATE", default=None,
              help="Every batch uploaded on or after DATE (YYYY-MM-DD) / tous les lots "
                   "téléversés depuis cette date.")
@click.option("--delta", "delta", metavar="SOURCE[@OLD..NEW]", default=None,
              help="Every stored party against the entries of list SOURCE added or changed "
                   "from version OLD to NEW (default: its two newest), hits of removed "
                   "entries retired / toutes les parties enregistrées contre les seules "
                   "entrées ajoutées ou modifiées.")
@pass_context
def rescreen_command(obj: Context, batch_id: int | None, since: str | None,
                     delta: str | None) -> None:
    """Re-screen batches against the current lists / refiltre des lots."""
    if sum(given is not None for given in (batch_id, since, delta)) != 1:
        raise InputError("rescreen.cli.usage")
    database = open_database(obj.settings.database_url)
    failed = False
    try:
        if delta is not None:
            failed = not delta_rescreen(obj.settings, database, delta)
            ids = []
        elif since is not None:
            with database.transaction() as session:
                ids = batches_since(session, _since(since))
            if not ids:
                click.echo(t("rescreen.cli.none", date=since))
        else:
            ids = [batch_id] if batch_id is not None else []
        for one in ids:
            with database.transaction() as session:
                rescreen_id = request_rescreen(session, one, None).id
            rescreen_stored_batch(obj.settings, database, rescreen_id)
            with database.transaction() as session:
                done = session.get_one(Rescreen, rescreen_id)
                if done.status == "done":
                    click.echo(t("rescreen.cli.done", batch_id=one, rescreen_id=rescreen_id,
                                 status=t(f"rescreen.status.{done.status}"),
                                 new_hits=done.new_hits, new_alerts=done.new_alerts))
                else:
                    failed = True
                    error = t(done.error_key or "job.crashed", **(done.error_params or {}))
                    click.echo(t("rescreen.cli.failed", batch_id=one,
                                 rescreen_id=rescreen_id, error=error), err=True)
    finally:
        database.dispose()
    if failed:
        sys.exit(FAILED_EXIT)


def register(main: click.Group) -> None:
    main.add_command(rescreen_command)
