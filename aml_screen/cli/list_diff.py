"""``aml-screen watchlists diff``: the entries added, removed and changed between two list
versions, as lines to read or as JSON for scripts (``--json``).

OLD and NEW are each a stored version (``SOURCE@VERSION``: the start of its SHA-256, its
version date or its retrieval time), a source (its newest version) or a list file or folder;
``diff SOURCE`` alone compares the source's two newest stored versions.
"""

from __future__ import annotations

import json
from typing import Any

import click
import polars as pl

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import number, t
from aml_screen.settings import Settings
from aml_screen.watchlists import registry
from aml_screen.watchlists.diff import ListDiff, diff_lists
from aml_screen.watchlists.loader import Watchlist, load_version, load_watchlist, stored_version


@click.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option("--json", "as_json", is_flag=True,
              help="Print {added, removed, changed} as JSON / en JSON.")
@pass_context
def diff(obj: Context, old: str, new: str | None, as_json: bool) -> None:
    """Entries added, removed and changed from list version OLD to NEW.

    Entrées ajoutées, retirées et modifiées de la version OLD à la version NEW d'une liste.
    """
    settings = obj.settings
    if new is None:
        before, after = _latest_two(settings, old)
    else:
        before, after = _load(settings, old), _load(settings, new)
    found = diff_lists(before.entries, after.entries)
    if as_json:
        click.echo(json.dumps(_as_json(found), ensure_ascii=False, indent=1))
        return
    click.echo(t("cli.diff.header", old=_label(before), new=_label(after),
                 added=number(found.added.height), removed=number(found.removed.height),
                 changed=number(found.changed.height)))
    for mark, frame in (("+", found.added), ("-", found.removed)):
        for row in frame.iter_rows(named=True):
            click.echo(f"{mark} {row['entry_id']}  {'; '.join(_plain(row['names']))}")
    for row in found.changed.iter_rows(named=True):
        click.echo(f"~ {row['entry_id']}  {'; '.join(_plain(row['names']))}")
        for field in row["fields"]:
            if field == "names":
                names = [f"-{_named(n)}" for n in row["names_removed"]]
                names += [f"+{_named(n)}" for n in row["names_added"]]
                click.echo(f"    {t('cli.diff.fields.names')}: {'; '.join(names)}")
                continue
            click.echo("    " + t("cli.diff.field", field=t(f"cli.diff.fields.{field}"),
                                  old=row["old"][field] or "-", new=row["new"][field] or "-"))


def _load(settings: Settings, spec: str) -> Watchlist:
    source, at, ref = spec.partition("@")
    if at:
        return load_version(stored_version(settings, source, ref))
    return load_watchlist(spec, settings)


def _latest_two(settings: Settings, source: str) -> tuple[Watchlist, Watchlist]:
    old, new = registry.latest_two(settings, source)
    return load_version(old), load_version(new)


def _label(watchlist: Watchlist) -> str:
    date = watchlist.version_date or watchlist.retrieved_at or "-"
    return f"{watchlist.source} ({date}, {watchlist.sha256[:registry.SHA_PREFIX]})"


def _named(name: str) -> str:
    """``alias: X`` as ``X (alias)``, the kind in the reader's language."""
    kind, _, written = name.partition(": ")
    return f"{written} ({t(f'web.name_kind.{kind}')})"


def _plain(names: list[str]) -> list[str]:
    """Names without the kind they are compared with (``alias: X`` -> ``X``)."""
    return [name.split(": ", 1)[-1] for name in names]


def _as_json(found: ListDiff) -> dict[str, list[dict[str, Any]]]:
    def items(frame: pl.DataFrame) -> list[dict[str, Any]]:
        rows = frame.to_dicts()
        for row in rows:
            row["names"] = _plain(row["names"])
            for side in ("old", "new"):
                if side in row:
                    row[side] = {k: v for k, v in row[side].items() if k in row["fields"]}
        return rows

    return {"added": items(found.added), "removed": items(found.removed),
            "changed": items(found.changed)}
