"""Running each rule's own examples: a case passes when the rule fires on its transactions
exactly when the case says it should (``fires: true`` / ``fires: false``)."""

from __future__ import annotations

from dataclasses import dataclass

from aml_screen.rules.engine import evaluate_rules
from aml_screen.rules.model import Rule, RuleSet


@dataclass(frozen=True)
class CaseResult:
    rule_id: str
    file: str
    case: str
    expected: bool
    fired: bool

    @property
    def passed(self) -> bool:
        return self.expected == self.fired


def run_examples(rule_set: RuleSet, rule_ids: set[str] | None = None) -> list[CaseResult]:
    """Each example case of each rule (or of ``rule_ids``), evaluated with only its rule."""
    results = []
    for rule in rule_set.rules:
        if rule_ids is not None and rule.id not in rule_ids:
            continue
        results.extend(run_rule_examples(rule_set, rule))
    return results


def run_rule_examples(rule_set: RuleSet, rule: Rule) -> list[CaseResult]:
    alone = RuleSet((rule,), rule_set.parameters, (rule.file,))
    results = []
    for example in rule.examples:
        hits = evaluate_rules(alone, example.transactions, example.hits)
        results.append(CaseResult(rule.id, rule.file, example.name, example.fires,
                                  not hits.is_empty()))
    return results
