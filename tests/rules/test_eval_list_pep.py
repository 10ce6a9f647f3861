"""List rules and PEP hits: ``topics: [pep]`` selects PEP hits, a rule without ``topics``
reads sanctions hits only, and the evidence tells the topics and relation in words."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from aml_screen.rules import RuleSet, evaluate_rules, load_rules
from aml_screen.rules.sentences import rule_hit_sentences
from aml_screen.watchlists.topics import PEP_TOPICS

REPO = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules(REPO / "rules")


def test_topics_pep_stands_for_peps_and_their_relatives(shipped: RuleSet) -> None:
    rule = next(r for r in shipped.rules if r.id == "COR-PEP-01")
    assert rule.listing is not None
    assert rule.listing.topics == PEP_TOPICS


def _pep_rule(shipped: RuleSet) -> RuleSet:
    rule = next(r for r in shipped.rules if r.id == "COR-PEP-01")
    return RuleSet((rule,), shipped.parameters, ())


def test_a_rule_without_topics_ignores_pep_hits(shipped: RuleSet) -> None:
    tf = next(r for r in shipped.rules if r.id == "TF-LIST-01")
    assert tf.listing is not None
    anything = replace(tf, listing=replace(tf.listing, programmes=()))
    pep_case = next(e for e in _pep_rule(shipped).rules[0].examples if e.fires)
    alone = RuleSet((anything,), shipped.parameters, ())
    assert evaluate_rules(alone, pep_case.transactions, pep_case.hits).is_empty()
    as_sanction = pep_case.hits.with_columns(topics=pl.lit(["sanction"]))
    assert evaluate_rules(alone, pep_case.transactions, as_sanction).height == 1


def test_pep_rule_evidence_in_words(shipped: RuleSet) -> None:
    rules = _pep_rule(shipped)
    case = next(e for e in rules.rules[0].examples if e.fires)
    fired = evaluate_rules(rules, case.transactions, case.hits)
    evidence = json.loads(fired.item(0, "evidence"))
    assert evidence["topics"] == ["role.rca"]
    english = rule_hit_sentences(evidence, "en")
    french = rule_hit_sentences(evidence, "fr")
    assert "Listed as: Relative or close associate of a PEP." in english
    assert "Listed entry: daughter of Seydou Abdoulaye Keïta." in english
    assert "Entrée listée : fille de Seydou Abdoulaye Keïta." in french
