"""Options and helpers shared by the screening commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from aml_screen.errors import InputError
from aml_screen.settings import Settings
from aml_screen.store.ids import MAX_ID
from aml_screen.watchlists.loader import Watchlist, load_watchlists

F = TypeVar("F", bound=Callable[..., Any])
ROW_ID = click.IntRange(1, MAX_ID)
"""A stored row's id: a number the columns cannot hold is refused (exit 2), not queried."""


def check_threshold(_ctx: click.Context, _param: click.Parameter,
                     value: float | None) -> float | None:
    if value is not None and not 0 < value <= 100:
        raise InputError("screen.bad_threshold", value=value)
    return value


def threshold_option(func: F) -> F:
    return click.option(
        "--threshold", type=float, default=None, callback=check_threshold,
        help="Minimum score 1-100 (default: settings) / score minimal.",
    )(func)


def load_lists(specs: Sequence[str], settings: Settings) -> list[Watchlist]:
    """The watchlists named on the command line, or the configured defaults."""
    chosen = list(specs) or list(settings.default_watchlists)
    if not chosen:
        raise InputError("screen.no_watchlist")
    return load_watchlists(chosen, settings)
