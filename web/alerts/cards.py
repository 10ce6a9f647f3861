"""What the alert page shows of an alert's evidence: one card per listed entry (however many
transactions hit it, under whatever spellings) and one per rule hit, told in sentences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from aml_screen.rules.model import Rule
from aml_screen.rules.sentences import rule_hit_sentences, typology_label
from aml_screen.store.alert_queue import HitView
from aml_screen.store.models import RuleHit
from aml_screen.watchlists.topics import relation_sentences, topic_labels
from web.alerts.highlight import highlight, matching_tokens


@dataclass(frozen=True)
class EntryCard:
    """A listed entry and every hit on it; ``best`` is shown side by side with the entry."""

    best: HitView
    party: Markup
    listed: Markup
    hits: list[HitView] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    """The entry's topics in words (politically exposed person, sanctioned...)."""
    relations: list[str] = field(default_factory=list)
    """How the entry depends on another listed entry, in sentences (daughter of X)."""

    @property
    def transactions(self) -> int:
        return len({view.hit.transaction_id for view in self.hits})


def entry_cards(hits: Sequence[HitView], lang: str) -> list[EntryCard]:
    """``hits`` (best score first) grouped by listed entry, in the order of their best hit;
    topics and relation in ``lang``."""
    grouped: dict[tuple[str, str, str], list[HitView]] = {}
    for view in hits:
        hit = view.hit
        grouped.setdefault((hit.list_id, hit.entry_id, hit.list_version), []).append(view)
    return [EntryCard(
        best=views[0], hits=views,
        party=highlight(views[0].hit.party_name,
                        matching_tokens(views[0].hit.explanation, "query")),
        listed=highlight(views[0].hit.matched_name,
                         matching_tokens(views[0].hit.explanation, "list")),
        topics=topic_labels(views[0].hit.topics, lang),
        relations=relation_sentences(views[0].hit.relation, lang))
        for views in grouped.values()]


@dataclass(frozen=True)
class RuleCard:
    hit: RuleHit
    title: str
    typology: str
    description: str
    references: tuple[str, ...]
    sentences: list[str]
    technical: dict[str, Any]
    """The evidence as the evaluator wrote it, for the technical details."""


def rule_cards(rule_hits: Sequence[RuleHit], rules: Mapping[str, Rule],
               lang: str) -> list[RuleCard]:
    cards = []
    for hit in rule_hits:
        rule = rules.get(hit.rule_id)
        cards.append(RuleCard(
            hit=hit,
            title=(rule.title.get(lang) or rule.title.get("en") or hit.rule_id) if rule
            else hit.rule_id,
            typology=typology_label(hit.typology, lang),
            description=(rule.description.get(lang) or rule.description.get("en") or "")
            if rule else "",
            references=rule.references if rule else (),
            sentences=rule_hit_sentences(hit.evidence, lang),
            technical=hit.evidence))
    return cards
