"""One error hierarchy. Each error carries a message key so the CLI and the web can
render it in the user's language; ``str(err)`` renders it in the current language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aml_screen.i18n import t

if TYPE_CHECKING:
    from aml_screen.rules.problems import RuleProblem


class AmlScreenError(Exception):
    """Base class: ``key`` names a message in ``aml_screen/locales``; params fill it."""

    exit_code = 1

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def __str__(self) -> str:
        return t(self.key, **self.params)


class InputError(AmlScreenError):
    """Unusable input given by the user (bad file, bad option): CLI exit code 2."""

    exit_code = 2


class IngestError(InputError):
    """A batch file that cannot be read as a batch at all."""


class WatchlistError(InputError):
    """A list file that cannot be parsed, or an unknown list source."""


class ConfigError(InputError):
    """An invalid settings file, column mapping or environment variable."""


class RuleError(InputError):
    """An invalid rule set (or rule parameters): every problem found, not just the first.
    ``str()`` is a count followed by one line per problem (file, rule, field, message)."""

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        super().__init__("rules.invalid", count=len(problems))
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join([t(self.key, **self.params), *(p.line() for p in self.problems)])
