"""The messages of one CLI run, in that run's language (``--lang`` or the settings).

The language is read from the click context of the command being run, so the engine below
keeps no language of its own: whatever the CLI prints, it translates here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click

from aml_screen import i18n
from aml_screen.settings import Settings


def language() -> str:
    """The language of the command being run (English outside a command)."""
    context = click.get_current_context(silent=True)
    settings = getattr(context.find_root().obj, "settings", None) if context else None
    return settings.language if isinstance(settings, Settings) else "en"


def t(key: str, **params: Any) -> str:
    """The message ``key`` in this run's language, filled with ``params``."""
    return i18n.translate(key, language(), **params)


def number(value: float | Decimal, places: int | None = None) -> str:
    """``value`` written the way this run's language writes numbers."""
    return i18n.number(value, language(), places)


def day(value: date | datetime) -> str:
    """A date the way this run's language writes it."""
    return i18n.day(value, language())
