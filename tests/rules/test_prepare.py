"""The frame ``engine.prepare`` materialises: what it keeps of the batch, the integer codes
of texts, and the search columns that ``contains_any`` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from aml_screen.rules import engine, evaluate_rules, load_rules
from aml_screen.rules.derived import check_name, code_name, codes_collide
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


def test_codes_are_hashes_that_no_two_texts_of_the_batch_share(tmp_path: Path) -> None:
    frame = prepared(tmp_path)
    codes = frame.get_column(code_name("originator_id"))
    assert codes.dtype == pl.UInt64
    texts = pl.Series(["B", "Awa Diallo"])
    assert codes.to_list()[1:] == texts.hash(0).to_list()
    assert not codes_collide(pl.DataFrame({
        code_name("originator_id"): [1, 2, 1], check_name("originator_id"): [7, 8, 7],
        code_name("beneficiary_id"): [2, 3, None], check_name("beneficiary_id"): [8, 9, None]}),
        ["originator_id", "beneficiary_id"])


def test_a_code_shared_by_two_texts_is_seen_even_across_columns() -> None:
    """Code 2 is an originator's and a beneficiary's whose check hashes differ."""
    assert codes_collide(pl.DataFrame({
        code_name("originator_id"): [1, 2], check_name("originator_id"): [7, 8],
        code_name("beneficiary_id"): [2, 3], check_name("beneficiary_id"): [5, 12]}),
        ["originator_id", "beneficiary_id"])


def test_texts_sharing_a_hash_get_exact_codes(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A hash as weak as the text's length makes A, B and C share a code: ``prepare`` sees
    it and codes them exactly, so that they stay three accounts."""
    def by_length(column: str, seed: int = 0) -> pl.Expr:
        return pl.col(column).str.len_bytes().cast(pl.UInt64).alias(code_name(column))

    monkeypatch.setattr(engine, "code_expr", by_length)
    frame = prepared(tmp_path)
    sent, received = (frame.get_column(code_name(c)).to_list()
                      for c in ("originator_id", "beneficiary_id"))
    assert sent[1] == received[0]  # B
    assert sent[0] == received[2]  # A
    assert len({sent[0], sent[1], received[1]}) == 3  # A, B, C
