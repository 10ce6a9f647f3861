"""``RuleError`` lives beside ``RuleProblem`` (``aml_screen.rules.problems``), is importable
from ``aml_screen.rules`` and is an ``InputError``; an invalid rule set raises it with every
problem, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

import aml_screen.rules
from aml_screen import errors
from aml_screen.rules import load_rules
from aml_screen.rules.problems import RuleError, RuleProblem
from tests.rules.test_loader import rule, write


def test_rule_error_is_one_class_in_both_places() -> None:
    assert aml_screen.rules.RuleError is RuleError
    assert issubclass(RuleError, errors.InputError)
    assert RuleError.exit_code == 2


def test_an_invalid_rule_set_raises_it_with_every_problem(tmp_path: Path) -> None:
    folder = write(tmp_path, {"bad.yaml": [rule(id="R-1", condition="amount >= 'x'"),
                                           rule(id="R-2", condition="nowhere > 3")]})
    with pytest.raises(RuleError) as raised:
        load_rules(folder)
    problems = raised.value.problems
    assert [(p.rule, p.field) for p in problems] == [("R-1", "condition"),
                                                     ("R-2", "condition")]
    assert all(isinstance(p, RuleProblem) for p in problems)
    lines = str(raised.value).splitlines()
    assert len(lines) == 3
    assert "2" in lines[0]
    assert "bad.yaml" in lines[1]
    assert "R-1" in lines[1]
