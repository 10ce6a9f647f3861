"""The frame ``engine.prepare`` materialises: what it keeps of the batch, the integer codes
of texts, and the search columns that ``contains_any`` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from aml_screen.rules import evaluate_rules, load_rules
from aml_screen.rules.derived import code_name
from aml_screen.rules.engine import prepare
from aml_screen.rules.examples import transactions_frame
from tests.rules.test_loader import rule, write

ROWS = [
    {"transaction_id": "T1", "amount": 900_000, "originator_account": "A",
     "beneficiary_account": "B", "purpose": "Achat d'ARMES"},
    {"transaction_id": "T2", "amount": 800_000, "originator_account": "B",
     "beneficiary_account": "C", "purpose": "loyer"},
    {"transaction_id": "T3", "amount": 700_000, "originator_name": "Awa Diallo",
     "beneficiary_account": "A", "purpose": None},
]


def examples(fires: str, misses: str) -> list[dict[str, Any]]:
    """A rule's examples: a payment for ``fires`` that fires it, one for ``misses`` that
    does not."""
    return [{"fires": True, "transactions": [{"amount": 1, "purpose": fires}]},
            {"fires": False, "transactions": [{"amount": 1, "purpose": misses}]}]


def prepared(tmp_path: Path, **fields: Any) -> pl.DataFrame:
    rule_set = load_rules(write(tmp_path, {"r.yaml": [rule(**fields)]}))
    return prepare(rule_set, transactions_frame("t", ROWS)).collect()


def test_an_account_has_one_code_on_both_sides_and_a_party_its_names(tmp_path: Path) -> None:
    frame = prepared(tmp_path)
    sent, received = (frame.get_column(code_name(c)).to_list()
                      for c in ("originator_id", "beneficiary_id"))
    assert sent[1] == received[0]  # B
    assert sent[0] == received[2]  # A
    assert len({sent[0], sent[1], sent[2], received[1]}) == 4  # A, B, Awa Diallo, C
    assert "originator_id" not in frame.columns


def test_a_text_only_searched_is_not_kept_but_its_search_is(tmp_path: Path) -> None:
    frame = prepared(tmp_path, condition="contains_any(purpose, words.drugs)",
                     examples=examples("Cocaïne", "loyer"))
    assert "purpose" not in frame.columns
    [search] = [c for c in frame.columns if c.startswith("_search:purpose:")]
    assert frame.get_column(search).to_list() == [False, False, None]


def test_a_text_read_otherwise_is_kept_as_text(tmp_path: Path) -> None:
    frame = prepared(tmp_path, condition="contains_any(purpose, words.drugs) "
                                         "or purpose == 'loyer'",
                     examples=examples("loyer", "riz"))
    assert frame.get_column("purpose").to_list() == ["Achat d'ARMES", "loyer", None]


def test_contains_any_finds_words_folded_in_the_distinct_texts(tmp_path: Path) -> None:
    parameters = {"fx_to_xof": {"XOF": 1}, "words": {"arms": ["armes", "fusil"]}}
    rule_set = load_rules(write(tmp_path, {"r.yaml": [rule(
        condition="contains_any(purpose, words.arms)", examples=examples("ARMES", "fusils"))]},
        parameters))
    hits = evaluate_rules(rule_set, transactions_frame("t", ROWS))
    assert hits.get_column("transaction_ids").to_list() == [["T1"]]
