"""What every command receives from the main group."""

from __future__ import annotations

from dataclasses import dataclass

import click

from aml_screen.settings import Settings


@dataclass
class Context:
    settings: Settings


pass_context = click.make_pass_decorator(Context)
