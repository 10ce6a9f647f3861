"""One error hierarchy. Each error carries a message key so the CLI and the web can
render it in the user's language (``message``); ``str(err)`` is the English message, for logs."""

from __future__ import annotations

from typing import Any

from aml_screen.i18n import translate


class AmlScreenError(Exception):
    """Base class: ``key`` names a message in ``aml_screen/locales``; params fill it."""

    exit_code = 1

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def message(self, lang: str) -> str:
        """The error told in ``lang``."""
        return translate(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.message("en")


class InputError(AmlScreenError):
    """Unusable input given by the user (bad file, bad option): CLI exit code 2."""

    exit_code = 2


class IngestError(InputError):
    """A batch file that cannot be read as a batch at all."""


class WatchlistError(InputError):
    """A list file that cannot be parsed, or an unknown list source."""


class ConfigError(InputError):
    """An invalid settings file, column mapping or environment variable."""
