"""Token alignment (``scoring.align``) on hand-built edges, and the score bound that prunes
pairs before alignment (``scoring.edge_bound``)."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from aml_screen.match.index import ListIndex
from aml_screen.match.names import prepare_queries, score_pairs
from aml_screen.match.scoring import PAIR, align


def _edges() -> pl.DataFrame:
    """Query "sabawi ibrahim hassan" against the listed "ibrahim sabawi ibrahim hassan":
    the query's ibrahim can pair with either copy, both one position away."""
    query = {"sabawi": (0, 3.0), "ibrahim": (1, 1.0), "hassan": (2, 1.5)}
    listed = [("ibrahim", 1.0), ("sabawi", 3.0), ("ibrahim", 1.0), ("hassan", 1.5)]
    rows = [
        {"query_id": 0, "key_id": 0, "qpos": qpos, "kpos": kpos, "similarity": 1.0,
         "relation": "same", "q_weight": q_weight, "q_credit": q_weight, "l_weight": l_weight}
        for token, (qpos, q_weight) in query.items()
        for kpos, (l_token, l_weight) in enumerate(listed) if l_token == token
    ]
    return pl.DataFrame(rows).with_columns(pl.col("query_id", "key_id", "qpos", "kpos")
                                           .cast(pl.UInt32))


def test_a_repeated_token_pairs_with_the_same_copy_whatever_the_edge_order() -> None:
    edges = _edges()
    expected = align(edges).sort("qpos")
    assert expected.select("qpos", "kpos").rows() == [(0, 1), (1, 0), (2, 3)]
    for seed in range(20):
        shuffled = edges.sample(fraction=1.0, shuffle=True, seed=seed)
        assert_frame_equal(align(shuffled).sort("qpos"), expected)


NEAR_NAMES = ["Iyad Ghali", "I Ag Ghaly", "Mokhtar Belmokhtr", "Mohamed Hasan",
              "Amadou Koufa Diallo", "Ansar Dine", "Abdelmalek Droukdal", "Mahfouz Walid",
              "Muhammad Said", "Khalid Abbas",
              "Djamel Okasha Traore", "Al Moulathamoun", "Mohamed", "S Mokhtar", "Saeed Shaykh",
              "Hajj Umar Rahman", "Belmokhtar", "Droukdel A", "Ghali Iyad Ag"]


def test_the_edge_bound_keeps_every_pair_that_reaches_the_floor(index: ListIndex) -> None:
    """Pairs pruned by ``edge_bound`` before alignment are exactly those under the floor."""
    queries = prepare_queries(pl.Series(NEAR_NAMES))
    every, *_ = score_pairs(queries, index, 0.0, exhaustive=True)
    assert every.height > 20
    assert every.filter(pl.col("name_score").is_between(40, 88)).height > 5
    for floor in (40.0, 60.0, 75.0, 88.0):
        kept, *_ = score_pairs(queries, index, floor, exhaustive=True)
        assert_frame_equal(kept.sort(PAIR),
                           every.filter(pl.col("name_score") >= floor).sort(PAIR))
