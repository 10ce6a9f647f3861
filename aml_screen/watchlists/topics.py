"""What a list entry's topics and relations (``schema.LIST_ENTRY_EXTRAS``) mean for a hit:
whether the hit is a PEP hit rather than a sanctions hit, the relation it carries (codes and
names, as JSON in ``HIT_SCHEMA.relation``), and both in words at the edge.

Topics are OpenSanctions' (FollowTheMoney) as written: ``role.pep`` a politically exposed
person, ``role.rca`` a relative or close associate of one, ``sanction`` a sanctioned entity.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from aml_screen.i18n import catalogue, translate

PEP_TOPICS = ("role.pep", "role.rca")
"""Topics that make an entry a PEP (or a PEP's relative or close associate)."""
SANCTION_TOPICS = ("sanction", "sanction.linked", "sanction.counter")
"""Topics that keep a hit a sanctions hit even if the entry is also a PEP."""
MAX_RELATIONS = 3
"""Relations a hit carries: the strongest few are what an investigator reads first."""


def has_topic(topics: pl.Expr, wanted: tuple[str, ...]) -> pl.Expr:
    """Whether ``topics`` (a list column) holds one of ``wanted`` or a sub-topic of one
    (``role.pep`` covers ``role.pep.national``); false for null."""
    pattern = "^(" + "|".join(t.replace(".", r"\.") for t in wanted) + r")(\.|$)"
    return topics.list.eval(pl.element().str.contains(pattern)).list.any().fill_null(
        value=False)


def is_pep_hit(topics: pl.Expr) -> pl.Expr:
    """A PEP hit: the entry is a PEP or a PEP's relative/associate, and not sanctioned."""
    return has_topic(topics, PEP_TOPICS) & ~has_topic(topics, SANCTION_TOPICS)


def relation_texts(relations: pl.Series) -> pl.Series:
    """Per row of a ``relations`` column, the JSON ``HIT_SCHEMA.relation`` holds: its first
    ``MAX_RELATIONS`` items, or ``""`` when the entry depends on no other entry."""
    texts = [
        json.dumps(items[:MAX_RELATIONS], ensure_ascii=False) if items else ""
        for items in relations.to_list()
    ]
    return pl.Series("relation", texts, dtype=pl.String)


def topic_labels(topics: list[str] | None, lang: str) -> list[str]:
    """Each topic in words (``topic.<code>``), a topic without words as written."""
    known = catalogue()
    return [translate(f"topic.{t}", lang) if f"topic.{t}" in known else t
            for t in topics or []]


def relation_sentences(relation: str | None, lang: str) -> list[str]:
    """``HIT_SCHEMA.relation`` told in words: ``daughter of Seydou Abdoulaye Keïta``."""
    items: list[dict[str, Any]] = json.loads(relation) if relation else []
    return [_sentence(item, lang) for item in items]


def _sentence(item: dict[str, Any], lang: str) -> str:
    known = catalogue()
    name = item.get("other_name") or translate("relation.unnamed", lang,
                                               entry_id=item.get("other_entry_id"))
    kind = str(item.get("kind"))
    if kind != "family":
        key = f"relation.{kind}"
        return translate(key if key in known else "relation.link", lang, name=name)
    role = str(item.get("role") or "").strip()
    role_key = f"relation.role.{role.casefold().replace(' ', '-')}"
    said = (translate(role_key, lang) if role_key in known
            else role.lower() or translate("relation.family.any", lang))
    return translate("relation.family", lang, role=said, name=name)
