"""Token similarity: same skeleton, given-name equivalents, typos found through deletions."""

from __future__ import annotations

import polars as pl
import pytest

from aml_screen.match.index import token_vocabulary
from aml_screen.match.vocabulary import (
    COMMON_TYPO,
    EQUIVALENT,
    TYPO_COST,
    deletions,
    similar_tokens,
)
from aml_screen.names.normalise import normalise_names
from aml_screen.names.tokens import name_tokens


def _vocab(names: list[str]) -> pl.DataFrame:
    tokens = name_tokens(normalise_names(pl.Series(names)))
    return token_vocabulary(tokens, "row")


def _pairs(query: list[str], listed: list[str], batch_size: int = 0) -> dict[tuple[str, str],
                                                                              tuple[float, str]]:
    lv = _vocab(listed)
    found = similar_tokens(_vocab(query), lv, deletions(lv), batch_size)
    return {(q, k): (s, r) for q, k, s, r in found.iter_rows()}


@pytest.mark.parametrize(
    ("query", "listed", "relation"),
    [
        ("Mouhamed", "Muhammad", "same"),
        ("Mamadou", "Mohamed", "equivalent"),
        ("Ghaly", "Ghaly", "same"),
        ("Droukdle", "Droukdel", "typo"),  # letters swapped
        ("Rahii", "Rahiqi", "typo"),  # one letter dropped, found as written
        ("M", "Mokhtar", "initial"),
    ],
)
def test_relations(query: str, listed: str, relation: str) -> None:
    pairs = _pairs([query], [listed])
    assert len(pairs) >= 1
    assert {r for _, r in pairs.values()} == {relation}


def test_similarity_orders_relations() -> None:
    pairs = _pairs(["Muhammad", "Mamadou", "Droukdil"], ["Mohamed", "Droukdel"])
    sims = {r: s for s, r in pairs.values()}
    assert sims["same"] == 1.0
    assert sims["equivalent"] == EQUIVALENT
    assert 0.8 < sims["typo"] < 1.0


def test_a_spelling_common_in_the_lists_is_a_typo_only_at_a_discount() -> None:
    # Moctar is the skeleton of five list names: most likely a name of its own, so a typo of
    # Mokhber only at COMMON_TYPO of the similarity a rare spelling would get.
    listed = ["Moctar Diallo", "Moctar Sow", "Moctar Ba", "Moctar Kane", "Moctar Sy",
              "Mokhber Ali"]
    discounted = _pairs(["Moctar"], listed)[("muktar", "mukbar")]
    plain = _pairs(["Moktbar"], listed)[("muktbar", "mukbar")]
    assert discounted[1] == plain[1] == "typo"
    assert discounted[0] == pytest.approx(COMMON_TYPO * (1 - TYPO_COST / 6))
    assert plain[0] == pytest.approx(1 - TYPO_COST / 7)
    assert _pairs(["Mokhbar"], listed)[("mukbar", "mukbar")][1] == "same"
    assert _pairs(["Mokhbir"], listed)[("mukbir", "mukbar")][1] == "typo"


def test_a_spelling_several_batch_names_hold_is_not_read_as_a_typo() -> None:
    # Mamadou written by five clerks in one batch is a name, not a misspelt Amadou.
    query = ["Mamadou Barry", "Mamadou Sow", "Mamadou Kane", "Mamadou Ba", "Mamadou Sy"]
    pairs = _pairs(query, ["Amadou Barry"], batch_size=len(query))
    assert not [k for (q, k), (_, r) in pairs.items() if q == "mamadu" and r == "typo"]
    assert ("mamadu", "amadu") in _pairs(["Mamadou Barry"], ["Amadou Barry"], batch_size=1)


@pytest.mark.parametrize(
    ("query", "listed", "relation"),
    [
        ("Alfay Ibrahim", "AL-FAY, Ibrahim", "joined"),  # the article glued on one side only
        ("Ibrahim Al Fay", "Alfay Ibrahim", "joined"),
        ("Beelkassem Noureddine", "Belkassem Noureddine", "typo"),  # a slip keeps it whole
        ("Ablelhalim Remadna", "Abdelhalim Remadna", "typo"),
    ],
)
def test_a_name_glued_to_its_particle_on_one_side_pairs_with_the_name(
    query: str, listed: str, relation: str
) -> None:
    relations = {r for (q, k), (_, r) in _pairs([query], [listed]).items() if q != k}
    assert relation in relations


def test_a_filiation_particle_glued_to_a_name_makes_another_name() -> None:
    # Benali is a surname: it does not stand for every "Ali" of the lists.
    assert set(_pairs(["Benali Said"], ["Ben Ali Said", "Mohammad Ali"])) == {("said", "said")}


def test_a_slip_repeated_in_a_batch_is_still_a_typo_of_a_common_name() -> None:
    # "Moahmmad" held by six names of a small batch would pass for a name of its own; but
    # Mohammad is held by a hundred times more list names.
    listed = [f"Mohammad {s}" for s in ("Akhund", "Rahmani", "Qasim", "Ewaz", "Zahedi")] * 30
    pairs = _pairs(["Moahmmad Wali"] * 6, listed, batch_size=100)
    assert pairs[("muahmad", "muhamad")][1] == "typo"


@pytest.mark.parametrize(
    ("query", "listed", "typo"),
    [
        ("Qian", "Jian", False),  # one letter in four replaced: another name
        ("Bahr", "Bakr", False),
        ("Siad", "Said", True),  # two letters swapped: a slip
        ("Zafr", "Zafar", True),  # a letter dropped from five
    ],
)
def test_four_letter_forms_are_a_typo_apart_only_by_a_swap_or_a_drop(
    query: str, listed: str, typo: bool
) -> None:
    relations = {r for _, r in _pairs([query], [listed]).values()}
    assert ("typo" in relations) is typo


def test_a_pair_both_equivalent_and_one_letter_apart_reads_as_equivalent_in_any_order(
) -> None:
    # Hamidou / Hamid are forms of one given name (0.9) and one letter apart (0.9 too); the
    # initial H pairs with every list name, so the pairs are many.
    listed = _vocab(["Hamid", "Hamidi", "Hamada", "Hamed", "Hamdi", "Hammad", "Hassan",
                     "Hussein", "Habib", "Hakim", "Halim", "Harun", "Hashim", "Hatim"])
    query = _vocab(["Hamidou", "H"])
    for seed in range(5):
        shuffled = listed.sample(fraction=1.0, shuffle=True, seed=seed)
        found = similar_tokens(query, shuffled, deletions(shuffled))
        pair = found.filter((pl.col("q_skeleton") == "hamidu")
                            & (pl.col("l_skeleton") == "hamid"))
        assert pair.select("similarity", "relation").rows() == [(EQUIVALENT, "equivalent")]
