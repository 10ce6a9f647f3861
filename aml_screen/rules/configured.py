"""Which rule folder and parameters file a deployment's settings select. The CLI, the
background jobs and the docs all ask here, so they evaluate the same rule set."""

from __future__ import annotations

from pathlib import Path

from aml_screen.rules.loader import PARAMETERS_FILE, rule_files
from aml_screen.settings import Settings


def configured_rules(settings: Settings, given: Path | None = None) -> Path | None:
    """``given`` (``--rules``) as is, else the settings' rules folder when it holds rule files."""
    if given is not None:
        return given
    folder = settings.rules_dir
    return folder if folder.is_dir() and rule_files(folder) else None


def parameters_override(settings: Settings) -> Path | None:
    """The deployment's parameters file, unless it is just the default rules folder's own
    ``parameters.yaml`` (which must not override the parameters of another folder)."""
    own = settings.rules_dir / PARAMETERS_FILE
    chosen = settings.rule_parameters_file
    return None if chosen.resolve() == own.resolve() else chosen
