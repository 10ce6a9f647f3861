"""Explanations: token rows by position, unmatched tokens on both sides, adjustments."""

from __future__ import annotations

import json

from aml_screen.match.explain import SCORER, explain, token_rows, with_adjustments


def test_token_rows_pair_by_position_and_list_leftovers() -> None:
    rows = token_rows(
        [("ghaly", 9.1), ("iyad", 7.0), ("khaled", 6.0)],
        [("iyad", 7.0), ("ghali", 9.1)],
        [{"qpos": 1, "kpos": 0, "similarity": 1.0, "relation": "same"},
         {"qpos": 0, "kpos": 1, "similarity": 0.95, "relation": "transcription"}],
    )
    assert [(r["query"], r["list"], r["relation"]) for r in rows] == [
        ("ghaly", "ghali", "transcription"), ("iyad", "iyad", "same"),
        ("khaled", None, "unmatched")]
    assert rows[0]["list_weight"] == 9.1


def test_explanation_keeps_the_agreed_keys_and_adds_adjustments() -> None:
    tokens = token_rows([("iyad", 7.0)], [("iyad", 7.0)],
                        [{"qpos": 0, "kpos": 0, "similarity": 1.0, "relation": "same"}])
    text = explain("iyad", "iyad", 92.0, name_score=100.0, tokens=tokens,
                   adjustments={"weak_alias": -8.0, "entity_type": 0.0})
    data = json.loads(text)
    assert {"query_normalised", "list_normalised", "score", "scorer", "parts", "tokens",
            "adjustments"} <= set(data)
    assert data["scorer"] == SCORER
    assert data["adjustments"] == {"weak_alias": -8.0}  # zero adjustments are left out
    assert data["parts"]["name_score"] == 100.0
    updated = json.loads(with_adjustments(text, 97.0, {"birth_year": 5.0}))
    assert updated["adjustments"] == {"weak_alias": -8.0, "birth_year": 5.0}
    assert updated["score"] == 97.0
