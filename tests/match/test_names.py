"""Name-level matching: scores that rank, explanations, candidate generation vs exhaustive."""

from __future__ import annotations

import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from aml_screen.errors import InputError
from aml_screen.i18n import translate
from aml_screen.match.explain import ADJUSTMENTS, RELATIONS
from aml_screen.match.index import ListIndex, build_index
from aml_screen.match.names import (
    ENTRY_DETAIL_COLUMNS,
    NAME_HIT_COLUMNS,
    MatchStats,
    match_names,
    match_queries,
    prepare_queries,
    score_pairs,
)
from aml_screen.watchlists.frame import entries_frame


def _best(index: ListIndex, name: str, threshold: float = 50.0) -> dict[str, object]:
    hits = match_names(pl.Series([name]), index, threshold).sort("score", descending=True)
    return hits.row(0, named=True) if hits.height else {"entry_id": None, "score": 0.0}


@pytest.mark.parametrize(
    ("written", "entry_id"),
    [
        ("Iyad Ag Ghaly", "QDi.316"),  # transcription
        ("BELMOKHTAR Mokhtar", "QDi.136"),  # reordering
        ("Mokhtar Bel Mokhtar", "QDi.136"),  # split particle
        ("Abdelmalek Droukdal", "QDi.232"),  # one typo
        ("Abd el-Malek Droukdel", "QDi.232"),  # split particle, article
        ("Mahfouz Uld Walid", "QDi.015"),  # filiation particle and article
        ("Jamel Okacha", "QDi.328"),  # Dj / J
        ("El Hadj Amadou Kouffa", "QDi.425"),  # honorific
        ("Ets Ansar Dine SARL", "QDe.135"),  # legal forms
        ("Abdul Rahman Bin Omar", "QDi.401"),  # Abdul / Abd al, Omar / Umar, dropped name
    ],
)
def test_listed_names_are_found_in_bank_spellings(index: ListIndex, written: str,
                                                  entry_id: str) -> None:
    best = _best(index, written)
    assert best["entry_id"] == entry_id
    assert float(str(best["score"])) >= 85


def test_scores_rank_exact_over_transcription_over_typo(index: ListIndex) -> None:
    exact = float(str(_best(index, "IYAD AG GHALI")["score"]))
    transcribed = float(str(_best(index, "Iyad Ag Ghaly")["score"]))
    typo = float(str(_best(index, "Iyad Ag Ghalu")["score"]))
    assert exact == 100.0
    assert exact > transcribed > typo >= 85


def test_a_missing_rare_token_sinks_the_score_a_missing_common_one_does_not(
    index: ListIndex,
) -> None:
    without_common = _best(index, "ABD AL RAHMAN UMAR AL HAJJ")
    without_rare = _best(index, "Mokhtar", threshold=0.0)
    assert float(str(without_common["score"])) >= 85
    assert float(str(without_rare["score"])) < 85


@pytest.mark.parametrize("ordinary", ["Mahamadou Saidou", "Mamadou Hassane", "Moussa Traore",
                                      "Fatoumata Cisse", "Sahel Transport SARL"])
def test_ordinary_sahel_names_do_not_hit(index: ListIndex, ordinary: str) -> None:
    assert match_names(pl.Series([ordinary]), index, 85.0).is_empty()


def test_weak_alias_and_low_information_are_explained(index: ListIndex) -> None:
    hits = match_names(pl.Series(["Mohamed Hassan"]), index, 0.0)
    row = hits.filter(pl.col("entry_id") == "7002").row(0, named=True)
    data = json.loads(row["explanation"])
    assert data["adjustments"]["weak_alias"] < 0
    assert data["adjustments"]["low_information"] < 0
    assert row["score"] == pytest.approx(
        data["parts"]["name_score"] + sum(data["adjustments"].values()), abs=0.2)


def test_explanation_pairs_tokens_with_weights(index: ListIndex) -> None:
    hits = match_names(pl.Series(["Iyad Ag Ghaly"]), index, 85.0)
    assert set(NAME_HIT_COLUMNS) | set(ENTRY_DETAIL_COLUMNS) <= set(hits.columns)
    data = json.loads(hits["explanation"][0])
    assert {"query_normalised", "list_normalised", "score", "scorer", "parts",
            "tokens"} <= set(data)
    pairs = {t["query"]: t for t in data["tokens"]}
    assert pairs["ghaly"]["list"] == "ghali"
    assert pairs["ghaly"]["relation"] == "transcription"
    assert pairs["iyad"]["relation"] == "same"
    assert pairs["ghaly"]["list_weight"] > 0


@pytest.mark.parametrize("floor", [60.0, 80.0, 88.0])
def test_candidates_find_what_exhaustive_scoring_finds(index: ListIndex, floor: float) -> None:
    names = pl.Series(["Iyad Ag Ghaly", "Mokhtar Bel Mokhtar", "Abdelmalek Droukdal",
                       "Mohamed Hassan", "Moussa Traore", "Zzyzx Qwerty", "GHALI IYAD AG",
                       "Amadou Kouffa", "Ahmad al Faqi al Mahdi", "Hamadou Kouffa Diallo"])
    queries = prepare_queries(names)
    fast = score_pairs(queries, index, floor)[0]
    full = score_pairs(queries, index, floor, exhaustive=True)[0]
    assert not full.is_empty()
    assert full.join(fast, on=["query_id", "key_id"], how="anti").is_empty()


@pytest.mark.parametrize("threshold", [-1.0, 100.5])
def test_threshold_outside_0_100_is_an_input_error(index: ListIndex, threshold: float) -> None:
    with pytest.raises(InputError, match="between 0 and 100"):
        match_names(pl.Series(["Iyad"]), index, threshold)


def test_several_typos_count_less_than_one_slip_across_a_space(index: ListIndex) -> None:
    # Amadou Kouffa's letters shifted across the space is one slip; Khalid Abu al-Abbas with
    # a typo in both his names far apart is two.
    slip = _best(index, "AMADO UKOUFFA", threshold=0.0)
    one_typo = _best(index, "Khalid Abu al-Abbus", threshold=0.0)
    two_typos = _best(index, "Khalix Abu al-Abbus", threshold=0.0)
    assert slip["entry_id"] == "QDi.425"
    assert float(str(slip["score"])) >= 90
    assert one_typo["entry_id"] == two_typos["entry_id"] == "QDi.136"
    assert float(str(one_typo["score"])) - float(str(two_typos["score"])) >= 8


def test_every_relation_and_adjustment_a_hit_shows_has_words_for_it(index: ListIndex) -> None:
    # Exact, transcription, given-name equivalent, typo, glued article, initial, leftover,
    # weak alias and low information: each is shown in words (matching.relation.*).
    listed = entries_frame(
        {"list_id": "ofac_sdn", "entry_id": entry_id, "entity_type": "person", "name": name,
         "name_kind": kind}
        for entry_id, name, kind in [("12008", "AL-FAY, Ibrahim Ali 'Awad", "primary"),
                                     ("7002", "Mohamed Hassan", "weak_alias")]
    ).with_columns(list_version=pl.lit("sha-test"))
    written = pl.Series(["Iyad Ag Ghaly", "Abdelmalek Droukdle", "M. Belmokhtar",
                         "Mokhtar Belmokhtar Khalid", "Alfay Ibrahim Ali", "Mahamadou Hassan"])
    hits = pl.concat([match_names(written, index, 40.0),
                      match_names(written, build_index(listed), 40.0)])
    explanations = [json.loads(e) for e in hits["explanation"]]
    relations = {t["relation"] for e in explanations for t in e["tokens"]}
    adjustments = {a for e in explanations for a in e["adjustments"]}
    assert {"same", "transcription", "equivalent", "typo", "joined", "unmatched"} <= relations
    assert relations <= set(RELATIONS)
    assert {"weak_alias", "low_information"} <= adjustments <= set(ADJUSTMENTS)
    for relation in RELATIONS:
        assert translate(f"matching.relation.{relation}", "fr") != f"matching.relation.{relation}"


def test_a_names_score_does_not_depend_on_other_spellings_in_the_batch(index: ListIndex
                                                                        ) -> None:
    # Ghali and Ghaly share a skeleton: each is scored as written, in either batch order.
    for batch in (["Iyad Ag Ghaly", "Iyad Ag Ghali"], ["Iyad Ag Ghali", "Iyad Ag Ghaly"]):
        hits = match_names(pl.Series(batch), index, 80.0).filter(pl.col("entry_id") == "QDi.316")
        scores = dict(zip(hits["party_name"], hits["score"], strict=True))
        assert scores["Iyad Ag Ghali"] == 100.0
        assert 90.0 < scores["Iyad Ag Ghaly"] < 100.0


def test_a_dropped_middle_name_costs_less_than_a_dropped_last_name() -> None:
    # Tokens of equal weight (one list name each): leaving out the middle one, as banks do
    # with a father's name, keeps more of the score than leaving out the last one.
    listed = entries_frame([{"list_id": "un_sc", "entry_id": "QDi.999", "entity_type": "person",
                             "name": "Kelmendi Zafirov Ardashev", "name_kind": "primary"}]
                           ).with_columns(list_version=pl.lit("sha-test"))
    hits = match_names(pl.Series(["Kelmendi Ardashev", "Kelmendi Zafirov"]), build_index(listed),
                       50.0)
    scores = dict(zip(hits["party_name"], hits["score"], strict=True))
    assert scores["Kelmendi Ardashev"] > scores["Kelmendi Zafirov"] > 88.0


def _national_list(size: int) -> ListIndex:
    """A national list where a few family names are very common (the skewed case)."""
    given = ("Moussa", "Amadou", "Oumar", "Fatoumata", "Aïssata", "Ibrahim", "Mariam")
    family = ("Traoré", "Diallo", "Coulibaly", "Keïta")
    entries = entries_frame(pl.DataFrame({
        "list_id": "national", "entry_id": [f"ML-{i:05d}" for i in range(size)],
        "entity_type": "person", "name_kind": "primary",
        "name": [f"{given[i % 7]} {given[i // 7 % 7]} {family[i // 49 % 4]} {i}"
                 for i in range(size)],
    })).with_columns(list_version=pl.lit("sha-national"))
    return build_index(entries)


def test_scoring_in_budgeted_batches_gives_the_hits_of_one_batch() -> None:
    index = _national_list(2_000)
    names = pl.Series(["Moussa Amadou Traoré 12", "Oumar Diallo", "Fatoumata Keïta 1999",
                       "Ibrahim Mariam Coulibaly", "Aïssata Traoré", "Amadou Moussa Diallo 7"])
    queries = prepare_queries(names)
    whole = match_queries(queries, index, 70.0).sort("party_name", "entry_id")
    assert whole.height
    stats = MatchStats()
    small = match_queries(queries, index, 70.0, budget=700, stats=stats)
    assert_frame_equal(small.sort("party_name", "entry_id"), whole)
    assert stats.capped_keys == set()


def test_a_name_over_the_budget_on_its_own_is_capped_and_counted() -> None:
    index = _national_list(2_000)
    queries = prepare_queries(pl.Series(["Moussa Traoré", "Iyad Ag Ghali"]))
    stats = MatchStats()
    capped = match_queries(queries, index, 70.0, budget=50, stats=stats)
    moussa = queries.names.filter(pl.col("party_name") == "Moussa Traoré")["query_id"][0]
    assert stats.capped_keys == {moussa}
    whole = match_queries(queries, index, 70.0)
    assert capped.join(whole, on=["party_name", "entry_id"], how="anti").is_empty()
