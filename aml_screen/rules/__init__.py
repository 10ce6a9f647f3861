"""Behavioural rules in YAML: loading and checking (``load_rules``), evaluation
(``evaluate_rules``) and the rules' own examples (``run_examples``)."""

from aml_screen.rules.engine import evaluate_rules
from aml_screen.rules.loader import load_rules
from aml_screen.rules.model import Rule, RuleSet
from aml_screen.rules.problems import RuleError, RuleProblem

__all__ = ["Rule", "RuleError", "RuleProblem", "RuleSet", "evaluate_rules", "load_rules"]
