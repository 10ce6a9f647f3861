"""``aml-screen audit verify``: check the audit trail's hash chain. Exits 0 when intact, 1
naming the first bad event (edited, deleted, inserted or moved). Nothing here changes events."""

from __future__ import annotations

import re
import sys

import click

from aml_screen.cli.context import Context, pass_context
from aml_screen.cli.messages import language
from aml_screen.errors import InputError
from aml_screen.store import open_database
from aml_screen.store.audit import describe_chain, verify_chain

BROKEN_EXIT = 1
_ANCHOR = re.compile(r"^([1-9][0-9]*):([0-9a-f]{64})$")


@click.group("audit")
def audit_group() -> None:
    """The audit trail / la piste d'audit."""


@audit_group.command("verify")
@click.option("--expect", "expected_head", metavar="SEQ:HASH", default=None,
              help="A head printed by an earlier verify, kept outside the database: it must "
                   "still be in the chain (finds deleted last events and rebuilt chains) / "
                   "une tête de chaîne relevée lors d'une vérification antérieure.")
@pass_context
def verify_command(obj: Context, expected_head: str | None) -> None:
    """Check that no audit event was edited, deleted or moved / vérifie la piste d'audit."""
    anchor = parse_anchor(expected_head) if expected_head is not None else None
    database = open_database(obj.settings.database_url)
    try:
        with database.transaction() as session:
            report = verify_chain(session, anchor=anchor)
    finally:
        database.dispose()
    click.echo(describe_chain(report, language()))
    if report.broken is not None:
        sys.exit(BROKEN_EXIT)


def parse_anchor(text: str) -> tuple[int, str]:
    found = _ANCHOR.match(text.strip().lower())
    if found is None:
        raise InputError("audit.bad_anchor", value=text)
    return int(found[1]), found[2]


def register(main: click.Group) -> None:
    main.add_command(audit_group)
