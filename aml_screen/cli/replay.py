"""``aml-screen replay BATCH_ID``: screen a stored batch again with the list versions, rule
pack and threshold its run recorded, and report any difference from the stored results.
Exits 0 when identical, 1 with differences, 2 when it cannot replay (something missing)."""

from __future__ import annotations

import sys

import click

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import t
from aml_screen.cli.options import ROW_ID
from aml_screen.replay import Difference, ReplayReport, replay_batch
from aml_screen.store import open_database

DIFFERENT_EXIT = 1


@click.command("replay")
@click.argument("batch_id", type=ROW_ID)
@pass_context
def replay_command(obj: Context, batch_id: int) -> None:
    """Screen a stored batch again and compare / rejoue le filtrage d'un lot et compare."""
    database = open_database(obj.settings.database_url)
    try:
        report = replay_batch(obj.settings, database, batch_id)
    finally:
        database.dispose()
    click.echo(describe(report))
    if not report.identical:
        sys.exit(DIFFERENT_EXIT)


def describe(report: ReplayReport) -> str:
    used = report.settings_used
    lines = [t("replay.used", batch_id=report.batch_id, engine=used["engine_version"] or "-",
               threshold=used["threshold"], timezone=used["timezone"],
               date_order=used["date_order"])]
    counts = {"hits": report.counts["hit"], "rule_hits": report.counts["rule_hit"],
              "alerts": report.counts["alert"]}
    if report.identical:
        lines.append(t("replay.identical", **counts))
    else:
        lines.append(t("replay.different", differences=len(report.differences), **counts))
        lines += [describe_difference(difference) for difference in report.differences]
    return "\n".join(lines)


def describe_difference(difference: Difference) -> str:
    return t(f"replay.{difference.change}", kind=t(f"replay.kind.{difference.kind}"),
             what=" / ".join(difference.key), stored=difference.stored,
             replayed=difference.replayed)


def register(main: click.Group) -> None:
    main.add_command(replay_command)
