from __future__ import annotations

import pytest

from web.alerts.highlight import highlight, matching_tokens

EXPLANATION = {"tokens": [
    {"query": "iyad", "list": "iyad", "similarity": 1.0},
    {"query": "ghaly", "list": "ghali", "similarity": 0.95},
    {"query": "ag", "list": "ag", "similarity": 0.5},
]}


@pytest.mark.parametrize(("name", "side", "expected"), [
    ("Iyad Ag Ghaly", "query", "<mark>Iyad</mark> Ag <mark>Ghaly</mark>"),
    ("IYAD AG GHALI", "list", "<mark>IYAD</mark> AG <mark>GHALI</mark>"),
    ("<b>Iyad</b> Ag Ghaly", "query", "<mark>&lt;b&gt;Iyad&lt;/b&gt;</mark> Ag <mark>Ghaly</mark>"),
    ('Iyad" onmouseover="x', "query", "<mark>Iyad&#34;</mark> onmouseover=&#34;x"),
    ("Ïyad  Ghaly", "query", "<mark>Ïyad</mark>  <mark>Ghaly</mark>"),
    ("Someone Else", "query", "Someone Else"),
])
def test_highlighting_marks_matching_words_and_escapes_the_rest(name: str, side: str,
                                                                 expected: str) -> None:
    assert str(highlight(name, matching_tokens(EXPLANATION, side))) == expected


@pytest.mark.parametrize(("explanation", "expected"), [
    ({"tokens": [{"query": "bel", "list": "bel", "similarity": 100.0}]}, {"bel"}),  # 0-100
    ({"tokens": [{"query": "bel", "list": "bel", "similarity": 70.0}]}, set()),
    ({"tokens": [{"query": None, "list": "bel", "similarity": 1.0}]}, set()),  # unmatched
    ({}, set()),
])
def test_matching_tokens(explanation: dict[str, object], expected: set[str]) -> None:
    assert matching_tokens(explanation, "query") == expected


def test_a_compound_word_holding_a_matched_token_is_marked() -> None:
    tokens = {"bel", "mokhtar"}
    assert str(highlight("BELMOKHTAR Mokhtar", tokens)) == (
        "<mark>BELMOKHTAR</mark> <mark>Mokhtar</mark>")
