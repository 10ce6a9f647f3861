"""The ``aml-screen`` command. Each command group lives in its own module and registers
itself on ``main``; bad input exits 2 with one line on stderr, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aml_screen import __version__
from aml_screen.cli.context import Context
from aml_screen.cli.messages import language, t
from aml_screen.cli.usage import usage_line
from aml_screen.errors import AmlScreenError
from aml_screen.i18n import LANGUAGES
from aml_screen.settings import load_settings

__all__ = ["Context", "main"]


class _Group(click.Group):
    """Maps ``AmlScreenError`` to one translated line on stderr and its exit code, and a
    command's usage errors to one translated line and exit code 2 (``usage``)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except AmlScreenError as exc:
            click.echo(f"aml-screen: {t('error.prefix')}: {exc.message(language())}", err=True)
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            click.echo(usage_line(exc), err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="aml-screen")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of messages / langue des messages (default: settings).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="Settings file (default: ./aml-screen.toml or $AML_SCREEN_CONFIG).")
@click.pass_context
def main(ctx: click.Context, lang: str | None, config_file: str | None) -> None:
    """aml-screen: screen transaction batches against sanctions lists and AML rules.

    aml-screen : filtrage des lots de transactions (listes de sanctions, règles LBC/FT).
    """
    try:
        settings = load_settings(config_file=Path(config_file) if config_file else None,
                                 language=lang)
    except AmlScreenError as exc:
        click.echo(f"aml-screen: error: {exc.message(lang or 'en')}", err=True)
        sys.exit(exc.exit_code)
    ctx.obj = Context(settings=settings)


def _register() -> None:
    """Every module of this package that defines ``register(main)`` adds its commands."""
    import importlib
    import pkgutil

    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(main)


_register()
