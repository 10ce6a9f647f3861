"""Topics and relations of list entries: which hits are PEP hits, and relations in words."""

from __future__ import annotations

import json

import polars as pl
import pytest

from aml_screen.watchlists.topics import (
    MAX_RELATIONS,
    is_pep_hit,
    relation_sentences,
    relation_texts,
    topic_labels,
)


@pytest.mark.parametrize(("topics", "pep"), [
    (["role.pep"], True),
    (["role.rca"], True),
    (["role.pep.national"], True),         # a sub-topic
    (["role.pepper"], False),              # not a sub-topic
    (["role.pep", "sanction"], False),     # a sanctioned PEP is a sanctions hit
    (["role.rca", "sanction.linked"], False),
    (["crime.fin"], False),
    ([], False),
    (None, False),                         # lists without topics
])
def test_is_pep_hit(topics: list[str] | None, pep: bool) -> None:
    frame = pl.DataFrame({"topics": [topics]}, schema={"topics": pl.List(pl.String)})
    assert frame.select(is_pep_hit(pl.col("topics"))).item() is pep


def _relation(kind: str, role: str | None = None, name: str | None = "Seydou Keïta") -> str:
    return json.dumps([{"kind": kind, "role": role, "other_entry_id": "NK-1",
                        "other_name": name}])


@pytest.mark.parametrize(("relation", "en", "fr"), [
    (_relation("family", "Son"), "son of Seydou Keïta", "fils de Seydou Keïta"),
    (_relation("family", "Stepdaughter"), "stepdaughter of Seydou Keïta",
     "stepdaughter de Seydou Keïta"),  # a role without words is shown as written
    (_relation("family"), "relative of Seydou Keïta", "membre de la famille de Seydou Keïta"),
    (_relation("associate", "Business associate"), "associate of Seydou Keïta",
     "associé(e) de Seydou Keïta"),
    (_relation("directorship", "Director"), "directed by Seydou Keïta",
     "dirigé(e) par Seydou Keïta"),
    (_relation("link", name=None), "linked to entry NK-1", "lié(e) à l'entrée NK-1"),
])
def test_relation_sentences(relation: str, en: str, fr: str) -> None:
    assert relation_sentences(relation, "en") == [en]
    assert relation_sentences(relation, "fr") == [fr]


def test_no_relation_says_nothing() -> None:
    assert relation_sentences("", "en") == []
    assert relation_sentences(None, "fr") == []


def test_relation_texts_keep_the_first_few() -> None:
    many = [{"kind": "family", "role": "Son", "other_entry_id": f"E{i}", "other_name": f"N{i}"}
            for i in range(MAX_RELATIONS + 2)]
    texts = relation_texts(pl.Series([many, [], None]))
    assert [len(json.loads(t)) if t else 0 for t in texts] == [MAX_RELATIONS, 0, 0]
    assert json.loads(texts[0])[0]["other_entry_id"] == "E0"


def test_topic_labels_in_both_languages() -> None:
    assert topic_labels(["sanction", "role.rca", "x.unknown"], "en") == [
        "Sanctioned", "Relative or close associate of a PEP", "x.unknown"]
    assert topic_labels(["sanction"], "fr") == ["Sanctionné(e)"]
