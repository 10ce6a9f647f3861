"""``aml-screen retention purge --dry-run | --apply``: remove the personal data whose
retention period (``retention_years`` after closing) has passed. ``--dry-run`` only reports
what would go; ``--apply`` purges in one transaction, audited, then deletes the uploaded
files of the purged batches."""

from __future__ import annotations

import click

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import t
from aml_screen.errors import InputError
from aml_screen.jobs.screening import mapping_path, stored_path
from aml_screen.store import open_database
from aml_screen.store.base import utcnow
from aml_screen.store.retention import (
    PURGED_TABLES,
    RetentionPlan,
    plan_purge,
    purge,
    remove_files,
    upload_files,
)

KINDS = ("cases", "batches", "alerts")
ROWS = ("transactions", "quarantine_rows", "hits", "rule_hits", "comments", "case_notes",
        "evidence_packages", "exemptions", "audit_events")


@click.group("retention")
def retention_group() -> None:
    """Retention of personal data / conservation des données personnelles."""


@retention_group.command("purge")
@click.option("--dry-run", "dry_run", is_flag=True, default=False,
              help="Only show what would be purged / affiche seulement ce qui serait purgé.")
@click.option("--apply", "apply", is_flag=True, default=False,
              help="Purge now / purge maintenant.")
@pass_context
def purge_command(obj: Context, dry_run: bool, apply: bool) -> None:
    """Purge personal data past its retention period / purge les données expirées."""
    if dry_run == apply:
        raise InputError("retention.mode")
    settings = obj.settings
    database = open_database(settings.database_url)
    try:
        with database.transaction() as session:
            plan = plan_purge(session, utcnow(), settings.retention_years)
            click.echo(describe(plan, settings.retention_years))
            if dry_run or plan.empty:
                if plan.empty:
                    click.echo(t("retention.nothing"))
                return
            files = upload_files(session, plan.batch_ids)
            summary = purge(session, plan)
        database.reclaim(PURGED_TABLES)
    finally:
        database.dispose()
    removed = remove_files(path for sha256, name in files
                           for path in (stored_path(settings, sha256, name),
                                        mapping_path(settings, sha256)))
    click.echo(t("retention.applied", events=summary["audit_events"],
                 kept=summary["audit_events_kept"], files=removed))


def describe(plan: RetentionPlan, years: int) -> str:
    """The plan as lines: the cutoff, then each kind with its count and date range."""
    lines = [t("retention.cutoff", years=years, cutoff=plan.cutoff.date().isoformat())]
    for kind in KINDS:
        span = plan.spans[kind]
        if span.count and span.oldest is not None and span.newest is not None:
            lines.append(t("retention.kind_dates", kind=t(f"retention.kind.{kind}"),
                           count=span.count, oldest=span.oldest.date().isoformat(),
                           newest=span.newest.date().isoformat()))
        else:
            lines.append(t("retention.kind", kind=t(f"retention.kind.{kind}"),
                           count=span.count))
    for kind in ROWS:
        lines.append(t("retention.kind", kind=t(f"retention.kind.{kind}"),
                       count=plan.rows[kind]))
    return "\n".join(lines)


def register(main: click.Group) -> None:
    main.add_command(retention_group)
