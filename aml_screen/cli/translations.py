"""``aml-screen translations``: the message catalogue as gettext PO files, for translators'
tools. ``export LANG`` writes one language's messages (every key, translated or not);
``import FILE`` writes a translated file back into the catalogue's YAML files."""

from __future__ import annotations

from pathlib import Path

import click

from aml_screen.cli.messages import t
from aml_screen.i18n import LANGUAGES
from aml_screen.translations import LOCALES, export_po, import_po


@click.group("translations")
def translations_group() -> None:
    """The catalogue as PO files / le catalogue en fichiers PO."""


@translations_group.command("export")
@click.argument("lang", type=click.Choice(LANGUAGES))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PO file to write (default: standard output) / fichier PO à écrire.")
@click.option("--locales", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=LOCALES, show_default=False,
              help="Catalogue folder (default: the package's) / dossier du catalogue.")
def export_command(lang: str, out: Path | None, locales: Path) -> None:
    """Write LANG's messages as a PO file / écrit les messages de LANG en fichier PO."""
    data = export_po(lang, locales)
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    out.write_bytes(data)
    click.echo(t("translations.exported", path=str(out), language=lang), err=True)


@translations_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--lang", "lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the file (default: its header's) / langue du fichier.")
@click.option("--locales", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=LOCALES, show_default=False,
              help="Catalogue folder (default: the package's) / dossier du catalogue.")
def import_command(file: Path, lang: str | None, locales: Path) -> None:
    """Write a translated PO file into the catalogue / écrit un fichier PO traduit dans le
    catalogue."""
    counts = import_po(file.read_bytes(), lang, locales)
    for name, count in counts.items():
        click.echo(t("translations.file_changed", file=name, count=count))
    click.echo(t("translations.imported", count=sum(counts.values())))


def register(main: click.Group) -> None:
    main.add_command(translations_group)
