"""Rule-set problems: each names its file, rule and field; all are collected before any is
raised (as one ``RuleError``, an ``InputError``), so an analyst sees every mistake of a rule
set in one run."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from aml_screen.errors import InputError
from aml_screen.i18n import translate

Report = Callable[..., None]
"""``report(field, key, **params)``: one problem of the rule being loaded."""


@dataclasses.dataclass(frozen=True)
class RuleProblem:
    """One mistake: where (file, rule id, field) and what (a message key and its params)."""

    file: str
    rule: str
    field: str
    key: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def message(self, lang: str) -> str:
        return translate(self.key, lang, **self.params)

    def line(self, lang: str) -> str:
        return translate("rules.problem.line", lang, file=self.file, rule=self.rule,
                         field=self.field, message=self.message(lang))


class RuleError(InputError):
    """An invalid rule set (or rule parameters): every problem found, not just the first.
    Its message is a count followed by one line per problem (file, rule, field, message)."""

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        super().__init__("rules.invalid", count=len(problems))
        self.problems = list(problems)

    def message(self, lang: str) -> str:
        return "\n".join([translate(self.key, lang, **self.params),
                          *(p.line(lang) for p in self.problems)])


class Problems:
    """Collector used while loading: ``add`` problems, ``raise_if_any`` at the end."""

    def __init__(self) -> None:
        self.items: list[RuleProblem] = []

    def add(self, file: str, rule: str, field_name: str, key: str, **params: Any) -> None:
        self.items.append(RuleProblem(file, rule, field_name, key, params))

    def raise_if_any(self) -> None:
        if self.items:
            raise RuleError(list(self.items))
