"""``aml-screen watchlists update|list|diff``: download list versions, show what is stored
(and, in ``list_diff``, what changed between two versions). A new version of a screened
source queues a delta re-screen of the stored parties (``jobs.list_delta``) for the worker.

Results are plain lines on stdout (readable in cron mails and logs); download progress bars
go to stderr so they never mix with them. Each update that reached a source is recorded in the
audit trail (``lists.downloaded``) when the database can be reached; when it cannot, the
update still counts and a warning says the event is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)
from sqlalchemy.exc import SQLAlchemyError

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.list_diff import diff
from aml_screen.cli.messages import language, t
from aml_screen.errors import AmlScreenError, WatchlistError
from aml_screen.jobs.queue import JobQueue
from aml_screen.settings import Settings
from aml_screen.store import open_database
from aml_screen.store.audit import record
from aml_screen.store.list_delta import request_delta
from aml_screen.watchlists import registry
from aml_screen.watchlists.download import ProgressCallback, UpdateResult, update_source
from aml_screen.watchlists.registry import SHA_PREFIX, Version
from aml_screen.watchlists.sources import Source, load_sources


def register(main: click.Group) -> None:
    watchlists.add_command(diff)
    main.add_command(watchlists)


@click.group("watchlists")
def watchlists() -> None:
    """Download and list sanctions lists.

    Télécharger et lister les listes de sanctions.
    """


@watchlists.command("update")
@click.argument("source_ids", metavar="[SOURCE]...", nargs=-1)
@pass_context
def update(obj: Context, source_ids: tuple[str, ...]) -> None:
    """Download new versions of SOURCE (default: every downloadable source).

    Télécharger les nouvelles versions de SOURCE (par défaut : toutes les sources
    téléchargeables).
    """
    settings = obj.settings
    chosen = _chosen(load_sources(settings.sources_file), source_ids)
    if not chosen:
        click.echo(t("cli.watchlists.nothing_to_update", path=settings.sources_file))
        return
    failed = 0
    results: list[UpdateResult] = []
    # Lines are written to sys.stdout/sys.stderr as they are while the bars run: on a
    # terminal rich swaps those for proxies that print above the bars.
    with _progress_bars() as progress:
        for source in chosen:
            try:
                result = update_source(source, settings, progress)
            except AmlScreenError as exc:
                failed += 1
                click.echo(t("cli.watchlists.update_failed", source=source.id,
                             error=exc.message(language())), file=sys.stderr)
                continue
            results.append(result)
            key = "cli.watchlists.updated" if result.changed else "cli.watchlists.unchanged"
            click.echo(t(key, source=source.id, **_facts(result.version)), file=sys.stdout)
    _audit_downloads(settings, results)
    _queue_deltas(settings, results)
    if failed:
        raise WatchlistError("cli.watchlists.failures", failed=failed, total=len(chosen))


def _audit_downloads(settings: Settings, results: list[UpdateResult]) -> None:
    """One ``lists.downloaded`` event per source reached, all in one transaction; a database
    that cannot be reached (or written) costs the events, never the downloaded versions."""
    if not results:
        return
    try:
        database = open_database(settings.database_url)
        try:
            with database.transaction() as session:
                for result in results:
                    version = result.version
                    record(session, None, "lists.downloaded", "watchlist", result.source,
                           after={"sha256": version.sha256,
                                  "version_date": version.version_date,
                                  "retrieved_at": version.retrieved_at,
                                  "entries": version.entries, "changed": result.changed})
        finally:
            database.dispose()
    except (AmlScreenError, SQLAlchemyError, OSError) as exc:
        error = exc.message(language()) if isinstance(exc, AmlScreenError) else exc
        click.echo(t("admin.lists.audit_failed", count=len(results), error=error),
                   file=sys.stderr)


def _queue_deltas(settings: Settings, results: list[UpdateResult]) -> None:
    """A delta re-screen queued for each screened source that got a new version (from the
    version before it); a database that cannot be reached costs the runs, with a warning
    naming the command that runs them by hand."""
    sources = [r.source for r in results
               if r.changed and r.source in settings.default_watchlists
               and len(registry.versions(settings, r.source)) > 1]
    if not sources:
        return
    try:
        database = open_database(settings.database_url)
        try:
            with database.transaction() as session:
                queued = [(source, request_delta(session, *registry.latest_two(
                    settings, source), None).id) for source in sources]
            queue = JobQueue(settings, database)
            for source, delta_id in queued:
                queue.enqueue_delta(delta_id)
                click.echo(t("cli.watchlists.delta_queued", source=source, delta_id=delta_id))
        finally:
            database.dispose()
    except (AmlScreenError, SQLAlchemyError, OSError) as exc:
        error = exc.message(language()) if isinstance(exc, AmlScreenError) else exc
        for source in sources:
            click.echo(t("cli.watchlists.delta_not_queued", source=source, error=error),
                       file=sys.stderr)


@watchlists.command("list")
@pass_context
def list_sources(obj: Context) -> None:
    """Show the configured sources and their stored versions, newest first.

    Afficher les sources configurées et leurs versions enregistrées, la plus récente d'abord.
    """
    settings = obj.settings
    for source in load_sources(settings.sources_file).values():
        click.echo(f"{source.id}  [{source.format}]  {source.title(language())}")
        if source.path is not None:
            found = source.path.exists()
            key = "cli.watchlists.bundled" if found else "cli.watchlists.bundled_missing"
            click.echo(f"    {t(key, path=source.path)}")
            continue
        stored = registry.versions(settings, source.id)
        if not stored:
            click.echo(f"    {t('cli.watchlists.no_version', source=source.id)}")
        for number, version in enumerate(reversed(stored)):
            line = t("cli.watchlists.version", **_facts(version))
            click.echo(f"    {line}  {t('cli.watchlists.current')}" if number == 0
                       else f"    {line}")


def _chosen(sources: Mapping[str, Source], source_ids: tuple[str, ...]) -> list[Source]:
    """The sources named (all checked before any download starts), or every downloadable one."""
    if not source_ids:
        return [s for s in sources.values() if s.downloadable]
    for source_id in source_ids:
        if source_id not in sources:
            raise WatchlistError("watchlists.download.unknown_source", source=source_id,
                                 names=", ".join(sources))
        if not sources[source_id].downloadable:
            raise WatchlistError("watchlists.download.not_downloadable", source=source_id)
    return [sources[source_id] for source_id in dict.fromkeys(source_ids)]


def _facts(version: Version) -> dict[str, object]:
    return {
        "retrieved_at": version.retrieved_at[:19].replace("T", " ") + " UTC",
        "sha": version.sha256[:SHA_PREFIX], "version_date": version.version_date or "-",
        "entries": version.entries, "names": version.names,
    }


@contextmanager
def _progress_bars() -> Iterator[ProgressCallback]:
    """A rich progress bar per downloaded file, on stderr, fed by the download callback."""
    tasks: dict[str, TaskID] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:

        def report(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total)
            progress.update(tasks[label], completed=done, total=total)

        yield report
