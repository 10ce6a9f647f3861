from __future__ import annotations

import json

from aml_screen.match.explain import explain, token_pairs


def test_token_pairs_align_reordered_and_misspelled_tokens() -> None:
    pairs = token_pairs("ghaly iyad ag", "iyad ag ghali")
    by_query = {p["query"]: (p["list"], p["similarity"]) for p in pairs}
    assert by_query["iyad"] == ("iyad", 100.0)
    assert by_query["ag"] == ("ag", 100.0)
    assert by_query["ghaly"][0] == "ghali"
    assert 0 < by_query["ghaly"][1] < 100


def test_unpaired_tokens_are_listed_on_both_sides() -> None:
    pairs = token_pairs("mokhtar belmokhtar khaled", "mokhtar belmokhtar")
    assert {"query": "khaled", "list": None, "similarity": 0.0} in pairs
    pairs = token_pairs("mokhtar", "mokhtar belmokhtar")
    assert {"query": None, "list": "belmokhtar", "similarity": 0.0} in pairs


def test_explanation_is_json_with_names_score_and_parts() -> None:
    data = json.loads(explain("ag ghaly iyad", "ag ghali iyad", 92.3))
    assert data["query_normalised"] == "ag ghaly iyad"
    assert data["list_normalised"] == "ag ghali iyad"
    assert data["score"] == 92.3
    assert data["scorer"] == "token_sort_ratio"
    assert set(data["parts"]) == {"token_sort_ratio", "token_set_ratio", "ratio", "partial_ratio"}
    assert len(data["tokens"]) == 3
