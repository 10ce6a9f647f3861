from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz

from aml_screen.match.scoring import CHUNK, score_keys


def test_scores_equal_rapidfuzz_ratio_and_respect_threshold() -> None:
    queries = ["ag ghaly iyad", "belmokhtar mokhtar", "diallo fatou"]
    keys = ["ag ghali iyad", "belmokhtar mokhtar", "abou zeid", "fatoumata diallo"]
    pairs = score_keys(queries, keys, 80.0, workers=1)
    for q, k, s in pairs.iter_rows():
        assert s == round(fuzz.ratio(queries[q], keys[k]), 1)
    expected = {(q, k) for q in range(3) for k in range(4)
                if fuzz.ratio(queries[q], keys[k]) >= 80}
    assert set(zip(pairs["query_id"], pairs["key_id"], strict=True)) == expected
    assert (0, 0) in expected
    assert (1, 1) in expected


def test_chunks_cover_every_query_and_report_progress() -> None:
    queries = [f"name {i:05d}" for i in range(CHUNK * 2 + 7)]
    seen: list[int] = []
    pairs = score_keys(queries, ["name 00003", "name 01030"], 100.0, on_progress=seen.append)
    assert sum(seen) == len(queries)
    assert sorted(pairs["query_id"].to_list()) == [3, 1030]


def test_no_keys_gives_empty_frame() -> None:
    pairs = score_keys(["a b"], [], 50.0)
    assert pairs.is_empty()
    assert pairs.schema == pl.Schema({"query_id": pl.UInt32, "key_id": pl.UInt32,
                                      "score": pl.Float64})
