"""Token alignment (``scoring.align``) on hand-built edges."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from aml_screen.match.scoring import align


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
