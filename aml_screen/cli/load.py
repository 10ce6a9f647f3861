"""``aml-screen load FILE... [--label TEXT] [--wait]``: store and screen batches into the case
store exactly as a web upload does (same job, same alerts), so that a unit can script its
intake. Prints one batch id per file on stdout; ``--wait`` follows the jobs with a progress
bar on stderr until they end (in the embedded set-up this process runs them itself).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import t
from aml_screen.errors import InputError
from aml_screen.jobs import JobQueue, embedded_jobs, submit_batch
from aml_screen.store import Database, open_database
from aml_screen.store.batches import job_states
from aml_screen.store.models import Batch

POLL_SECONDS = 0.5


@click.command("load")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--label", default=None, metavar="TEXT",
              help="Label kept on each new batch (the report or request it answers) / "
                   "libellé du lot.")
@click.option("--mapping", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="YAML column mapping for the files / correspondance des "
                                 "colonnes.")
@click.option("--wait", is_flag=True,
              help="Wait until every job has ended / attendre la fin de chaque traitement.")
@pass_context
def load_command(obj: Context, files: tuple[Path, ...], label: str | None,
                 mapping: Path | None, wait: bool) -> None:
    """Store and screen batch files into the case store, as a web upload does.

    Enregistre et filtre des lots dans la base des dossiers, comme un dépôt sur le site.
    """
    for path in files:
        if not path.is_file():
            raise InputError("ingest.file_missing", path=path)
    settings = obj.settings
    database = open_database(settings.database_url)
    queue = JobQueue(settings, database)
    try:
        batch_ids = []
        for path in files:
            with path.open("rb") as stream:
                submission = submit_batch(
                    queue, database, path.name, stream, None, label,
                    mapping=mapping.read_bytes() if mapping else None,
                    mapping_name=mapping.name if mapping else "")
            batch_ids.append(submission.batch_id)
            click.echo(submission.batch_id)
            if not submission.queued:
                click.echo(t("cli.load.known", file=path.name, batch_id=submission.batch_id),
                           file=sys.stderr)
        if wait:
            failed = _wait(queue, database, batch_ids)
            if failed:
                raise click.exceptions.Exit(1)
    finally:
        database.dispose()


def _stage(state: Batch) -> str:
    """The stage a job is at, in this run's language."""
    return t(state.progress_label, **(state.progress_params or {})) if state.progress_label else ""


def _wait(queue: JobQueue, database: Database, batch_ids: list[int]) -> int:
    """Follow the batches' jobs until each is done or failed (running them here when the
    queue is embedded); prints each failure; returns how many failed."""
    console = Console(stderr=True)
    bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)
    tasks = {batch_id: bars.add_task(f"#{batch_id}", total=None) for batch_id in batch_ids}
    ended: dict[int, Batch] = {}
    with embedded_jobs(queue, database), bars:
        while len(ended) < len(batch_ids):
            with database.transaction() as session:
                states = job_states(session, batch_ids)
            for state in states:
                bars.update(tasks[state.id], total=state.progress_total or None,
                            completed=state.progress_done or 0,
                            description=f"#{state.id} {_stage(state)}")
                if state.status in ("done", "failed"):
                    ended[state.id] = state
            if len(ended) < len(batch_ids):
                time.sleep(POLL_SECONDS)
    for batch_id in batch_ids:
        state = ended[batch_id]
        if state.status == "failed":
            reason = t(state.error_key, **(state.error_params or {})) if state.error_key else ""
            click.echo(t("cli.load.failed", batch_id=batch_id, file=state.file_name,
                         reason=reason), file=sys.stderr)
        else:
            click.echo(t("cli.load.done", batch_id=batch_id, file=state.file_name,
                         rows=state.rows_loaded or 0, quarantined=state.rows_quarantined or 0),
                       file=sys.stderr)
    return sum(1 for state in ended.values() if state.status == "failed")


def register(main: click.Group) -> None:
    main.add_command(load_command)
