"""``aml-screen rescreen --delta SOURCE[@OLD..NEW]``: every stored party screened against
the entries of list SOURCE that version NEW added or changed since version OLD (each the
start of its SHA-256, its version date or its retrieval time, as ``watchlists diff`` takes
them; default: the source's two newest stored versions), and the hits of the entries it
removed retired. Runs here, not on the job queue, and prints what it found; after
``aml-screen watchlists update`` the same run is queued for the worker."""

from __future__ import annotations

import click

from aml_screen.cli.messages import number, t
from aml_screen.errors import InputError
from aml_screen.jobs.list_delta import run_list_delta
from aml_screen.settings import Settings
from aml_screen.store import Database
from aml_screen.store.list_delta import request_delta
from aml_screen.store.models import ListDelta
from aml_screen.watchlists import registry
from aml_screen.watchlists.loader import stored_version
from aml_screen.watchlists.registry import Version


def version_pair(settings: Settings, spec: str) -> tuple[Version, Version]:
    """The (old, new) stored versions ``SOURCE`` or ``SOURCE@OLD..NEW`` names (NEW left
    out: the newest)."""
    source, at, refs = spec.partition("@")
    if not at:
        return registry.latest_two(settings, source)
    old, dots, new = refs.partition("..")
    if not dots or not old:
        raise InputError("rescreen.cli.bad_delta", value=spec)
    newest = registry.current(settings, source)
    return (stored_version(settings, source, old),
            stored_version(settings, source, new) if new or newest is None else newest)


def delta_rescreen(settings: Settings, database: Database, spec: str) -> bool:
    """Run the delta re-screen ``spec`` names and print what it found; False if it failed."""
    old, new = version_pair(settings, spec)
    with database.transaction() as session:
        delta_id = request_delta(session, old, new, None).id
    run_list_delta(settings, database, delta_id)
    with database.transaction() as session:
        delta = session.get_one(ListDelta, delta_id)
        if delta.status != "done":
            click.echo(t("rescreen.cli.delta_failed", source=delta.source, delta_id=delta_id,
                         error=t(delta.error_key or "job.crashed",
                                 **(delta.error_params or {}))), err=True)
            return False
        click.echo(t("rescreen.cli.delta_done", source=delta.source, delta_id=delta_id,
                     old=old.sha256[:registry.SHA_PREFIX], new=new.sha256[:registry.SHA_PREFIX],
                     added=number(delta.entries_added or 0),
                     changed=number(delta.entries_changed or 0),
                     removed=number(delta.entries_removed or 0),
                     names=number(delta.names_read or 0),
                     index=number(delta.index_names or 0),
                     new_hits=number(delta.new_hits or 0),
                     new_alerts=number(delta.new_alerts or 0),
                     retired=number(delta.retired_hits or 0), seconds=delta.seconds))
        return True
