"""``aml-screen match NAME``: best list candidates for one name, for look-ups and scripts."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import t
from aml_screen.cli.options import check_threshold, load_lists
from aml_screen.name_lookup import lookup_name
from aml_screen.pipeline import index_watchlists

JSON_FIELDS = ("list_id", "entry_id", "matched_name", "score", "name_kind", "entity_type",
               "programmes", "explanation")


@click.command("match")
@click.argument("name")
@click.option("--watchlist", "watchlists", multiple=True, metavar="SRC",
              help="List file/folder or source name (repeatable) / liste ou source (répétable).")
@click.option("--min-score", type=float, default=70.0, show_default=True,
              callback=check_threshold, help="Lowest score shown / score minimal affiché.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON / sortie JSON.")
@pass_context
def match_command(obj: Context, name: str, watchlists: tuple[str, ...], min_score: float,
                  limit: int, as_json: bool) -> None:
    """Best watchlist candidates for NAME.

    Meilleurs candidats des listes pour NAME.
    """
    hits = lookup_name(index_watchlists(load_lists(watchlists, obj.settings)), name,
                       min_score, limit)
    if as_json:
        rows = [
            {**row, "explanation": json.loads(row["explanation"])}
            for row in hits.select(JSON_FIELDS).iter_rows(named=True)
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console = Console()
    if hits.is_empty():
        console.print(t("match.no_candidates", min_score=min_score))
        return
    table = Table(title=t("match.title", name=name))
    for key in ("list", "entry", "matched", "score"):
        table.add_column(t(f"summary.col.{key}"))
    for row in hits.iter_rows(named=True):
        table.add_row(row["list_id"], row["entry_id"], row["matched_name"], f"{row['score']:.1f}")
    console.print(table)


def register(main: click.Group) -> None:
    main.add_command(match_command)
