"""``aml-screen evidence verify FILE.zip``: check a seizure evidence package against its
manifest. Exits 0 with one OK line, or 1 naming each missing, extra or altered file (2 when
the file cannot be read at all). Works offline, without the database: the recipient of a
package can check it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aml_screen.cli.messages import t
from aml_screen.errors import InputError
from aml_screen.evidence import VerifyReport, verify_package

FAILED_EXIT = 1


@click.group("evidence")
def evidence_group() -> None:
    """Seizure evidence packages / dossiers de preuves pour saisie."""


@evidence_group.command("verify")
@click.argument("package", type=click.Path(dir_okay=False, path_type=Path))
def verify_command(package: Path) -> None:
    """Check every file of PACKAGE against its manifest / vérifie un dossier de preuves."""
    try:
        content = package.read_bytes()
    except OSError as exc:
        raise InputError("evidence.verify.unreadable", path=package,
                         detail=exc.strerror or exc) from None
    report = verify_package(content)
    lines = describe(report)
    if report.ok:
        click.echo(lines[0])
        return
    for line in lines:
        click.echo(line, err=True)
    sys.exit(FAILED_EXIT)


def describe(report: VerifyReport) -> list[str]:
    """One OK line, or a summary line followed by one line per problem."""
    if report.ok:
        return [t("evidence.verify.ok", files=report.files, case_id=report.case_id,
                  case_version=report.case_version, sha256=report.sha256)]
    problems = [t(f"evidence.verify.{report.problem}")] if report.problem else []
    for kind, names in (("missing", report.missing), ("extra", report.extra),
                        ("altered", report.altered)):
        problems.extend(t(f"evidence.verify.{kind}", name=name) for name in names)
    return [t("evidence.verify.failed", sha256=report.sha256, count=len(problems)), *problems]


def register(main: click.Group) -> None:
    main.add_command(evidence_group)
