"""The starter library in ``rules/``: every rule's own examples pass, and every rule is
complete (bilingual texts, dated public references, a firing and a quiet example)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from aml_screen.rules import RuleSet, load_rules
from aml_screen.rules.examples_run import run_rule_examples
from aml_screen.rules.model import TYPOLOGIES

REPO = Path(__file__).resolve().parents[2]
RULE_SET = load_rules(REPO / "rules")


@pytest.fixture(scope="module")
def rule_set() -> RuleSet:
    return RULE_SET


@pytest.mark.parametrize("rule_id", [r.id for r in RULE_SET.rules])
def test_rule_examples_fire_and_stay_quiet_as_written(rule_set: RuleSet, rule_id: str) -> None:
    rule = next(r for r in rule_set.rules if r.id == rule_id)
    results = run_rule_examples(rule_set, rule)
    assert {r.expected for r in results} == {True, False}
    failed = [(r.case, r.expected, r.fired) for r in results if not r.passed]
    assert not failed, f"{rule_id}: {failed}"


def test_one_file_per_typology_with_four_to_eight_rules(rule_set: RuleSet) -> None:
    per_file = Counter(Path(r.file).stem for r in rule_set.rules)
    assert set(per_file) == set(TYPOLOGIES)
    assert all(4 <= n <= 8 for n in per_file.values()), per_file
    for rule in rule_set.rules:
        assert Path(rule.file).stem == rule.typology


def test_every_kind_is_shipped(rule_set: RuleSet) -> None:
    assert {r.kind for r in rule_set.rules} == {"transaction", "aggregate", "sequence", "list",
                                                "network"}
    assert {r.network.pattern for r in rule_set.rules if r.network} == {"cycle", "funnel"}
